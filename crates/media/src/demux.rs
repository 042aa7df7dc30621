//! [`PacketReader`]: reads compressed packets from a file without decoding,
//! for joining chunk files and repackaging (stream copy).

use crate::ffi_util::{err_text, rational};
use crate::packet::EncodedPacket;
use crate::write_error::{WriteError, WriteResult};
use reel_core::Rational;
use std::fmt;

/// One stream of a file opened for stream copy.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamDesc {
    pub index: usize,
    /// `video`, `audio` or `other`.
    pub kind: &'static str,
    /// Codec name (`h264`, `aac`...).
    pub codec: String,
    pub time_base: Rational,
    /// Codec configuration record (avcC, hvcC, av1C...), empty when none.
    pub extradata: Vec<u8>,
}

/// A demuxer handing out owned packets. Owns an FFmpeg context: keep it on one thread.
pub struct PacketReader {
    pub(crate) input: ffmpeg_next::format::context::Input,
    path: String,
    streams: Vec<StreamDesc>,
}

impl fmt::Debug for PacketReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacketReader")
            .field("path", &self.path)
            .field("streams", &self.streams)
            .finish_non_exhaustive()
    }
}

impl PacketReader {
    /// Opens `path` and lists its streams.
    ///
    /// Errors: [`WriteError::Read`] when the file cannot be opened or probed.
    pub fn open(path: &str) -> WriteResult<PacketReader> {
        crate::init();
        let input = ffmpeg_next::format::input(&path).map_err(|e| WriteError::Read {
            input: path.to_string(),
            step: "open for stream copy".to_string(),
            reason: err_text(e),
        })?;
        let streams = input
            .streams()
            .map(|s| {
                let params = s.parameters();
                let kind = match params.medium() {
                    ffmpeg_next::media::Type::Video => "video",
                    ffmpeg_next::media::Type::Audio => "audio",
                    _ => "other",
                };
                StreamDesc {
                    index: s.index(),
                    kind,
                    codec: format!("{:?}", params.id()).to_lowercase(),
                    // SAFETY: the stream pointer is valid while `input` lives.
                    time_base: rational(unsafe { (*s.as_ptr()).time_base }),
                    // SAFETY: codecpar is valid while `input` lives; extradata
                    // is null or `extradata_size` readable bytes.
                    extradata: unsafe {
                        let par = &*(*s.as_ptr()).codecpar;
                        if par.extradata.is_null() || par.extradata_size <= 0 {
                            Vec::new()
                        } else {
                            std::slice::from_raw_parts(par.extradata, par.extradata_size as usize)
                                .to_vec()
                        }
                    },
                }
            })
            .collect();
        Ok(PacketReader {
            input,
            path: path.to_string(),
            streams,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn streams(&self) -> &[StreamDesc] {
        &self.streams
    }

    /// The next packet and its stream index; `None` at the end of the file.
    ///
    /// Errors: [`WriteError::Read`] on an I/O or container error.
    pub fn next_packet(&mut self) -> WriteResult<Option<(usize, EncodedPacket)>> {
        let mut p = ffmpeg_next::Packet::empty();
        match p.read(&mut self.input) {
            Ok(()) => {
                let stream = p.stream();
                let tb = self
                    .streams
                    .get(stream)
                    .map(|s| s.time_base)
                    .unwrap_or(Rational::new(1, 1));
                Ok(Some((stream, EncodedPacket::from_ffmpeg(&p, tb))))
            }
            Err(ffmpeg_next::Error::Eof) => Ok(None),
            Err(e) => Err(WriteError::Read {
                input: self.path.clone(),
                step: "read a packet".to_string(),
                reason: err_text(e),
            }),
        }
    }
}
