//! Recipe -> encoder settings: which libavcodec encoder a rung uses and the
//! options that give it the rung's rate control, preset, bit depth and the
//! closed, aligned GOP structure (no scene-cut key frames of its own).

use reel_core::{
    ChromaSubsampling, ColorInfo, HdrInfo, PixelLayout, RateControl, Rational, Resolution,
    RungRecipe, VideoCodec,
};
use reel_media::VideoEncoderConfig;

/// The FFmpeg encoder a recipe uses: its own override, else the codec's default.
pub fn encoder_name(r: &RungRecipe) -> String {
    if let Some(e) = &r.encoder {
        return e.clone();
    }
    match r.codec {
        VideoCodec::H264 => "libx264",
        VideoCodec::Hevc => "libx265",
        VideoCodec::Av1 => "libsvtav1",
        VideoCodec::Vp9 => "libvpx-vp9",
    }
    .to_string()
}

/// Everything the stream needs to look like the source: colour tags, HDR10
/// static metadata, display aspect and rotation.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamLook {
    pub frame_rate: Rational,
    /// The source's sample aspect ratio (used when its display aspect is unknown).
    pub sar: Rational,
    /// The source's display aspect ratio (coded size x SAR); every rung keeps it.
    pub display_aspect: Rational,
    pub color: ColorInfo,
    pub hdr: HdrInfo,
    /// Display rotation of the source, degrees counter-clockwise; tagged as is.
    pub rotation: i32,
}

impl StreamLook {
    /// The SAR that shows a `size` picture at the source's display aspect.
    pub fn sar_for(&self, size: Resolution) -> Rational {
        let dar = self.display_aspect;
        if dar.num <= 0 || dar.den <= 0 || size.width == 0 {
            return self.sar;
        }
        Rational::new(
            dar.num * i64::from(size.height),
            dar.den * i64::from(size.width),
        )
    }
}

/// HDR10 SEI options in x265's and x264's syntax (units of 0.00002 for
/// chromaticity and 0.0001 cd/m² for luminance); the option names differ:
/// `master-display`/`max-cll` for x265, `mastering-display`/`cll` for x264.
fn sei_hdr10(hdr: &HdrInfo, master_key: &str, cll_key: &str) -> String {
    let mut s = String::new();
    if let Some(m) = &hdr.mastering_display {
        let c = |v: f64| (v * 50_000.0).round() as i64;
        let [r, g, b] = m.primaries;
        let w = m.white_point;
        s.push_str(&format!(
            ":{master_key}=G({},{})B({},{})R({},{})WP({},{})L({},{})",
            c(g.0),
            c(g.1),
            c(b.0),
            c(b.1),
            c(r.0),
            c(r.1),
            c(w.0),
            c(w.1),
            (m.max_luminance * 10_000.0).round() as i64,
            (m.min_luminance * 10_000.0).round() as i64,
        ));
    }
    if let Some(l) = &hdr.content_light {
        s.push_str(&format!(":{cll_key}={},{}", l.max_cll, l.max_fall));
    }
    s
}

/// SVT-AV1's `mastering-display` and `content-light` (chromaticity and cd/m²
/// as decimals), written by the encoder as AV1 metadata OBUs.
fn svt_hdr10(hdr: &HdrInfo) -> String {
    let mut s = String::new();
    if let Some(m) = &hdr.mastering_display {
        let [r, g, b] = m.primaries;
        let w = m.white_point;
        s.push_str(&format!(
            ":mastering-display=G({:.5},{:.5})B({:.5},{:.5})R({:.5},{:.5})WP({:.5},{:.5})L({:.4},{:.4})",
            g.0, g.1, b.0, b.1, r.0, r.1, w.0, w.1, m.max_luminance, m.min_luminance
        ));
    }
    if let Some(l) = &hdr.content_light {
        s.push_str(&format!(":content-light={},{}", l.max_cll, l.max_fall));
    }
    s
}

/// Whether `encoder` is an AV1 encoder that cannot write HDR10 metadata
/// itself, so reel splices the metadata OBUs into its key frames.
pub fn needs_av1_hdr_obus(encoder: &str) -> bool {
    matches!(
        encoder,
        "libaom-av1" | "librav1e" | "av1_nvenc" | "av1_qsv" | "av1_amf"
    )
}

/// Whether key frames are forced frame by frame. libaom (through FFmpeg 5.1)
/// answers a forced key frame with two consecutive key frames, which breaks
/// the alignment with the other rungs; it gets its key frames from a fixed
/// cadence instead (`g` = `keyint_min` = the GOP, restarted by every chunk's
/// fresh encoder), which lands exactly on the planned frames.
pub fn forces_key_frames(encoder: &str) -> bool {
    encoder != "libaom-av1"
}

