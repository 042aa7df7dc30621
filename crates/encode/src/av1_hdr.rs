//! HDR10 static metadata for AV1 encoders that cannot write it themselves
//! (libaom through FFmpeg 5.1 has no option for it): two metadata OBUs,
//! HDR_MDCV and HDR_CLL (AV1 spec 5.8.3-5.8.4), inserted into every key-frame
//! temporal unit after its temporal delimiter and sequence header, which is
//! where libsvtav1 and other encoders put them.

use reel_core::{ContentLight, HdrInfo, MasteringDisplay};

const OBU_SEQUENCE_HEADER: u8 = 1;
const OBU_TEMPORAL_DELIMITER: u8 = 2;
const OBU_METADATA: u8 = 5;
const METADATA_TYPE_HDR_CLL: u8 = 1;
const METADATA_TYPE_HDR_MDCV: u8 = 2;

/// The metadata OBUs of one title, ready to splice into key-frame packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Av1HdrObus {
    bytes: Vec<u8>,
}

impl Av1HdrObus {
    /// The OBUs for `hdr`; `None` when it has neither mastering display nor
    /// content light.
    pub fn new(hdr: &HdrInfo) -> Option<Av1HdrObus> {
        let mut bytes = Vec::new();
        if let Some(m) = &hdr.mastering_display {
            push_obu(&mut bytes, &mdcv_payload(m));
        }
        if let Some(c) = &hdr.content_light {
            push_obu(&mut bytes, &cll_payload(c));
        }
        (!bytes.is_empty()).then_some(Av1HdrObus { bytes })
    }

    /// Inserts the OBUs into the temporal unit `packet` after its leading
    /// temporal delimiter and sequence header. Returns `false`, leaving the
    /// packet as it was, when the packet's OBU headers cannot be read.
    pub fn insert_into(&self, packet: &mut Vec<u8>) -> bool {
        let Some(at) = after_leading_headers(packet) else {
            return false;
        };
        packet.splice(at..at, self.bytes.iter().copied());
        true
    }
}

/// Byte offset just past the temporal delimiter and sequence header OBUs
/// that start `data`.
fn after_leading_headers(data: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while pos < data.len() {
        let header = data[pos];
        if header & 0x80 != 0 {
            return None; // forbidden bit
        }
        let kind = (header >> 3) & 0x0f;
        if kind != OBU_TEMPORAL_DELIMITER && kind != OBU_SEQUENCE_HEADER {
            return Some(pos);
        }
        let has_extension = header & 0x04 != 0;
        let has_size = header & 0x02 != 0;
        if !has_size {
            // Its size is "the rest of the unit": nothing can follow it.
            return None;
        }
        let mut p = pos + 1 + usize::from(has_extension);
        let (size, len) = read_leb128(data.get(p..)?)?;
        p += len;
        pos = p.checked_add(usize::try_from(size).ok()?)?;
    }
    (pos == data.len()).then_some(pos)
}

/// One OBU with a size field: header, leb128 size, payload, trailing bits.
fn push_obu(out: &mut Vec<u8>, payload: &[u8]) {
    out.push((OBU_METADATA << 3) | 0x02);
    // Metadata payloads are whole bytes, so trailing_bits() is one 0x80 byte.
    write_leb128(out, payload.len() as u64 + 1);
    out.extend_from_slice(payload);
    out.push(0x80);
}

/// metadata_type then the ST 2086 volume: 0.16 fixed-point chromaticities
/// (red, green, blue, white), luminance max in 24.8 and min in 18.14.
fn mdcv_payload(m: &MasteringDisplay) -> Vec<u8> {
    let fixed = |v: f64, one: f64, max: f64| (v * one).round().clamp(0.0, max);
    let xy = |v: f64| fixed(v, 65_536.0, f64::from(u16::MAX)) as u16;
    let mut p = vec![METADATA_TYPE_HDR_MDCV];
    for (x, y) in m.primaries.iter().chain(std::iter::once(&m.white_point)) {
        p.extend_from_slice(&xy(*x).to_be_bytes());
        p.extend_from_slice(&xy(*y).to_be_bytes());
    }
    let lum = |v: f64, one: f64| fixed(v, one, f64::from(u32::MAX)) as u32;
    p.extend_from_slice(&lum(m.max_luminance, 256.0).to_be_bytes());
    p.extend_from_slice(&lum(m.min_luminance, 16_384.0).to_be_bytes());
    p
}

/// metadata_type then MaxCLL and MaxFALL (16 bits each).
fn cll_payload(c: &ContentLight) -> Vec<u8> {
    let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    let mut p = vec![METADATA_TYPE_HDR_CLL];
    p.extend_from_slice(&clamp(c.max_cll).to_be_bytes());
    p.extend_from_slice(&clamp(c.max_fall).to_be_bytes());
    p
}

fn write_leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// (value, bytes read); AV1 allows at most 8 bytes.
fn read_leb128(data: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in data.iter().take(8).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tests::hdr10_sample as hdr;

    #[test]
    fn obus_follow_the_av1_layout() {
        let obus = Av1HdrObus::new(&hdr()).unwrap().bytes;
        // MDCV: header, size 26, type 2, red x = round(0.68 * 65536) = 44564.
        assert_eq!(&obus[..5], &[0x2a, 26, 2, 0xae, 0x14]);
        // max luminance 1000 * 256, min 0.0001 * 16384 rounded = 2, trailing bits.
        assert_eq!(&obus[19..27], &[0, 3, 0xe8, 0, 0, 0, 0, 2]);
        assert_eq!(obus[27], 0x80);
        // CLL: header, size 6, type 1, 1000, 400, trailing bits.
        assert_eq!(&obus[28..], &[0x2a, 6, 1, 0x03, 0xe8, 0x01, 0x90, 0x80]);
        assert!(Av1HdrObus::new(&HdrInfo::default()).is_none());
    }

    #[test]
    fn obus_go_after_the_delimiter_and_sequence_header() {
        let obus = Av1HdrObus::new(&hdr()).unwrap();
        // TD (size 0), sequence header (size 2), frame OBU (size 1).
        let td = [0x12, 0x00];
        let seq = [0x0a, 0x02, 0xaa, 0xbb];
        let frame = [0x32, 0x01, 0xcc];
        let mut packet = [&td[..], &seq, &frame].concat();
        assert!(obus.insert_into(&mut packet));
        assert_eq!(packet, [&td[..], &seq, &obus.bytes, &frame].concat());
        // A unit without a delimiter gets them first.
        let mut bare = frame.to_vec();
        assert!(obus.insert_into(&mut bare));
        assert_eq!(bare, [&obus.bytes[..], &frame].concat());
        // A truncated size field is refused and nothing changes.
        let mut broken = vec![0x0a, 0x85];
        assert!(!obus.insert_into(&mut broken));
        assert_eq!(broken, vec![0x0a, 0x85]);
    }
}
