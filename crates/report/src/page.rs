//! The report page: the facts of a job laid out as one HTML document.

use crate::html::{element, escape};
use reel_core::manifest::{CheckCounts, CheckResult, CheckStatus};
use reel_core::Resolution;
use std::fmt::Write;

const CSS: &str = include_str!("../assets/report.css");
const PLAYER_JS: &str = include_str!("../assets/player.js");
const HLS_JS: &str = include_str!("../assets/hls.min.js");

/// Everything the page shows. Sections whose facts are missing (no validation
/// ran, a static ladder has no hull) say so instead of vanishing.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The title's name (the source file name).
    pub title: String,
    /// Label and value rows about the job: id, source, settings, versions.
    pub summary: Vec<(String, String)>,
    /// The ladder, ascending bit rate.
    pub rungs: Vec<RungRow>,
    /// The ladder's warnings.
    pub warnings: Vec<String>,
    /// The rate-quality plot (SVG document): trials, hull, rungs, static ladder.
    pub hull_svg: Option<String>,
    /// Per-frame VMAF plot of each rung (name, SVG document).
    pub frame_plots: Vec<(String, String)>,
    /// Thumbnails of shot starts.
    pub shots: Vec<Shot>,
    pub validation: Option<Validation>,
    /// The HLS master playlist, relative to the page.
    pub master_playlist: Option<String>,
}

/// One rung of the ladder table.
#[derive(Debug, Clone, PartialEq)]
pub struct RungRow {
    pub name: String,
    pub resolution: Resolution,
    pub codec: String,
    /// Measured video bit rate of the rendition, kb/s.
    pub kbps: f64,
    pub predicted_vmaf: Option<f64>,
    pub vmaf_mean: Option<f64>,
    pub vmaf_p5: Option<f64>,
    /// Bytes of the assembled rendition.
    pub size_bytes: Option<u64>,
}

/// A shot start on the contact sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Shot {
    pub number: usize,
    pub start_s: f64,
    /// `data:` URL of the thumbnail.
    pub thumbnail: String,
}

/// What `reel validate` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub passed: bool,
    pub counts: CheckCounts,
    pub checks: Vec<CheckResult>,
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(HLS_JS.len() + 256 * 1024);
    let title = format!("reel report: {}", report.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{CSS}</style></head><body>",
        escape(&title)
    );
    element(&mut out, "h1", &title);
    summary(&mut out, report);
    player(&mut out, report);
    ladder(&mut out, report);
    hull(&mut out, report);
    quality(&mut out, report);
    shots(&mut out, report);
    validation(&mut out, report);
    let _ = writeln!(
        out,
        "<script>{}</script><script>{PLAYER_JS}</script></body></html>",
        hls_js()
    );
    out
}

/// hls.js without its source-map comment (the map is not shipped).
fn hls_js() -> &'static str {
    let js = HLS_JS.trim_end();
    match js.rfind("//# sourceMappingURL=") {
        Some(at) => &js[..at],
        None => js,
    }
}

fn section(out: &mut String, id: &str, heading: &str) {
    let _ = write!(out, "<section id=\"{id}\">");
    element(out, "h2", heading);
}

fn summary(out: &mut String, report: &Report) {
    section(out, "summary", "Job");
    out.push_str("<table class=\"facts\">");
    for (label, value) in &report.summary {
        out.push_str("<tr>");
        element(out, "th", label);
        element(out, "td", value);
        out.push_str("</tr>");
    }
    out.push_str("</table></section>");
}

fn player(out: &mut String, report: &Report) {
    section(out, "player", "Player");
    match &report.master_playlist {
        Some(src) => {
            let _ = write!(
                out,
                "<div class=\"player\"><video id=\"video\" controls muted playsinline \
                 data-src=\"{}\"></video><label>Rung <select id=\"rung\" disabled>\
                 <option value=\"-1\">auto</option></select></label>\
                 <p id=\"player-status\" class=\"note\">Loading {}</p></div>",
                escape(src),
                escape(src)
            );
        }
        None => element(out, "p", "This job has no HLS output to play."),
    }
    out.push_str("</section>");
}