/// Builds the encoder configuration of `r` with a key frame every `gop` frames.
pub fn encoder_config(
    r: &RungRecipe,
    look: &StreamLook,
    gop: u32,
    threads: usize,
) -> VideoEncoderConfig {
    let encoder = encoder_name(r);
    let mut options: Vec<(String, String)> = Vec::new();
    let mut opt = |k: &str, v: String| options.push((k.to_string(), v));
    let (crf, kbps, max, buf) = match r.rate_control {
        RateControl::Crf { crf } => (Some(crf), None, None, None),
        RateControl::CappedCrf {
            crf,
            max_rate_kbps,
            buf_size_kbps,
        } => (Some(crf), None, Some(max_rate_kbps), Some(buf_size_kbps)),
        RateControl::Bitrate {
            kbps,
            max_rate_kbps,
            buf_size_kbps,
        } => (None, Some(kbps), max_rate_kbps, buf_size_kbps),
    };
    let preset = r.preset.clone();
    match encoder.as_str() {
        "libx264" => {
            opt("preset", preset.unwrap_or_else(|| "medium".to_string()));
            opt("forced-idr", "1".to_string());
            // HDR10 static metadata goes into the bitstream as SEI.
            opt(
                "x264-params",
                format!(
                    "scenecut=0:open-gop=0{}",
                    sei_hdr10(&look.hdr, "mastering-display", "cll")
                ),
            );
            if let Some(c) = crf {
                opt("crf", format!("{c}"));
            }
        }
        "libx265" => {
            opt("preset", preset.unwrap_or_else(|| "medium".to_string()));
            opt("forced-idr", "1".to_string());
            // HDR10 static metadata goes into the bitstream as SEI here.
            opt(
                "x265-params",
                format!(
                    "scenecut=0:open-gop=0:log-level=error{}",
                    sei_hdr10(&look.hdr, "master-display", "max-cll")
                ),
            );
            if let Some(c) = crf {
                opt("crf", format!("{c}"));
            }
        }
        "libsvtav1" => {
            opt("preset", preset.unwrap_or_else(|| "8".to_string()));
            // Closed GOPs: every intra refresh is a real key frame.
            opt(
                "svtav1-params",
                format!("irefresh-type=2:scd=0{}", svt_hdr10(&look.hdr)),
            );
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        "libaom-av1" => {
            opt("cpu-used", preset.unwrap_or_else(|| "6".to_string()));
            opt("row-mt", "1".to_string());
            // Only our key frames: no scene-cut key frames, no filtered-KF overlays.
            opt("keyint_min", gop.max(1).to_string());
            opt("aom-params", "enable-keyframe-filtering=0".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        "libvpx-vp9" => {
            opt("cpu-used", preset.unwrap_or_else(|| "4".to_string()));
            opt("deadline", "good".to_string());
            opt("keyint_min", gop.max(1).to_string());
            opt("row-mt", "1".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        _ => {
            // NVENC and others: preset by name, constant quality through `cq`.
            if let Some(p) = preset {
                opt("preset", p);
            }
            if let Some(c) = crf {
                opt("cq", format!("{}", c.round() as i64));
            }
            opt("forced-idr", "1".to_string());
        }
    }
    // Constant quality without a target rate: libaom/libvpx want b=0.
    let bit_rate = match (kbps, crf, encoder.as_str()) {
        (Some(k), _, _) => Some(u64::from(k) * 1000),
        (None, Some(_), "libaom-av1" | "libvpx-vp9") => None,
        _ => None,
    };
    VideoEncoderConfig {
        encoder,
        resolution: r.resolution,
        layout: PixelLayout::new(ChromaSubsampling::Cs420, r.bit_depth),
        frame_rate: look.frame_rate,
        sar: look.sar_for(r.resolution),
        color: look.color.clone(),
        hdr: look.hdr.clone(),
        rotation: look.rotation,
        gop: gop.max(1),
        bit_rate,
        max_rate: max.map(|m| u64::from(m) * 1000),
        buf_size: buf.map(|b| u64::from(b) * 1000),
        threads,
        options,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use reel_core::{ContentLight, MasteringDisplay};

    fn look(dar: Rational) -> StreamLook {
        StreamLook {
            frame_rate: Rational::new(25, 1),
            sar: Rational::new(1, 1),
            display_aspect: dar,
            color: ColorInfo::default(),
            hdr: HdrInfo::default(),
            rotation: 0,
        }
    }

    #[test]
    fn every_rung_keeps_the_display_aspect() {
        let l = look(Rational::new(16, 9));
        assert_eq!(l.sar_for(Resolution::new(320, 180)), Rational::new(1, 1));
        assert_eq!(l.sar_for(Resolution::new(160, 120)), Rational::new(4, 3));
        assert_eq!(
            look(Rational::new(0, 1)).sar_for(Resolution::new(8, 8)),
            Rational::new(1, 1)
        );
    }

    /// BT.2020 primaries, D65, 0.0001-1000 cd/m², MaxCLL 1000, MaxFALL 400.
    pub(crate) fn hdr10_sample() -> HdrInfo {
        HdrInfo {
            transfer: Some("pq".to_string()),
            mastering_display: Some(MasteringDisplay {
                primaries: [(0.68, 0.32), (0.265, 0.69), (0.15, 0.06)],
                white_point: (0.3127, 0.329),
                min_luminance: 0.0001,
                max_luminance: 1000.0,
            }),
            content_light: Some(ContentLight {
                max_cll: 1000,
                max_fall: 400,
            }),
        }
    }

    #[test]
    fn hdr10_becomes_encoder_options() {
        let hdr = hdr10_sample();
        assert_eq!(
            sei_hdr10(&hdr, "master-display", "max-cll"),
            ":master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400"
        );
        assert_eq!(
            svt_hdr10(&hdr),
            ":mastering-display=G(0.26500,0.69000)B(0.15000,0.06000)R(0.68000,0.32000)WP(0.31270,0.32900)L(1000.0000,0.0001):content-light=1000,400"
        );
        assert_eq!(sei_hdr10(&HdrInfo::default(), "a", "b"), "");
        assert_eq!(svt_hdr10(&HdrInfo::default()), "");
    }
}
