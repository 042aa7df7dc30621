//! Reading a DASH MPD as far as reel needs: each Representation with its
//! SegmentTemplate and SegmentTimeline, from a small tag scanner (the MPDs
//! reel writes use no entities or CDATA in these elements). The packager
//! measures segments through it, validation checks them.

/// One `<S t d r>` run of a segment timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TimelineRun {
    t: Option<u64>,
    d: u64,
    r: i64,
}

/// One representation and the segments it names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Representation {
    pub id: String,
    pub content_type: String,
    pub bandwidth: Option<u64>,
    pub initialization: Option<String>,
    /// Media segment names with their durations in seconds.
    pub segments: Vec<(String, f64)>,
}

fn tag_attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_string();
        let after = &rest[eq + 2..];
        let end = after.find('"').unwrap_or(after.len());
        out.push((key, after[..end].to_string()));
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `$RepresentationID$`, `$Number$`, `$Number%05d$`, `$Time$` expanded.
fn expand(template: &str, id: &str, number: u64, time: u64) -> String {
    let mut out = String::new();
    let mut parts = template.split('$');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for part in parts {
        if inside {
            let (name, width) = match part.split_once('%') {
                Some((n, f)) => (
                    n,
                    f.trim_start_matches('0')
                        .trim_end_matches('d')
                        .parse::<usize>()
                        .unwrap_or(0),
                ),
                None => (part, 0),
            };
            match name {
                "RepresentationID" => out.push_str(id),
                "Number" => out.push_str(&format!("{number:0width$}")),
                "Time" => out.push_str(&format!("{time:0width$}")),
                "" => out.push('$'),
                other => out.push_str(other),
            }
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// The representations of an MPD; `Err` when it is not an MPD.
pub fn parse_mpd(text: &str) -> Result<Vec<Representation>, String> {
    if !text.contains("<MPD") {
        return Err("no <MPD> element".to_string());
    }
    let mut reps = Vec::new();
    let mut content_type = String::new();
    let mut current: Option<Representation> = None;
    let mut template: Vec<(String, String)> = Vec::new();
    let mut runs: Vec<TimelineRun> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').ok_or("an element is not closed")? + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let attrs = tag_attributes(tag);
        match name {
            "Representation" if closing => {
                if let Some(mut rep) = current.take() {
                    fill_segments(&mut rep, &template, &runs)?;
                    reps.push(rep);
                }
            }
            _ if closing => {}
            "AdaptationSet" => {
                content_type = get(&attrs, "contentType").unwrap_or_default().to_string();
            }
            "SegmentTemplate" => template = attrs,
            "S" => runs.push(TimelineRun {
                t: get(&attrs, "t").and_then(|v| v.parse().ok()),
                d: get(&attrs, "d")
                    .and_then(|v| v.parse().ok())
                    .ok_or("<S> without d")?,
                r: get(&attrs, "r").and_then(|v| v.parse().ok()).unwrap_or(0),
            }),
            "Representation" => {
                current = Some(Representation {
                    id: get(&attrs, "id").unwrap_or_default().to_string(),
                    content_type: get(&attrs, "mimeType")
                        .and_then(|m| m.split('/').next())
                        .unwrap_or(&content_type)
                        .to_string(),
                    bandwidth: get(&attrs, "bandwidth").and_then(|b| b.parse().ok()),
                    ..Representation::default()
                });
                runs.clear();
            }
            _ => {}
        }
    }
    if reps.is_empty() {
        return Err("no Representation".to_string());
    }
    Ok(reps)
}

fn fill_segments(
    rep: &mut Representation,
    template: &[(String, String)],
    runs: &[TimelineRun],
) -> Result<(), String> {
    let timescale: u64 = get(template, "timescale")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut number: u64 = get(template, "startNumber")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let media = get(template, "media")
        .ok_or_else(|| format!("representation {} has no SegmentTemplate@media", rep.id))?;
    rep.initialization = get(template, "initialization").map(|i| expand(i, &rep.id, 0, 0));
    let mut time = 0u64;
    for run in runs {
        if let Some(t) = run.t {
            time = t;
        }
        for _ in 0..=run.r.max(0) {
            rep.segments.push((
                expand(media, &rep.id, number, time),
                run.d as f64 / timescale.max(1) as f64,
            ));
            number += 1;
            time += run.d;
        }
    }
    Ok(())
}

/// Peak bit rate (bits per second) over segments given as (bytes, seconds):
/// what a channel must carry to deliver every segment within its duration.
pub fn peak_bit_rate(segments: &[(u64, f64)]) -> f64 {
    segments
        .iter()
        .filter(|(_, secs)| *secs > 0.0)
        .map(|(bytes, secs)| *bytes as f64 * 8.0 / secs)
        .fold(0.0, f64::max)
}

/// `text` with the `bandwidth` attribute of each listed representation
/// (by id) replaced; representations not listed keep theirs.
pub fn with_bandwidths(text: &str, bandwidths: &[(String, u64)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<Representation ") {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        out.push_str(&rest[..at]);
        let tag = &rest[at..end];
        let id = get(&tag_attributes(tag), "id").map(str::to_string);
        let new = id
            .and_then(|id| bandwidths.iter().find(|(i, _)| *i == id))
            .map(|(_, bw)| replace_attribute(tag, "bandwidth", &bw.to_string()));
        out.push_str(new.as_deref().unwrap_or(tag));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn replace_attribute(tag: &str, key: &str, value: &str) -> String {
    let needle = format!(" {key}=\"");
    match tag.find(&needle) {
        Some(at) => {
            let start = at + needle.len();
            let len = tag[start..].find('"').unwrap_or(0);
            format!("{}{value}{}", &tag[..start], &tag[start + len..])
        }
        None => format!("{tag} {key}=\"{value}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_templates() {
        assert_eq!(
            expand("chunk-$RepresentationID$-$Number%05d$.m4s", "2", 7, 0),
            "chunk-2-00007.m4s"
        );
        assert_eq!(expand("seg-$Time$.m4s", "v", 1, 9000), "seg-9000.m4s");
    }

    #[test]
    fn reads_representations_and_timelines() {
        let mpd = r#"<?xml version="1.0"?><MPD type="static"><Period>
<AdaptationSet contentType="video"><Representation id="0" mimeType="video/mp4" bandwidth="1000">
<SegmentTemplate timescale="10" initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number%03d$.m4s" startNumber="1">
<SegmentTimeline><S t="0" d="20" r="2" /><S d="5" /></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>"#;
        let reps = parse_mpd(mpd).unwrap();
        assert_eq!(reps.len(), 1);
        assert_eq!(reps[0].content_type, "video");
        assert_eq!(reps[0].initialization.as_deref(), Some("init-0.m4s"));
        assert_eq!(reps[0].segments.len(), 4);
        assert_eq!(reps[0].segments[3], ("c-0-004.m4s".to_string(), 0.5));

        let rewritten = with_bandwidths(mpd, &[("0".to_string(), 2345)]);
        assert_eq!(parse_mpd(&rewritten).unwrap()[0].bandwidth, Some(2345));
        assert_eq!(rewritten.len(), mpd.len());
    }
}
