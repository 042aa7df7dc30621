//! [`EncodedPacket`]: one compressed access unit as owned bytes, with its
//! timestamps in an explicit time base, so packets can cross threads and crate
//! boundaries without FFmpeg types.

use ffmpeg_next::ffi;
use reel_core::Rational;

/// A compressed packet produced by an encoder or read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedPacket {
    pub data: Vec<u8>,
    /// Presentation timestamp in `time_base`, when known.
    pub pts: Option<i64>,
    /// Decoding timestamp in `time_base`, when known.
    pub dts: Option<i64>,
    /// Duration in `time_base` (0 when unknown).
    pub duration: i64,
    /// Whether the packet starts a random-access point (IDR / key frame).
    pub key: bool,
    pub time_base: Rational,
}

impl EncodedPacket {
    /// Copies an FFmpeg packet whose timestamps are in `time_base`.
    pub(crate) fn from_ffmpeg(packet: &ffmpeg_next::Packet, time_base: Rational) -> EncodedPacket {
        EncodedPacket {
            data: packet.data().map(<[u8]>::to_vec).unwrap_or_default(),
            pts: packet.pts(),
            dts: packet.dts(),
            duration: packet.duration(),
            key: packet.is_key(),
            time_base,
        }
    }

    /// An FFmpeg packet with the same bytes and timestamps rescaled to `to`.
    pub(crate) fn to_ffmpeg(&self, to: Rational) -> ffmpeg_next::Packet {
        let mut p = ffmpeg_next::Packet::copy(&self.data);
        let rs = |v: i64| rescale(v, self.time_base, to);
        p.set_pts(self.pts.map(rs));
        p.set_dts(self.dts.map(rs));
        p.set_duration(rs(self.duration));
        if self.key {
            p.set_flags(ffmpeg_next::packet::Flags::KEY);
        }
        p
    }

    /// Presentation time in seconds, when known.
    pub fn pts_seconds(&self) -> Option<f64> {
        self.pts.map(|p| p as f64 * self.time_base.as_f64())
    }
}

/// `v` from time base `from` to `to`, rounding to nearest (FFmpeg's av_rescale_q).
pub(crate) fn rescale(v: i64, from: Rational, to: Rational) -> i64 {
    // SAFETY: pure arithmetic function of FFmpeg, no pointers.
    unsafe { ffi::av_rescale_q(v, av_q(from), av_q(to)) }
}

pub(crate) fn av_q(r: Rational) -> ffi::AVRational {
    ffi::AVRational {
        num: r.num as i32,
        den: r.den as i32,
    }
}
