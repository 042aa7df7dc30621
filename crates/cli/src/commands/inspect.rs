//! `reel inspect SOURCE [--output URL] [--json]`.

use crate::args::{GlobalArgs, InspectArgs};
use crate::{progress, sources, summary};
use anyhow::{Context, Result};
use reel_core::manifest::InputRef;
use reel_inspect::{InspectOptions, Progress};
use std::process::ExitCode;

pub fn run(args: &InspectArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let source = sources::resolve(&args.source, global)?;
    let meter = progress::meter(global.quiet, "inspect");
    meter.step("decoded", "frames", 0);
    let mut on_progress = |p: Progress| {
        if let Some(total) = p.frames_total_estimate {
            meter.set_total(total.max(p.frames_done));
        }
        meter.set_done(p.frames_done, p.frames_done);
    };
    let mut report = reel_inspect::inspect(
        &source.media_input,
        &InspectOptions::default(),
        &mut on_progress,
    )
    .with_context(|| format!("inspecting {}", source.original))?;
    meter.finish();
    if report.video.is_none() {
        // Every later stage needs pictures: an audio-only source is an input error.
        anyhow::bail!("{}: no video stream (audio-only source)", source.original);
    }
    if let Some(why) = reel_inspect::truncation::detect(&report) {
        anyhow::bail!("{}: {why}", source.original);
    }

    // Record the source as the user named it, not the presigned URL we opened.
    report.header.inputs = vec![InputRef {
        url: source.original.clone(),
        size: source.size.unwrap_or(report.container.size_bytes),
        checksum: None,
    }];
    let json = serde_json::to_string_pretty(&report).context("serialising inspect.json")?;

    if let Some(output) = &args.output {
        let written = sources::write_object(output, "inspect.json", json.as_bytes(), global)
            .with_context(|| format!("writing inspect.json to {output}"))?;
        if !args.json && !global.quiet {
            eprintln!("wrote {written}");
        }
    }
    if args.json {
        println!("{json}");
    } else if !(global.quiet && args.output.is_some()) {
        print!("{}", summary::inspect(&report));
    }
    Ok(ExitCode::SUCCESS)
}
