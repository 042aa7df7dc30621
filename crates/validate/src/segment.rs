//! Reading the first video packet of a CMAF segment: the init segment and the
//! media segment are joined into a scratch file that libavformat can open.

use reel_media::PacketReader;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether the segment's first video packet is a key frame; `Err` with the
/// reason when it cannot be read.
pub fn starts_with_key_frame(init: &Path, segment: &Path, scratch: &Path) -> Result<bool, String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let joined = scratch.join(format!(
        "segment-{}.mp4",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut bytes = std::fs::read(init).map_err(|e| format!("{}: {e}", init.display()))?;
    bytes.extend(std::fs::read(segment).map_err(|e| format!("{}: {e}", segment.display()))?);
    std::fs::write(&joined, &bytes).map_err(|e| format!("{}: {e}", joined.display()))?;
    let result = first_video_key(&joined.to_string_lossy());
    let _ = std::fs::remove_file(&joined);
    result
}

fn first_video_key(path: &str) -> Result<bool, String> {
    let mut reader = PacketReader::open(path).map_err(|e| e.to_string())?;
    let video = reader
        .streams()
        .iter()
        .find(|s| s.kind == "video")
        .map(|s| s.index)
        .ok_or("no video stream")?;
    while let Some((index, packet)) = reader.next_packet().map_err(|e| e.to_string())? {
        if index == video {
            return Ok(packet.key);
        }
    }
    Err("no video packet".to_string())
}
