//! The ladder's rate-quality figure: bit rate (log scale) against VMAF: the trial
//! encodes by resolution, the upper convex hull, the chosen rungs as predicted, and
//! Apple's static ladder placed on the fitted curves.

use crate::plot::{Figure, FONT};
use anyhow::{anyhow, bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use reel_core::manifest::{LadderManifest, StaticReferencePoint};
use reel_core::Resolution;

/// The rate-quality figure of a ladder.
#[derive(Debug)]
pub struct RateQuality<'a>(pub &'a LadderManifest);

impl Figure for RateQuality<'_> {
    fn size(&self) -> (u32, u32) {
        (1280, 800)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(area, self.0)
    }
}

fn draw<DB: DrawingBackend>(area: DrawingArea<DB, Shift>, ladder: &LadderManifest) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e}");
    let fixed = &ladder.static_reference;
    let rates = ladder
        .trials
        .iter()
        .map(|t| t.kbps)
        .chain(ladder.predictions.iter().map(|p| p.kbps))
        .chain(fixed.iter().map(|p| p.kbps));
    let (lo, hi) = rates.fold((f64::MAX, 0f64), |(l, h), r| (l.min(r), h.max(r)));
    if hi <= 0.0 {
        bail!("the ladder has no points to plot");
    }
    let low_vmaf = ladder
        .trials
        .iter()
        .map(|t| t.vmaf)
        .fold(100.0, f64::min)
        .clamp(0.0, 90.0);
    area.fill(&WHITE).map_err(e)?;
    let title = format!(
        "{} ladder: bit rate vs VMAF at {}",
        ladder.codec, ladder.display
    );
    let mut chart = ChartBuilder::on(&area)
        .caption(title, (FONT, 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(
            (lo * 0.8..hi * 1.25).log_scale(),
            (low_vmaf - 5.0).max(0.0)..100.0,
        )
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("kb/s")
        .y_desc("VMAF")
        .x_labels(8)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 14))
        .draw()
        .map_err(e)?;

    let mut resolutions: Vec<Resolution> = ladder.trials.iter().map(|t| t.resolution).collect();
    resolutions.dedup();
    for (i, res) in resolutions.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let mut points: Vec<(f64, f64)> = ladder
            .trials
            .iter()
            .filter(|t| t.resolution == *res)
            .map(|t| (t.kbps, t.vmaf))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(1),
            ))
            .map_err(e)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(e)?
            .label(format!("trials {res}"))
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
    }
    chart
        .draw_series(LineSeries::new(
            ladder.hull.iter().map(|p| (p.kbps, p.vmaf)),
            BLACK.stroke_width(2),
        ))
        .map_err(e)?
        .label("convex hull")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    let rungs: Vec<(f64, f64)> = ladder
        .predictions
        .iter()
        .filter_map(|p| p.vmaf.map(|v| (p.kbps, v)))
        .collect();
    chart
        .draw_series(
            rungs
                .iter()
                .map(|&p| TriangleMarker::new(p, 9, RED.filled())),
        )
        .map_err(e)?
        .label("chosen rungs (refined)")
        .legend(|(x, y)| TriangleMarker::new((x + 10, y), 7, RED.filled()));
    if !fixed.is_empty() {
        let grey = BLACK.mix(0.5);
        chart
            .draw_series(
                fixed
                    .iter()
                    .map(|p| Rectangle::new(square(p, 0.03, 0.6), grey.filled())),
            )
            .map_err(e)?
            .label("Apple static ladder (on the fitted curves)")
            .legend(move |(x, y)| Rectangle::new([(x + 6, y - 4), (x + 14, y + 4)], grey.filled()));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(e)?;
    area.present().map_err(e)?;
    Ok(())
}

/// Corners of a small square around `p`: `dx` relative in rate, `dy` in VMAF.
fn square(p: &StaticReferencePoint, dx: f64, dy: f64) -> [(f64, f64); 2] {
    [
        (p.kbps * (1.0 - dx), p.vmaf - dy),
        (p.kbps * (1.0 + dx), p.vmaf + dy),
    ]
}
