//! FFmpeg access for reel: probe, demux, decode, seek, scale (the only crate using ffmpeg-next)