fn ladder(out: &mut String, report: &Report) {
    section(out, "ladder", "Ladder");
    out.push_str(
        "<table class=\"ladder\"><thead><tr><th>rung</th><th>resolution</th><th>codec</th>\
         <th>kb/s</th><th>predicted VMAF</th><th>VMAF mean</th><th>VMAF 5th pct</th>\
         <th>size</th></tr></thead><tbody>",
    );
    let number = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"));
    for r in &report.rungs {
        out.push_str("<tr>");
        element(out, "td", &r.name);
        element(out, "td", &r.resolution.to_string());
        element(out, "td", &r.codec);
        element(out, "td", &format!("{:.0}", r.kbps));
        element(out, "td", &number(r.predicted_vmaf));
        element(out, "td", &number(r.vmaf_mean));
        element(out, "td", &number(r.vmaf_p5));
        element(out, "td", &r.size_bytes.map_or_else(|| "–".into(), size));
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if !report.warnings.is_empty() {
        out.push_str("<ul class=\"warnings\">");
        for w in &report.warnings {
            element(out, "li", w);
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn hull(out: &mut String, report: &Report) {
    section(out, "hull", "Convex hull");
    match &report.hull_svg {
        Some(svg) => {
            let _ = write!(out, "<figure>{svg}</figure>");
        }
        None => element(
            out,
            "p",
            "A static ladder: no trial encodes, so there is no hull to show.",
        ),
    }
    out.push_str("</section>");
}

fn quality(out: &mut String, report: &Report) {
    section(out, "quality", "VMAF per frame");
    if report.frame_plots.is_empty() {
        element(
            out,
            "p",
            "No per-frame VMAF was recorded (validation skipped or run without VMAF).",
        );
    }
    for (name, svg) in &report.frame_plots {
        let _ = write!(
            out,
            "<figure class=\"frames\" data-rung=\"{}\">{svg}<figcaption>{}</figcaption></figure>",
            escape(name),
            escape(name)
        );
    }
    out.push_str("</section>");
}

fn shots(out: &mut String, report: &Report) {
    section(out, "shots", "Shots");
    out.push_str("<div class=\"sheet\">");
    for s in &report.shots {
        let _ = write!(
            out,
            "<figure><img src=\"{}\" alt=\"shot {}\"><figcaption>shot {} · {:.2} s</figcaption></figure>",
            s.thumbnail, s.number, s.number, s.start_s
        );
    }
    out.push_str("</div></section>");
}

fn validation(out: &mut String, report: &Report) {
    section(out, "validation", "Validation");
    let Some(v) = &report.validation else {
        element(out, "p", "Validation did not run for this job.");
        out.push_str("</section>");
        return;
    };
    let c = &v.counts;
    let _ = write!(
        out,
        "<p class=\"verdict {}\">{}: {} passed, {} warned, {} failed, {} skipped</p>",
        if v.passed { "pass" } else { "fail" },
        if v.passed { "Passed" } else { "Failed" },
        c.pass,
        c.warn,
        c.fail,
        c.skip
    );
    // Failures and warnings first: they are what a reader looks for.
    let mut checks: Vec<&CheckResult> = v.checks.iter().collect();
    checks.sort_by_key(|c| match c.status {
        CheckStatus::Fail => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Skip => 2,
        CheckStatus::Pass => 3,
    });
    out.push_str(
        "<table class=\"checks\"><thead><tr><th>status</th><th>check</th><th>subject</th>\
         <th>evidence</th></tr></thead><tbody>",
    );
    for check in checks {
        let status = status_name(check.status);
        let _ = write!(out, "<tr class=\"{status}\">");
        element(out, "td", status);
        element(out, "td", &check.check);
        element(out, "td", &check.subject);
        element(out, "td", &check.evidence);
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
}

fn status_name(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Warn => "warn",
        CheckStatus::Fail => "fail",
        CheckStatus::Skip => "skip",
    }
}

/// Bytes in the largest unit that keeps the number at or above 1.
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            title: "clip <1>.mp4".into(),
            summary: vec![("job".into(), "abc".into())],
            rungs: vec![RungRow {
                name: "720p-h264".into(),
                resolution: Resolution::new(1280, 720),
                codec: "h264".into(),
                kbps: 2999.6,
                predicted_vmaf: Some(93.456),
                vmaf_mean: Some(94.0),
                vmaf_p5: None,
                size_bytes: Some(1_234_567),
            }],
            warnings: vec!["target & more".into()],
            hull_svg: None,
            frame_plots: vec![("720p-h264".into(), "<svg id=\"p\"></svg>".into())],
            shots: Vec::new(),
            validation: Some(Validation {
                passed: false,
                counts: CheckCounts {
                    pass: 1,
                    warn: 0,
                    fail: 1,
                    skip: 0,
                },
                checks: vec![
                    CheckResult {
                        check: "frames.count".into(),
                        subject: "720p-h264".into(),
                        status: CheckStatus::Pass,
                        evidence: "150 = 150".into(),
                    },
                    CheckResult {
                        check: "gop.closed".into(),
                        subject: "720p-h264".into(),
                        status: CheckStatus::Fail,
                        evidence: "<open>".into(),
                    },
                ],
            }),
            master_playlist: Some("../hls/master.m3u8".into()),
        }
    }

    #[test]
    fn the_page_lays_out_every_section_with_escaped_text() {
        let page = render(&sample());
        for id in [
            "summary",
            "player",
            "ladder",
            "hull",
            "quality",
            "shots",
            "validation",
        ] {
            assert!(page.contains(&format!("<section id=\"{id}\">")), "{id}");
        }
        assert!(page.contains("<title>reel report: clip &lt;1&gt;.mp4</title>"));
        assert!(page.contains("<td>3000</td><td>93.46</td><td>94.00</td><td>–</td><td>1.2 MB</td>"));
        assert!(page.contains("<li>target &amp; more</li>"));
        assert!(page.contains("data-src=\"../hls/master.m3u8\""));
        assert!(page.contains("<svg id=\"p\"></svg>"));
        assert!(page.contains("no hull to show"));
        // The failure is listed before the pass, its evidence escaped.
        let fail = page.find("gop.closed").unwrap();
        assert!(fail < page.find("frames.count").unwrap());
        assert!(page.contains("<td>&lt;open&gt;</td>"));
        assert!(page.contains("Failed: 1 passed, 0 warned, 1 failed, 0 skipped"));
    }

    #[test]
    fn hls_js_is_inlined_without_its_source_map_comment() {
        let page = render(&sample());
        assert!(page.contains("Hls=i()"));
        assert!(!page.contains("sourceMappingURL"));
        assert_eq!(page.matches("</script>").count(), 2);
    }

    #[test]
    fn sizes_read_in_their_unit() {
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_500), "1.5 kB");
        assert_eq!(size(2_500_000_000), "2.50 GB");
    }
}
