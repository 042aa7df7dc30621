#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel validate` on a real encode, and on copies of it broken the ways
//! encoders and packagers break: each fault must be caught by the check meant
//! for it and by no other.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The real clip at 640x360 (keeps scoring quick), with its audio.
fn source() -> &'static Path {
    static SOURCE: OnceLock<PathBuf> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = dir.join("bbb360.mp4");
        ffmpeg(&[
            "-i",
            clip("bigbuckbunny.mp4").to_str().unwrap(),
            "-vf",
            "scale=640:360",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "18",
            "-c:a",
            "copy",
            out.to_str().unwrap(),
        ]);
        out
    })
}

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg {args:?} failed");
}

/// `reel transcode` of the source into `out` with the given rungs and key frame interval.
fn transcode(out: &Path, rungs: &[&str], keyframe_interval: &str) {
    let mut args = vec![
        "transcode",
        source().to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--keyframe-interval",
        keyframe_interval,
        "--max-chunk",
        "2",
        "-q",
    ];
    for r in rungs {
        args.extend(["-r", r]);
    }
    let run = reel(&args);
    assert_eq!(run.code, 0, "transcode failed:\n{}", run.stderr);
}

const RUNGS: [&str; 2] = [
    "320x180:h264:crf=28:preset=veryfast",
    "256x144:h264:crf=30:preset=veryfast",
];

/// The correct encode every broken case starts from.
fn good_job() -> &'static Path {
    static JOB: OnceLock<PathBuf> = OnceLock::new();
    JOB.get_or_init(|| {
        let out = tempfile::tempdir().unwrap().keep().join("job");
        transcode(&out, &RUNGS, "1");
        out
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A private copy of the good job.
fn job_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job");
    copy_dir(good_job(), &job);
    (dir, job)
}

fn read_manifest(job: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(job.join("encode.json")).unwrap()).unwrap()
}

