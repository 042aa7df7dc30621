//! Assembling the `inspect.json` report from the probe and the analysis.

use crate::aggregate::Analysis;
use crate::analysis::spans::Span;
use reel_core::manifest::rfc3339;
use reel_core::manifest::{
    BlackSegment, ContainerInfo, Cut, DecodeErrors, FieldOrder, FrozenSegment, InputRef,
    InspectReport, Interlacing, ManifestHeader, Producer, VideoInfo, INSPECT_SCHEMA_VERSION,
};
use reel_core::Rational;
use reel_media::{SourceInfo, VideoParams};
use std::time::SystemTime;

/// The manifest header: schema, producer, creation time, the one input.
pub(crate) fn header(input: &str, size: Option<u64>) -> ManifestHeader {
    ManifestHeader {
        schema_version: INSPECT_SCHEMA_VERSION,
        job_id: None,
        producer: Producer::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        created: rfc3339(SystemTime::now()),
        inputs: vec![InputRef {
            url: input.to_string(),
            size: size.unwrap_or(0),
            checksum: None,
        }],
    }
}

fn container(info: &SourceInfo) -> ContainerInfo {
    ContainerInfo {
        format: info.format.clone(),
        format_long_name: info.format_long_name.clone(),
        duration_s: info.duration_s,
        size_bytes: info.size_bytes.unwrap_or(0),
        bit_rate: info.bit_rate,
        start_time_s: info.start_time_s,
    }
}

/// The report of a source without video: container and streams only.
pub(crate) fn without_video(header: ManifestHeader, info: &SourceInfo) -> InspectReport {
    InspectReport {
        header,
        format: info.format.clone(),
        duration_s: info.duration_s,
        container: container(info),
        streams: info.streams.clone(),
        video: None,
        shots: Vec::new(),
        cuts: Vec::new(),
        cut_times: Vec::new(),
        black: Vec::new(),
        frozen: Vec::new(),
        crop: None,
        decode_errors: DecodeErrors::default(),
    }
}

/// The full report once the video was decoded and analysed.
pub(crate) fn with_video(
    header: ManifestHeader,
    info: &SourceInfo,
    video: &VideoParams,
    a: Analysis,
    decode_errors: DecodeErrors,
) -> InspectReport {
    let mut report = without_video(header, info);
    if report.duration_s <= 0.0 {
        report.duration_s = a.end_s;
    }
    report.video = Some(video_info(video, &a));
    report.cuts = a.cuts.iter().map(|&(f, _)| f).collect();
    report.cut_times = a
        .cuts
        .iter()
        .map(|&(frame, time_s)| Cut { frame, time_s })
        .collect();
    report.black = a.black.iter().map(|s| black(*s)).collect();
    report.frozen = a.frozen.iter().map(|s| frozen(*s)).collect();
    report.crop = a.crop;
    report.shots = a.shots;
    report.decode_errors = decode_errors;
    report
}

fn black(s: Span) -> BlackSegment {
    BlackSegment {
        start_frame: s.start_frame,
        end_frame: s.end_frame,
        start_s: s.start_s,
        duration_s: s.duration_s,
    }
}

fn frozen(s: Span) -> FrozenSegment {
    FrozenSegment {
        start_frame: s.start_frame,
        end_frame: s.end_frame,
        start_s: s.start_s,
        duration_s: s.duration_s,
    }
}

fn video_info(v: &VideoParams, a: &Analysis) -> VideoInfo {
    let res = a.resolution.unwrap_or(v.resolution);
    let sar = if v.sar.num > 0 {
        v.sar
    } else {
        Rational::new(1, 1)
    };
    let dar = Rational::new(
        i64::from(res.width) * sar.num,
        i64::from(res.height) * sar.den,
    );
    let layout = v.layout.unwrap_or_else(|| v.output_layout());
    let declared_interlaced = matches!(v.field_order, FieldOrder::Tff | FieldOrder::Bff);
    let flagged_majority = a.frames > 0 && a.flagged_interlaced * 2 >= a.frames;
    let interlacing = Interlacing {
        field_order: v.field_order,
        flagged_frames: a.flagged_interlaced,
        combed_frames: a.combed_frames,
        detected: declared_interlaced || flagged_majority || a.looks_interlaced,
    };
    VideoInfo {
        stream_index: v.stream_index,
        codec: v.codec.clone(),
        profile: v.profile.clone(),
        level: v.level,
        width: res.width,
        height: res.height,
        sar,
        dar,
        pix_fmt: v.pix_fmt.clone(),
        bit_depth: v.bit_depth,
        chroma_subsampling: layout.chroma.as_str().to_string(),
        frame_rate: frame_rate(v, a),
        avg_frame_rate: v.avg_frame_rate,
        r_frame_rate: v.r_frame_rate,
        frame_count: a.frames,
        vfr: a.timing.vfr,
        min_frame_duration_s: a.timing.min_duration_s,
        max_frame_duration_s: a.timing.max_duration_s,
        interlaced: interlacing.detected,
        interlacing,
        color: v.color.clone(),
        hdr: v.hdr.clone(),
        rotation: v.rotation,
        bit_rate: v.bit_rate,
    }
}

/// The average rate: the declared one when the measured rate confirms it
/// (it is exact, e.g. 30000/1001), else the measured one.
fn frame_rate(v: &VideoParams, a: &Analysis) -> Rational {
    let declared = v.frame_rate();
    match (declared, a.timing.measured_rate) {
        (Some(d), Some(m)) if (m.as_f64() / d.as_f64() - 1.0).abs() < 0.01 => d,
        (_, Some(m)) => m,
        (Some(d), None) => d,
        (None, None) => Rational::new(0, 1),
    }
}
