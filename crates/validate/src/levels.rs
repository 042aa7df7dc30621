//! Codec level limits on picture size and rate: H.264 Table A-1 (MaxMBPS,
//! MaxFS in macroblocks) and H.265 Table A.8 (MaxLumaPs, MaxLumaSr).

/// `(level_idc, MaxMBPS, MaxFS)` of H.264.
const H264: &[(i32, u64, u64)] = &[
    (9, 1_485, 99),
    (10, 1_485, 99),
    (11, 3_000, 396),
    (12, 6_000, 396),
    (13, 11_880, 396),
    (20, 11_880, 396),
    (21, 19_800, 792),
    (22, 20_250, 1_620),
    (30, 40_500, 1_620),
    (31, 108_000, 3_600),
    (32, 216_000, 5_120),
    (40, 245_760, 8_192),
    (41, 245_760, 8_192),
    (42, 522_240, 8_704),
    (50, 589_824, 22_080),
    (51, 983_040, 36_864),
    (52, 2_073_600, 36_864),
    (60, 4_177_920, 139_264),
    (61, 8_355_840, 139_264),
    (62, 16_711_680, 139_264),
];

/// `(general_level_idc, MaxLumaPs, MaxLumaSr)` of H.265 (level x 30).
const HEVC: &[(i32, u64, u64)] = &[
    (30, 36_864, 552_960),
    (60, 122_880, 3_686_400),
    (63, 245_760, 7_372_800),
    (90, 552_960, 16_588_800),
    (93, 983_040, 33_177_600),
    (120, 2_228_224, 66_846_720),
    (123, 2_228_224, 133_693_440),
    (150, 8_912_896, 267_386_880),
    (153, 8_912_896, 534_773_760),
    (156, 8_912_896, 1_069_547_520),
    (180, 35_651_584, 1_069_547_520),
    (183, 35_651_584, 2_139_095_040),
    (186, 35_651_584, 4_278_190_080),
];

/// Why a `width x height @ fps` stream exceeds its declared level, or `None`
/// when it fits. `Err` when the level is not in the table.
pub fn level_violation(
    codec: &str,
    level: i32,
    width: u32,
    height: u32,
    fps: f64,
) -> Result<Option<String>, String> {
    match codec {
        "h264" => {
            let &(_, max_mbps, max_fs) = H264
                .iter()
                .find(|l| l.0 == level)
                .ok_or_else(|| format!("unknown H.264 level_idc {level}"))?;
            let (w, h) = (
                u64::from(width.div_ceil(16)),
                u64::from(height.div_ceil(16)),
            );
            let fs = w * h;
            let side = ((8 * max_fs) as f64).sqrt();
            let mbps = fs as f64 * fps;
            Ok(if fs > max_fs {
                Some(format!("{fs} macroblocks per frame > MaxFS {max_fs}"))
            } else if w as f64 > side || h as f64 > side {
                Some(format!("{w}x{h} macroblocks exceed sqrt(8*MaxFS)"))
            } else if mbps > max_mbps as f64 * 1.0001 {
                Some(format!("{mbps:.0} macroblocks/s > MaxMBPS {max_mbps}"))
            } else {
                None
            })
        }
        "hevc" => {
            let &(_, max_ps, max_sr) = HEVC
                .iter()
                .find(|l| l.0 == level)
                .ok_or_else(|| format!("unknown H.265 level_idc {level}"))?;
            let ps = u64::from(width) * u64::from(height);
            let side = ((8 * max_ps) as f64).sqrt();
            let sr = ps as f64 * fps;
            Ok(if ps > max_ps {
                Some(format!(
                    "{ps} luma samples per picture > MaxLumaPs {max_ps}"
                ))
            } else if f64::from(width) > side || f64::from(height) > side {
                Some(format!("{width}x{height} exceeds sqrt(8*MaxLumaPs)"))
            } else if sr > max_sr as f64 * 1.0001 {
                Some(format!("{sr:.0} luma samples/s > MaxLumaSr {max_sr}"))
            } else {
                None
            })
        }
        other => Err(format!("no level table for {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_limits() {
        assert_eq!(level_violation("h264", 12, 320, 180, 25.0), Ok(None));
        assert!(level_violation("h264", 12, 320, 180, 30.0)
            .unwrap()
            .is_some());
        assert_eq!(level_violation("h264", 40, 1920, 1080, 30.0), Ok(None));
        assert!(level_violation("h264", 31, 1920, 1080, 30.0)
            .unwrap()
            .is_some());
        assert_eq!(level_violation("hevc", 120, 1920, 1080, 30.0), Ok(None));
        assert!(level_violation("hevc", 120, 1920, 1080, 60.0)
            .unwrap()
            .is_some());
        assert!(level_violation("hevc", 93, 1920, 1080, 30.0)
            .unwrap()
            .is_some());
        assert!(level_violation("av1", 8, 64, 64, 1.0).is_err());
    }
}
