//! Inputs that are not (whole) media: clear errors naming the input, and
//! damaged media decoding on with issues reported, never a panic.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{audio_only_clip, clip, decode_all, generated, scratch};
use reel_media::{AudioDecoder, DecodeEvent, DecoderOptions, Error, MediaSource, VideoDecoder};

#[test]
fn missing_file_is_an_open_error_naming_it() {
    let path = "/nonexistent/reel/missing.mp4";
    let err = MediaSource::open(path).unwrap_err();
    assert!(matches!(err, Error::Open { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot open {path}: No such file or directory")
    );
    assert_eq!(err.input(), Some(path));
    let err = VideoDecoder::open(path, &DecoderOptions::default()).unwrap_err();
    assert!(err.to_string().contains(path));
}

#[test]
fn text_file_named_mp4_is_not_media() {
    let path = scratch("notes.mp4");
    std::fs::write(&path, "these are notes, not a video\n".repeat(50)).unwrap();
    let path = path.to_string_lossy().into_owned();
    let err = MediaSource::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotMedia { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{path}: not a media file")),
        "{err}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn text_file_named_txt_is_not_media() {
    let path = scratch("notes.txt");
    std::fs::write(&path, "plain text\n".repeat(20)).unwrap();
    let path = path.to_string_lossy().into_owned();
    let err = MediaSource::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotMedia { .. }), "{err:?}");
    assert!(err.to_string().contains(&path));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn text_that_ffmpeg_reads_as_ansi_art_is_not_media() {
    // libavformat's "tty" demuxer takes any text named .ans as a video.
    let path = scratch("notes.ans");
    std::fs::write(&path, "plain text\n".repeat(20)).unwrap();
    let path = path.to_string_lossy().into_owned();
    let err = MediaSource::open(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, Error::NotMedia { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{path}: not a media file")),
        "{err}"
    );
}

#[test]
fn empty_file_is_reported_as_empty() {
    let path = scratch("empty.mp4");
    std::fs::write(&path, b"").unwrap();
    let path = path.to_string_lossy().into_owned();
    let err = MediaSource::open(&path).unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("{path}: empty file"));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn audio_only_file_has_no_video_stream() {
    let path = audio_only_clip();
    let source = MediaSource::open(&path).unwrap();
    assert!(source.info().video.is_none());
    let err = VideoDecoder::open(&path, &DecoderOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NoVideoStream { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("{path}: no video stream"));
}

#[test]
fn asking_for_a_stream_of_the_wrong_kind_fails() {
    let input = clip("bigbuckbunny.mp4");
    let audio_index = MediaSource::open(&input)
        .unwrap()
        .info()
        .streams
        .iter()
        .position(|s| s.audio.is_some())
        .unwrap();
    let opts = DecoderOptions {
        stream: Some(audio_index),
        ..Default::default()
    };
    let err = VideoDecoder::open(&input, &opts).unwrap_err();
    assert!(matches!(err, Error::WrongStream { .. }), "{err:?}");
    let opts = DecoderOptions {
        stream: Some(9),
        ..Default::default()
    };
    assert!(VideoDecoder::open(&input, &opts).is_err());
    let err = AudioDecoder::open(&clip("bikes.mp4"), None).unwrap_err();
    assert!(matches!(err, Error::NoAudioStream { .. }), "{err:?}");
}

#[test]
fn invalid_names_are_rejected() {
    assert!(matches!(
        MediaSource::open(""),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        MediaSource::open("a\0b.mp4"),
        Err(Error::InvalidInput { .. })
    ));
}

/// Offset and size of the first top-level box of `kind`.
fn find_box(data: &[u8], kind: &[u8; 4]) -> Option<(usize, usize)> {
    let mut at = 0;
    while at + 8 <= data.len() {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        if &data[at + 4..at + 8] == kind {
            return Some((at, size));
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    None
}

#[test]
fn corrupt_packets_are_reported_and_decoding_continues() {
    let source = std::fs::read(clip("bigbuckbunny.mp4")).unwrap();
    let mut data = source.clone();
    let (mdat, size) = find_box(&data, b"mdat").unwrap();
    // Garbage over a few spans in the middle of the media data.
    let mut seed = 0x1234_5678u32;
    for fraction in [0.35, 0.5, 0.65] {
        let start = mdat + (size as f64 * fraction) as usize;
        for b in &mut data[start..start + 3000] {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *b = (seed >> 24) as u8;
        }
    }
    let path = scratch("bbb-corrupt.mp4");
    std::fs::write(&path, &data).unwrap();
    let path = path.to_string_lossy().into_owned();

    let mut frames = 0;
    let mut issues = Vec::new();
    for event in VideoDecoder::open(&path, &DecoderOptions::default()).unwrap() {
        match event.unwrap() {
            DecodeEvent::Frame(f) => {
                assert_eq!(f.index.0, frames);
                frames += 1;
            }
            DecodeEvent::Error(issue) => issues.push(issue),
        }
    }
    std::fs::remove_file(&path).unwrap();
    assert!(frames > 100, "only {frames} frames");
    assert!(!issues.is_empty(), "no issue reported");
    assert!(issues
        .iter()
        .all(|i| !i.message.is_empty() && i.packet < 132));
}

#[test]
fn truncated_file_with_its_index_at_the_end_is_reported_as_truncated() {
    let data = std::fs::read(clip("bigbuckbunny.mp4")).unwrap();
    let path = scratch("bbb-cut-before-moov.mp4");
    std::fs::write(&path, &data[..data.len() / 2]).unwrap();
    let path = path.to_string_lossy().into_owned();
    let err = MediaSource::open(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, Error::Truncated { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{path}: truncated or incomplete MP4/MOV file")),
        "{err}"
    );
}

#[test]
fn truncated_file_decodes_up_to_the_cut() {
    // The clips keep their index at the end; a faststart copy has it first,
    // so a truncated copy still opens.
    let faststart = generated(
        "bbb-faststart.mp4",
        &[
            "-i",
            &clip("bigbuckbunny.mp4"),
            "-map",
            "0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
        ],
    );
    let data = std::fs::read(&faststart).unwrap();
    let path = scratch("bbb-truncated.mp4");
    std::fs::write(&path, &data[..data.len() * 6 / 10]).unwrap();
    let path = path.to_string_lossy().into_owned();
    let (frames, _issues) = decode_all(&path, &DecoderOptions::default());
    assert!(
        frames.len() > 20 && frames.len() < 132,
        "{} frames",
        frames.len()
    );
    assert!(frames
        .iter()
        .enumerate()
        .all(|(i, f)| f.index.0 == i as u64));

    // Cut inside the file type box: an error naming the file, not a panic.
    std::fs::write(&path, &data[..20]).unwrap();
    let err = MediaSource::open(&path).unwrap_err();
    assert!(err.to_string().contains(&path), "{err}");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn every_truncation_of_a_small_clip_errors_or_decodes_without_panic() {
    let faststart = generated(
        "carphone-distorted-faststart.mp4",
        &[
            "-i",
            &clip("carphone_distorted.mp4"),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
        ],
    );
    let data = std::fs::read(&faststart).unwrap();
    let path = scratch("carphone-cut.mp4");
    let path_str = path.to_string_lossy().into_owned();
    let mut decoded_some = 0;
    for cut in (0..data.len()).step_by(97) {
        std::fs::write(&path, &data[..cut]).unwrap();
        match VideoDecoder::open(&path_str, &DecoderOptions::default()) {
            Ok(decoder) => {
                let mut n = 0;
                for event in decoder {
                    match event {
                        Ok(DecodeEvent::Frame(_)) => n += 1,
                        Ok(DecodeEvent::Error(_)) => {}
                        Err(e) => assert!(e.to_string().contains(&path_str)),
                    }
                }
                decoded_some += (n > 0) as u32;
            }
            Err(e) => assert!(e.to_string().contains(&path_str), "{e}"),
        }
    }
    std::fs::remove_file(&path).unwrap();
    assert!(decoded_some > 0);
}
