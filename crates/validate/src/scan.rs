//! Reading a file once for everything the checks need: its container facts,
//! its video packets (timestamps, key flags, sizes) and its decoded frames
//! (timestamps and signatures), with every problem met on the way.

use crate::signature::Signature;
use reel_media::{DecodeEvent, DecoderOptions, MediaSource, PacketReader, SourceInfo};

/// Frames decoded ahead of the scanner.
const FRAMES_IN_FLIGHT: usize = 4;

/// One decoded frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScannedFrame {
    pub time_s: Option<f64>,
    pub key: bool,
    pub signature: Signature,
}

/// One video packet, in decoding order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScannedPacket {
    pub pts_s: Option<f64>,
    pub key: bool,
    pub size: usize,
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct FileScan {
    pub info: Option<SourceInfo>,
    pub packets: Vec<ScannedPacket>,
    pub frames: Vec<ScannedFrame>,
    /// Demuxing and decoding problems, in the order met.
    pub problems: Vec<String>,
}

impl FileScan {
    /// Frame duration from the stream's frame rate, when known.
    pub fn frame_duration(&self) -> Option<f64> {
        let rate = self.info.as_ref()?.video.as_ref()?.frame_rate()?;
        let r = rate.as_f64();
        (r > 0.0).then(|| 1.0 / r)
    }

    /// Presentation span of the decoded frames: last time + one frame - first time.
    pub fn duration_s(&self) -> Option<f64> {
        let first = self.frames.first()?.time_s?;
        let last = self.frames.last()?.time_s?;
        Some(last - first + self.frame_duration().unwrap_or(0.0))
    }
}

/// Scans `path`: container facts, video packets, decoded frames.
pub fn scan_file(path: &str) -> FileScan {
    let mut scan = FileScan::default();
    match MediaSource::open(path) {
        Ok(source) => scan.info = Some(source.info().clone()),
        Err(e) => {
            scan.problems.push(format!("cannot open: {e}"));
            return scan;
        }
    }
    scan_packets(path, &mut scan);
    scan_frames(path, &mut scan);
    scan
}

fn scan_packets(path: &str, scan: &mut FileScan) {
    let video = scan
        .info
        .as_ref()
        .and_then(|i| i.video.as_ref())
        .map(|v| v.stream_index);
    let mut reader = match PacketReader::open(path) {
        Ok(r) => r,
        Err(e) => {
            scan.problems.push(format!("cannot demux: {e}"));
            return;
        }
    };
    loop {
        match reader.next_packet() {
            Ok(Some((stream, p))) if Some(stream) == video => scan.packets.push(ScannedPacket {
                pts_s: p.pts_seconds(),
                key: p.key,
                size: p.data.len(),
            }),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                scan.problems.push(format!(
                    "demuxing stopped after {} video packets: {e}",
                    scan.packets.len()
                ));
                break;
            }
        }
    }
}

fn scan_frames(path: &str, scan: &mut FileScan) {
    let rx = reel_media::spawn_decoder_with(
        path.to_string(),
        DecoderOptions::default(),
        FRAMES_IN_FLIGHT,
        |view| {
            let signature = if let Some(p) = view.plane_u8(0) {
                Signature::from_u8(p)
            } else if let Some(p) = view.plane_u16(0) {
                Signature::from_u16(p, view.layout.bit_depth)
            } else {
                return None;
            };
            Some(ScannedFrame {
                time_s: view.timestamp.map(|t| t.seconds()),
                key: view.key_frame,
                signature,
            })
        },
    );
    let rx = match rx {
        Ok(rx) => rx,
        Err(e) => {
            scan.problems.push(format!("cannot decode: {e}"));
            return;
        }
    };
    for event in rx {
        match event {
            Ok(DecodeEvent::Frame(Some(frame))) => scan.frames.push(frame),
            Ok(DecodeEvent::Frame(None)) => scan
                .problems
                .push(format!("frame {} has unreadable planes", scan.frames.len())),
            Ok(DecodeEvent::Error(issue)) => scan.problems.push(format!(
                "decode error at packet {}{}: {}",
                issue.packet,
                issue
                    .time_s
                    .map(|t| format!(" ({t:.3} s)"))
                    .unwrap_or_default(),
                issue.message
            )),
            Err(e) => {
                scan.problems.push(format!(
                    "decoding stopped after {} frames: {e}",
                    scan.frames.len()
                ));
                break;
            }
        }
    }
}