/// Rewrites the sizes and checksums in encode.json from the files, as a
/// buggy encoder would have listed what it wrote; entries whose file is gone
/// are dropped.
fn reseal(job: &Path) {
    let mut m = read_manifest(job);
    let objects = m["objects"].as_array().unwrap().clone();
    let kept: Vec<serde_json::Value> = objects
        .into_iter()
        .filter_map(|mut o| {
            let path = job.join(o["key"].as_str().unwrap());
            let size = std::fs::metadata(&path).ok()?.len();
            o["size"] = size.into();
            o["checksum"] = reel_validate::file_checksum(&path).unwrap().into();
            Some(o)
        })
        .collect();
    m["objects"] = kept.into();
    std::fs::write(
        job.join("encode.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

/// `reel validate JOB --json`: exit code and the manifest it printed.
fn validate(job: &Path) -> (i32, serde_json::Value) {
    let run = reel(&["validate", job.to_str().unwrap(), "--json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "validate could not run ({}):\n{}",
        run.code,
        run.stderr
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(job.join("validate.json")).unwrap()).unwrap();
    assert_eq!(written, run.json(), "validate.json differs from --json");
    (run.code, run.json())
}

/// `check@subject` of every check with the given status.
fn with_status(m: &serde_json::Value, status: &str) -> BTreeSet<String> {
    m["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| {
            format!(
                "{}@{}",
                c["check"].as_str().unwrap(),
                c["subject"].as_str().unwrap()
            )
        })
        .collect()
}

fn evidence<'a>(m: &'a serde_json::Value, check: &str, subject: &str) -> &'a str {
    m["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check && c["subject"] == subject)
        .unwrap_or_else(|| panic!("no {check}@{subject}"))["evidence"]
        .as_str()
        .unwrap()
}

/// Validates and asserts exactly `expected` failed.
fn assert_fails(job: &Path, expected: &[&str]) -> serde_json::Value {
    let (code, m) = validate(job);
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(with_status(&m, "fail"), want, "failed checks:\n{m:#}");
    assert_eq!(code, 1);
    assert!(with_status(&m, "warn").is_empty(), "{m:#}");
    m
}

/// Re-encodes `rendition` through an ffmpeg filter with the job's settings
/// and key frames at the job's times, replacing it.
fn reencode_with_filter(job: &Path, rendition: &str, filter: &str) {
    reencode(job, rendition, filter, &[]);
}

/// [`reencode_with_filter`] with extra output options.
fn reencode(job: &Path, rendition: &str, filter: &str, extra: &[&str]) {
    reencode_from(job, &job.join(rendition), rendition, filter, extra);
}

/// Encodes `input` as `rendition` with the job's settings and key frame times.
fn reencode_from(job: &Path, input: &Path, rendition: &str, filter: &str, extra: &[&str]) {
    let keyframes: Vec<String> = read_manifest(job)["renditions"][0]["keyframes_s"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap().to_string())
        .collect();
    let keyframes = keyframes.join(",");
    let path = job.join(rendition);
    let tmp = job.join("tmp.mp4");
    ffmpeg(
        &[
            "-i",
            input.to_str().unwrap(),
            "-vf",
            filter,
            "-r",
            "25",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "28",
            "-force_key_frames",
            &keyframes,
            "-x264-params",
            "keyint=250:scenecut=0",
            "-an",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .chain([tmp.to_str().unwrap()])
        .collect::<Vec<_>>(),
    );
    std::fs::rename(tmp, path).unwrap();
    reseal(job);
}

#[test]
fn a_correct_encode_passes_every_check_with_no_warning() {
    let (_dir, job) = job_copy();
    let (code, m) = validate(&job);
    assert_eq!(code, 0, "{m:#}");
    assert_eq!(m["passed"], true);
    for status in ["fail", "warn", "skip"] {
        assert!(with_status(&m, status).is_empty(), "{status}: {m:#}");
    }
    let names: BTreeSet<&str> = m["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    for check in [
        "integrity.objects",
        "decode.clean",
        "frames.sequence",
        "recipe.profile_level",
        "gop.aligned",
        "gop.closed",
        "audio.duration",
        "hls.bandwidth",
        "hls.segment_start",
        "dash.segments",
        "quality.vmaf",
        "quality.black_frozen",
    ] {
        assert!(names.contains(check), "{check} did not run");
    }
    let quality = m["quality"].as_array().unwrap();
    assert_eq!(quality.len(), 2);
    // 180p upscaled to 360p scores above 144p upscaled to 360p.
    assert!(quality[0]["vmaf_mean"].as_f64().unwrap() > quality[1]["vmaf_mean"].as_f64().unwrap());
}

#[test]
fn a_dropped_frame_is_found_where_it_happened() {
    let (_dir, job) = job_copy();
    reencode_with_filter(
        &job,
        "renditions/180p-h264.mp4",
        "select='not(eq(n\\,30))',setpts=N/25/TB",
    );
    let m = assert_fails(
        &job,
        &["frames.count@180p-h264", "frames.sequence@180p-h264"],
    );
    assert_eq!(
        evidence(&m, "frames.sequence", "180p-h264"),
        "source frames dropped: 30"
    );
}

#[test]
fn a_duplicated_frame_is_found_where_it_happened() {
    let (_dir, job) = job_copy();
    reencode_with_filter(
        &job,
        "renditions/180p-h264.mp4",
        "loop=loop=1:size=1:start=40,setpts=N/25/TB",
    );
    let m = assert_fails(
        &job,
        &["frames.count@180p-h264", "frames.sequence@180p-h264"],
    );
    assert_eq!(
        evidence(&m, "frames.sequence", "180p-h264"),
        "output frames repeating the one before: 40"
    );
}

#[test]
fn a_truncated_rendition_fails_decoding_and_frame_checks() {
    let (_dir, job) = job_copy();
    let path = job.join("renditions/144p-h264.mp4");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() * 6 / 10]).unwrap();
    reseal(&job);
    assert_fails(
        &job,
        &[
            "decode.clean@144p-h264",
            "frames.count@144p-h264",
            "frames.duration@144p-h264",
            "frames.sequence@144p-h264",
        ],
    );
}

#[test]
fn a_rendition_with_another_keyframe_cadence_fails_the_gop_checks() {
    let (dir, job) = job_copy();
    let other = dir.path().join("cadence2");
    transcode(&other, &RUNGS[..1], "2");
    std::fs::copy(
        other.join("renditions/180p-h264.mp4"),
        job.join("renditions/180p-h264.mp4"),
    )
    .unwrap();
    reseal(&job);
    let m = assert_fails(&job, &["gop.aligned@180p-h264", "gop.interval@180p-h264"]);
    let found = evidence(&m, "gop.aligned", "180p-h264");
    assert!(found.starts_with("no key frame at 1.000, "), "{found}");
}

#[test]
fn a_rendition_of_the_wrong_size_fails_the_resolution_check() {
    let (dir, job) = job_copy();
    let other = dir.path().join("size");
    transcode(
        &other,
        &["288x162:h264:crf=28:preset=veryfast:name=180p-h264"],
        "1",
    );
    std::fs::copy(
        other.join("renditions/180p-h264.mp4"),
        job.join("renditions/180p-h264.mp4"),
    )
    .unwrap();
    reseal(&job);
    let m = assert_fails(&job, &["recipe.resolution@180p-h264"]);
    assert_eq!(
        evidence(&m, "recipe.resolution", "180p-h264"),
        "288x162, recipe 320x180"
    );
}

#[test]
fn a_missing_segment_fails_the_playlist_check() {
    let (_dir, job) = job_copy();
    std::fs::remove_file(job.join("hls/180p-h264/seg_00002.m4s")).unwrap();
    reseal(&job);
    let m = assert_fails(&job, &["hls.segments@hls/180p-h264"]);
    assert_eq!(
        evidence(&m, "hls.segments", "hls/180p-h264"),
        "missing: seg_00002.m4s"
    );
    // The bit rate of an incomplete playlist cannot be measured.
    assert!(with_status(&m, "skip").contains("hls.bandwidth@hls/180p-h264"));
}

#[test]
fn an_audio_track_cut_short_fails_the_duration_check() {
    let (_dir, job) = job_copy();
    let path = job.join("audio/main.mp4");
    let tmp = job.join("audio/cut.mp4");
    ffmpeg(&[
        "-i",
        path.to_str().unwrap(),
        "-t",
        "3",
        "-c",
        "copy",
        tmp.to_str().unwrap(),
    ]);
    std::fs::rename(tmp, path).unwrap();
    reseal(&job);
    assert_fails(&job, &["audio.duration@audio"]);
}

#[test]
fn a_bit_rate_far_above_its_declared_bandwidth_fails() {
    let (_dir, job) = job_copy();
    let path = job.join("hls/master.m3u8");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("#EXT-X-STREAM-INF") && text.contains(l) && l.contains("320x180"))
        .unwrap();
    let declared: u64 = line
        .split("BANDWIDTH=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let lowered = line.replacen(
        &format!("BANDWIDTH={declared}"),
        &format!("BANDWIDTH={}", declared / 3),
        1,
    );
    std::fs::write(&path, text.replace(line, &lowered)).unwrap();
    reseal(&job);
    assert_fails(&job, &["hls.bandwidth@hls/180p-h264"]);
}

