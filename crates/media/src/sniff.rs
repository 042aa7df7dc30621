//! Telling an empty or cut-short file from one that is not media at all, so the
//! error says what is really wrong.

use crate::error::Error;
use std::io::Read;

/// Container signatures: (offset, magic bytes, name).
const SIGNATURES: [(usize, &[u8], &str); 6] = [
    (4, b"ftyp", "MP4/MOV"),
    (4, b"mdat", "MP4/MOV"),
    (4, b"moov", "MP4/MOV"),
    (0, &[0x1A, 0x45, 0xDF, 0xA3], "Matroska/WebM"),
    (0, b"RIFF", "AVI/WAV"),
    (0, b"YUV4MPEG2", "Y4M"),
];

/// The error for a local input libavformat could not open as media: `Empty` for a
/// zero-byte file, `Truncated` when it starts with a known container signature,
/// else `NotMedia`.
pub(crate) fn explain_unreadable(input: &str, reason: String) -> Error {
    let path = input.strip_prefix("file://").unwrap_or(input);
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    });
    match read {
        Ok(0) => Error::Empty {
            input: input.to_string(),
        },
        Ok(n) => match SIGNATURES
            .iter()
            .find(|(at, magic, _)| n >= at + magic.len() && &head[*at..at + magic.len()] == *magic)
        {
            Some((_, _, container)) => Error::Truncated {
                input: input.to_string(),
                container,
                reason,
            },
            None => Error::NotMedia {
                input: input.to_string(),
                reason,
            },
        },
        // Not a local file (a URL) or unreadable here: keep libavformat's verdict.
        Err(_) => Error::NotMedia {
            input: input.to_string(),
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(bytes: &[u8]) -> Error {
        let dir = std::env::temp_dir().join(format!("reel-sniff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("f{}.mp4", bytes.len()));
        std::fs::write(&path, bytes).unwrap();
        let e = explain_unreadable(path.to_str().unwrap(), "Invalid data".into());
        let _ = std::fs::remove_file(&path);
        e
    }

    #[test]
    fn empty_truncated_and_text_files_are_told_apart() {
        assert!(matches!(verdict(b""), Error::Empty { .. }));
        assert!(matches!(
            verdict(b"\0\0\0\x20ftypisom\0\0\x02\0"),
            Error::Truncated {
                container: "MP4/MOV",
                ..
            }
        ));
        assert!(matches!(verdict(b"hello, world\n"), Error::NotMedia { .. }));
    }
}
