//! The error type of reel-media: every variant names the input (path or URL)
//! and the step that failed, so a message read alone says what went wrong where.

/// Result of a reel-media operation.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, where. FFmpeg's own description of the failure is kept as
/// text (`reason`) so no FFmpeg type leaks into the public API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input name cannot be handed to FFmpeg (an interior NUL byte, empty name).
    #[error("invalid input name {input:?}: {reason}")]
    InvalidInput { input: String, reason: String },

    /// libavformat could not open the input (missing file, refused connection, HTTP 403...).
    #[error("cannot open {input}: {reason}")]
    Open { input: String, reason: String },

    /// The input was opened but no demuxer recognises its bytes.
    #[error("{input}: not a media file ({reason})")]
    NotMedia { input: String, reason: String },

    /// The file is empty.
    #[error("{input}: empty file")]
    Empty { input: String },

    /// The file starts like a known container but cannot be read to the end
    /// (a cut-short upload, a copy that stopped half-way).
    #[error("{input}: truncated or incomplete {container} file ({reason})")]
    Truncated {
        input: String,
        container: &'static str,
        reason: String,
    },

    /// The container was recognised but its streams could not be probed.
    #[error("{input}: cannot read stream information ({reason})")]
    Probe { input: String, reason: String },

    /// The input has no video stream (e.g. an audio-only file).
    #[error("{input}: no video stream")]
    NoVideoStream { input: String },

    /// The input has no audio stream.
    #[error("{input}: no audio stream")]
    NoAudioStream { input: String },

    /// A stream index was requested that does not exist or is of another kind.
    #[error("{input}: stream {index} is not a {expected} stream ({reason})")]
    WrongStream {
        input: String,
        index: usize,
        expected: &'static str,
        reason: String,
    },

    /// No decoder for the stream's codec, or the decoder refused to open.
    #[error("{input}: cannot open {codec} decoder for stream {stream}: {reason}")]
    OpenDecoder {
        input: String,
        stream: usize,
        codec: String,
        reason: String,
    },

    /// The decoder produces a pixel format reel cannot convert.
    #[error("{input}: unsupported pixel format {pix_fmt}")]
    UnsupportedPixelFormat { input: String, pix_fmt: String },

    /// Seeking to a frame failed.
    #[error("{input}: cannot seek to frame {frame}: {reason}")]
    Seek {
        input: String,
        frame: u64,
        reason: String,
    },

    /// Reading from the input failed in a way that is not a data error
    /// (I/O or network failure); decoding stops.
    #[error("{input}: read failed after packet {packet}: {reason}")]
    Read {
        input: String,
        packet: u64,
        reason: String,
    },

    /// The decoder failed in a way it cannot recover from.
    #[error("{input}: decoding failed: {reason}")]
    Decode { input: String, reason: String },

    /// Converting a decoded picture to a planar layout failed.
    #[error("{input}: cannot convert {from} to {to}: {reason}")]
    Convert {
        input: String,
        from: String,
        to: String,
        reason: String,
    },

    /// Resampling decoded audio to interleaved f32 failed.
    #[error("{input}: cannot resample audio: {reason}")]
    Resample { input: String, reason: String },

    /// swscale could not set up or run a scale between two formats.
    #[error("scale {from} -> {to}: {reason}")]
    Scale {
        from: String,
        to: String,
        reason: String,
    },

    /// The decoder thread could not be started or ended abnormally.
    #[error("{input}: decoder thread: {reason}")]
    Thread { input: String, reason: String },
}

impl Error {
    /// The input (path or URL) the error is about, when it is about one.
    pub fn input(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { input, .. }
            | Error::Open { input, .. }
            | Error::NotMedia { input, .. }
            | Error::Empty { input }
            | Error::Truncated { input, .. }
            | Error::Probe { input, .. }
            | Error::NoVideoStream { input }
            | Error::NoAudioStream { input }
            | Error::WrongStream { input, .. }
            | Error::OpenDecoder { input, .. }
            | Error::UnsupportedPixelFormat { input, .. }
            | Error::Seek { input, .. }
            | Error::Read { input, .. }
            | Error::Decode { input, .. }
            | Error::Convert { input, .. }
            | Error::Resample { input, .. }
            | Error::Thread { input, .. } => Some(input),
            Error::Scale { .. } => None,
        }
    }
}
