//! Plots drawn with plotters and the bundled DejaVu Sans font (no system fonts needed):
//! one [`Figure`] goes to a PNG or SVG file, chosen by the extension, or to an SVG string
//! for the HTML report. Per-frame VMAF plots live here too.

use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::Once;

pub(crate) const FONT: &str = "sans-serif";

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // A failure leaves plotters without a font; drawing then reports the error.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// Something plotters can draw on any backend.
pub trait Figure {
    /// Pixel size of the figure.
    fn size(&self) -> (u32, u32);

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Fails unless `path` ends in .png or .svg.
pub fn check_extension(path: &Path) -> Result<()> {
    match extension(path).as_deref() {
        Some("png" | "svg") => Ok(()),
        _ => bail!("{}: a plot must end in .png or .svg", path.display()),
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Draws `figure` into `path`, PNG or SVG by its extension.
pub fn to_file(path: &Path, figure: &impl Figure) -> Result<()> {
    register_font();
    let size = figure.size();
    match extension(path).as_deref() {
        Some("png") => figure.draw(BitMapBackend::new(path, size).into_drawing_area()),
        Some("svg") => figure.draw(SVGBackend::new(path, size).into_drawing_area()),
        _ => bail!("{}: a plot must end in .png or .svg", path.display()),
    }
    .with_context(|| format!("drawing {}", path.display()))
}

/// Draws `figure` as an SVG document.
pub fn to_svg(figure: &impl Figure) -> Result<String> {
    register_font();
    let mut svg = String::new();
    figure.draw(SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area())?;
    Ok(svg)
}

/// One series to draw: per-frame values with a name.
#[derive(Debug)]
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

/// Per-frame `series` (VMAF) with horizontal lines at their mean and 5th percentile.
#[derive(Debug)]
pub struct PerFrame<'a> {
    pub title: &'a str,
    pub series: &'a [Series<'a>],
    pub size: (u32, u32),
}

impl Figure for PerFrame<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_per_frame(area, self.title, self.series)
    }
}

fn draw_per_frame<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    title: &str,
    series: &[Series<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let frames = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let low = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(100.0_f64, f64::min);
    let y_min = (low - 5.0).clamp(0.0, 90.0).floor();
    area.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&area)
        .caption(title, (FONT, 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0..frames, y_min..100.0)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("frame")
        .y_desc("VMAF")
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                lowest_per_bucket(s.values, MAX_POINTS),
                color.stroke_width(2),
            ))
            .map_err(|e| anyhow!("{e}"))?
            .label(s.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        let mean = mean(s.values);
        let p5 = percentile(s.values, 5.0);
        for (value, label, dash) in [(mean, "mean", 0), (p5, "5th pct", 1)] {
            let style = if dash == 0 {
                color.stroke_width(1)
            } else {
                BLACK.mix(0.6).stroke_width(1)
            };
            chart
                .draw_series(LineSeries::new([(0, value), (frames, value)], style))
                .map_err(|e| anyhow!("{e}"))?
                .label(format!("{} {label} {value:.2}", s.name))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        }
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    area.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// Most points one per-frame line draws: a feature film has ~200 000 frames,
/// far more than a plot is wide, and an SVG of them all would be megabytes.
const MAX_POINTS: usize = 2000;

/// (frame, value) to draw for `values`: every frame when they fit in `max`
/// points, else the lowest value of each run of frames, so a dip stays visible.
fn lowest_per_bucket(values: &[f64], max: usize) -> Vec<(usize, f64)> {
    let per = values.len().div_ceil(max.max(1)).max(1);
    values
        .chunks(per)
        .enumerate()
        .map(|(i, run)| {
            let (at, low) = run
                .iter()
                .enumerate()
                .fold(
                    (0, f64::INFINITY),
                    |(a, l), (j, &v)| if v < l { (j, v) } else { (a, l) },
                );
            (i * per + at, low)
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Percentile by linear interpolation between closest ranks.
fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = p / 100.0 * (s.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (rank - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::lowest_per_bucket;

    #[test]
    fn long_series_keep_their_dips_when_thinned() {
        let short = [90.0, 80.0, 95.0];
        assert_eq!(
            lowest_per_bucket(&short, 10),
            vec![(0, 90.0), (1, 80.0), (2, 95.0)]
        );
        let mut long = vec![95.0; 10_000];
        long[4321] = 40.0;
        let thin = lowest_per_bucket(&long, 2000);
        assert_eq!(thin.len(), 2000);
        assert!(thin.contains(&(4321, 40.0)));
    }
}