#[test]
fn a_corrupted_byte_in_a_chunk_fails_the_integrity_check() {
    let (_dir, job) = job_copy();
    let path = job.join("chunks/180p-h264/00001.mp4");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&path, bytes).unwrap();
    let m = assert_fails(&job, &["integrity.objects@title"]);
    assert!(evidence(&m, "integrity.objects", "title")
        .contains("chunks/180p-h264/00001.mp4 has checksum"));
}

#[test]
fn a_job_without_encode_json_or_source_cannot_be_validated() {
    let dir = tempfile::tempdir().unwrap();
    let run = reel(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("encode.json"), "{}", run.stderr);

    let (_d, job) = job_copy();
    let run = reel(&[
        "validate",
        job.to_str().unwrap(),
        "--source",
        "/no/such/source.mp4",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/no/such/source.mp4"), "{}", run.stderr);
    assert!(!job.join("validate.json").exists());
}

#[test]
fn an_encode_in_s3_validates_like_a_local_one() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let env = as_refs(&env);
    let out = server.url("jobs/v");
    let mut args = vec![
        "transcode",
        source().to_str().unwrap(),
        "--output",
        &out,
        "--keyframe-interval",
        "1",
        "-q",
    ];
    for r in RUNGS {
        args.extend(["-r", r]);
    }
    let run = reel_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = reel_env(&["validate", &out, "--json", "--no-vmaf"], &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let m = run.json();
    assert!(with_status(&m, "fail").is_empty(), "{m:#}");
    assert!(server.object_path("jobs/v/validate.json").is_file());

    // A segment lost from the bucket is found the same way.
    std::fs::remove_file(server.object_path("jobs/v/hls/144p-h264/seg_00001.m4s")).unwrap();
    let run = reel_env(&["validate", &out, "--json", "--no-vmaf"], &env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let failed = with_status(&run.json(), "fail");
    assert_eq!(
        failed,
        ["hls.segments@hls/144p-h264", "integrity.objects@title"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

#[test]
fn black_and_frozen_spans_the_source_lacks_are_caught() {
    let (_dir, job) = job_copy();
    reencode_with_filter(
        &job,
        "renditions/180p-h264.mp4",
        "drawbox=c=black:t=fill:enable='between(n,40,49)',setpts=N/25/TB",
    );
    let m = assert_fails(&job, &["quality.black_frozen@180p-h264"]);
    assert_eq!(
        evidence(&m, "quality.black_frozen", "180p-h264"),
        "black where the source is not: frames 40-49"
    );

    let (_dir, job) = job_copy();
    reencode_with_filter(
        &job,
        "renditions/144p-h264.mp4",
        "split[a][b];[a][b]freezeframes=first=30:last=44:replace=30,setpts=N/25/TB",
    );
    // A freeze keeps the frame count and timing: only the span is wrong.
    let m = assert_fails(&job, &["quality.black_frozen@144p-h264"]);
    // Frames 31-44 repeat frame 30; the re-encode's key frame at 44 may
    // differ from the repeats by more than the stillness threshold.
    let found = evidence(&m, "quality.black_frozen", "144p-h264");
    assert!(
        found == "frozen where the source moves: frames 31-44"
            || found == "frozen where the source moves: frames 31-43",
        "{found}"
    );
}

#[test]
fn vmaf_is_held_to_the_floor_and_the_ladders_prediction() {
    let (_dir, job) = job_copy();
    let (_, m) = validate(&job);
    let measured: Vec<f64> = m["quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["vmaf_mean"].as_f64().unwrap())
        .collect();

    // A floor between the two rungs' scores fails the lower rung only.
    let floor = format!("{:.2}", (measured[0] + measured[1]) / 2.0);
    let run = reel(&[
        "validate",
        job.to_str().unwrap(),
        "--json",
        "--min-vmaf",
        &floor,
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        with_status(&run.json(), "fail"),
        BTreeSet::from(["quality.vmaf@144p-h264".to_string()])
    );

    // A floor in the recipe applies to its rung alone.
    let (_d2, floored) = job_copy();
    let mut manifest = read_manifest(&floored);
    manifest["renditions"][1]["recipe"]["min_vmaf"] = (measured[1] + 1.0).into();
    std::fs::write(
        floored.join("encode.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    assert_fails(&floored, &["quality.vmaf@144p-h264"]);

    // ladder.json beside encode.json: 180p predicted 5 points too high, 144p within 1.
    let ladder = serde_json::json!({
        "schema_version": 1,
        "producer": {"name": "reel-ladder", "version": "test"},
        "created": "2026-11-28T00:00:00Z",
        "inputs": [],
        "codec": "h264",
        "display": {"width": 640, "height": 360},
        "model": "vmaf_v0.6.1",
        "target_vmaf": 95.0,
        "segments": [],
        "trials": [],
        "hull": [],
        "crossovers": [],
        "rungs": [],
        "predictions": [
            {"name": "180p-h264", "kbps": 100.0, "vmaf": measured[0] + 5.0},
            {"name": "144p-h264", "kbps": 60.0, "vmaf": measured[1] - 1.0},
        ],
        "warnings": [],
        "cost": {"trial_encode_cpu_s": 0.0, "scoring_cpu_s": 0.0, "wall_s": 0.0},
    });
    std::fs::write(
        job.join("ladder.json"),
        serde_json::to_vec(&ladder).unwrap(),
    )
    .unwrap();
    let m = assert_fails(&job, &["quality.prediction@180p-h264"]);
    assert!(with_status(&m, "pass").contains("quality.prediction@144p-h264"));
}

#[test]
fn hdr10_renditions_pass_and_one_that_lost_its_hdr_metadata_fails() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("hdr10.mp4");
    let mut args = reel_testkit::hdr10_hevc_args("384x216");
    args.push(src.to_str().unwrap().to_string());
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let job = dir.path().join("job");
    let run = reel(&[
        "transcode",
        src.to_str().unwrap(),
        "--output",
        job.to_str().unwrap(),
        "-r",
        "192x108:hevc:crf=28:preset=ultrafast:10bit:name=hevc",
        "-r",
        "192x108:h264:crf=28:preset=veryfast:10bit:name=h264",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (code, m) = validate(&job);
    assert_eq!(code, 0, "{m:#}");
    assert!(evidence(&m, "recipe.hdr", "h264").contains("MaxCLL 1000 MaxFALL 400 as the source"));

    // An 8-bit BT.709 re-encode in place of the 10-bit HDR10 rung, through
    // Y4M so no HDR side data survives.
    let y4m = dir.path().join("plain.y4m");
    ffmpeg(&[
        "-i",
        job.join("renditions/h264.mp4").to_str().unwrap(),
        "-pix_fmt",
        "yuv420p",
        y4m.to_str().unwrap(),
    ]);
    reencode_from(
        &job,
        &y4m,
        "renditions/h264.mp4",
        "setpts=N/25/TB",
        &[
            "-pix_fmt",
            "yuv420p",
            "-color_primaries",
            "bt709",
            "-color_trc",
            "bt709",
            "-colorspace",
            "bt709",
        ],
    );
    let m = assert_fails(
        &job,
        &[
            "recipe.colour@h264",
            "recipe.hdr@h264",
            "recipe.pixel_format@h264",
            "recipe.profile_level@h264",
        ],
    );
    assert_eq!(
        evidence(&m, "recipe.colour", "h264"),
        "primaries bt709, source bt2020; transfer bt709, source smpte2084; matrix bt709, source bt2020nc"
    );
}

#[test]
fn libaom_and_vp9_rungs_of_another_aspect_keep_the_plan_and_the_picture_shape() {
    // bikes is 640x272: a 256x144 rung needs a non-square SAR, which AV1
    // and VP9 bitstreams cannot carry (only the container does); libaom's
    // key frames must land on the plan like every other encoder's.
    let dir = tempfile::tempdir().unwrap();
    // 48 frames at bikes' 24.06 fps: two 1 s GOPs, whose key frame at
    // 0.9976 s the packager once skipped.
    let src = dir.path().join("bikes48.mp4");
    ffmpeg(&[
        "-i",
        clip("bikes.mp4").to_str().unwrap(),
        "-frames:v",
        "48",
        "-c:v",
        "libx264",
        "-crf",
        "18",
        "-an",
        src.to_str().unwrap(),
    ]);
    let job = dir.path().join("job");
    let run = reel(&[
        "transcode",
        src.to_str().unwrap(),
        "--output",
        job.to_str().unwrap(),
        "--keyframe-interval",
        "1",
        "-r",
        "256x144:av1:crf=40:encoder=libaom-av1:preset=8:name=aom",
        "-r",
        "256x144:vp9:crf=40:preset=8:name=vp9",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = reel(&["validate", job.to_str().unwrap(), "--no-vmaf", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let m = run.json();
    for rung in ["aom", "vp9"] {
        assert!(
            evidence(&m, "recipe.aspect", rung).starts_with("DAR 2.3529"),
            "{m:#}"
        );
        assert!(
            evidence(&m, "gop.aligned", rung).ends_with("at the planned times of every rendition")
        );
    }
}
