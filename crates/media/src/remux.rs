//! [`remux`]: copies every stream of several files into one output (HLS,
//! DASH, fragmented MP4...), merging packets by decoding time.

use crate::demux::PacketReader;
use crate::mux::Muxer;
use crate::packet::EncodedPacket;
use crate::write_error::WriteResult;

/// Copies the streams of `inputs` into `output` written by muxer `format`
/// with `options`; packets are merged across inputs in decoding-time order.
/// Each input is `(path, kind)`: `kind` `Some("video")`/`Some("audio")` keeps
/// only streams of that kind, `None` keeps video and audio.
///
/// Errors: [`crate::WriteError::Read`] / [`crate::WriteError::Mux`] naming the
/// file that failed.
pub fn remux(
    inputs: &[(&str, Option<&str>)],
    output: &str,
    format: Option<&str>,
    options: &[(&str, &str)],
) -> WriteResult<()> {
    let mut readers = inputs
        .iter()
        .map(|(p, _)| PacketReader::open(p))
        .collect::<WriteResult<Vec<_>>>()?;
    let mut muxer = Muxer::create(output, format)?;
    let mut maps: Vec<Vec<Option<usize>>> = Vec::new();
    for (r, (_, kind)) in readers.iter().zip(inputs) {
        let mut map = Vec::new();
        for s in r.streams() {
            map.push(if s.kind == "other" || kind.is_some_and(|k| k != s.kind) {
                None
            } else {
                Some(muxer.add_copy_stream(r, s.index)?)
            });
        }
        maps.push(map);
    }
    muxer.write_header(options)?;
    let mut heads: Vec<Option<(usize, EncodedPacket)>> = readers
        .iter_mut()
        .map(PacketReader::next_packet)
        .collect::<WriteResult<_>>()?;
    loop {
        let next = heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.as_ref().map(|(_, p)| (i, p)))
            .min_by(|a, b| {
                let t =
                    |p: &EncodedPacket| p.dts.or(p.pts).unwrap_or(0) as f64 * p.time_base.as_f64();
                t(a.1).total_cmp(&t(b.1))
            })
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        if let Some((stream, packet)) = heads[i].take() {
            if let Some(Some(out)) = maps[i].get(stream) {
                muxer.write(*out, &packet)?;
            }
        }
        heads[i] = readers[i].next_packet()?;
    }
    muxer.finish()
}
