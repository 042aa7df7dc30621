//! Parsing HLS playlists (RFC 8216): attribute lists, master playlists and
//! media playlists, as far as the checks need them.

/// `KEY=VALUE,KEY="quoted, value"` into pairs (quotes removed).
pub fn attributes(list: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped.find('"').unwrap_or(stripped.len());
            value = stripped[..end].to_string();
            rest = stripped.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        out.push((key, value));
        rest = rest.trim_start_matches(',').trim_start();
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// One `#EXT-X-STREAM-INF` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variant {
    pub uri: String,
    pub bandwidth: Option<u64>,
    pub average_bandwidth: Option<u64>,
    pub resolution: Option<String>,
    pub codecs: Option<String>,
    pub frame_rate: Option<f64>,
    pub audio_group: Option<String>,
}

/// One `#EXT-X-MEDIA` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendition {
    pub kind: String,
    pub group: String,
    pub uri: Option<String>,
}

/// A master playlist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Master {
    pub variants: Vec<Variant>,
    pub media: Vec<Rendition>,
}

/// Parses a master playlist; `Err` says what is wrong with it.
pub fn parse_master(text: &str) -> Result<Master, String> {
    if !text.starts_with("#EXTM3U") {
        return Err("does not start with #EXTM3U".to_string());
    }
    let mut master = Master::default();
    let mut pending: Option<Vec<(String, String)>> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(list) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            pending = Some(attributes(list));
        } else if let Some(list) = line.strip_prefix("#EXT-X-MEDIA:") {
            let a = attributes(list);
            master.media.push(Rendition {
                kind: attr(&a, "TYPE").unwrap_or_default().to_string(),
                group: attr(&a, "GROUP-ID").unwrap_or_default().to_string(),
                uri: attr(&a, "URI").map(str::to_string),
            });
        } else if !line.starts_with('#') {
            let a = pending
                .take()
                .ok_or_else(|| format!("URI {line} without #EXT-X-STREAM-INF"))?;
            let num = |k: &str| attr(&a, k).and_then(|v| v.parse::<u64>().ok());
            master.variants.push(Variant {
                uri: line.to_string(),
                bandwidth: num("BANDWIDTH"),
                average_bandwidth: num("AVERAGE-BANDWIDTH"),
                resolution: attr(&a, "RESOLUTION").map(str::to_string),
                codecs: attr(&a, "CODECS").map(str::to_string),
                frame_rate: attr(&a, "FRAME-RATE").and_then(|v| v.parse().ok()),
                audio_group: attr(&a, "AUDIO").map(str::to_string),
            });
        }
    }
    if master.variants.is_empty() {
        return Err("lists no variant streams".to_string());
    }
    Ok(master)
}

/// One media segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub uri: String,
    pub duration_s: f64,
}

/// A media playlist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Media {
    pub target_duration: Option<u64>,
    pub init: Option<String>,
    pub segments: Vec<Segment>,
    pub ended: bool,
}

/// Parses a media playlist; `Err` says what is wrong with it.
pub fn parse_media(text: &str) -> Result<Media, String> {
    if !text.starts_with("#EXTM3U") {
        return Err("does not start with #EXTM3U".to_string());
    }
    let mut media = Media::default();
    let mut duration: Option<f64> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(v) = line.strip_prefix("#EXT-X-TARGETDURATION:") {
            media.target_duration = v.trim().parse().ok();
        } else if let Some(list) = line.strip_prefix("#EXT-X-MAP:") {
            media.init = attr(&attributes(list), "URI").map(str::to_string);
        } else if let Some(v) = line.strip_prefix("#EXTINF:") {
            let d = v.split(',').next().unwrap_or("").trim();
            duration = Some(
                d.parse()
                    .map_err(|_| format!("#EXTINF:{v} has no duration"))?,
            );
        } else if line == "#EXT-X-ENDLIST" {
            media.ended = true;
        } else if !line.starts_with('#') {
            let duration_s = duration
                .take()
                .ok_or_else(|| format!("segment {line} without #EXTINF"))?;
            media.segments.push(Segment {
                uri: line.to_string(),
                duration_s,
            });
        }
    }
    if media.target_duration.is_none() {
        return Err("has no #EXT-X-TARGETDURATION".to_string());
    }
    Ok(media)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_attributes() {
        let a = attributes(r#"BANDWIDTH=1000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=640x360"#);
        assert_eq!(attr(&a, "CODECS"), Some("avc1.64001f,mp4a.40.2"));
        assert_eq!(attr(&a, "RESOLUTION"), Some("640x360"));
        assert_eq!(attr(&a, "BANDWIDTH"), Some("1000"));
    }

    #[test]
    fn parses_master_and_media_playlists() {
        let m = parse_master("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",URI=\"a/index.m3u8\"\n#EXT-X-STREAM-INF:BANDWIDTH=5,AVERAGE-BANDWIDTH=4,AUDIO=\"aud\"\nv/index.m3u8\n").unwrap();
        assert_eq!(m.variants[0].bandwidth, Some(5));
        assert_eq!(m.media[0].uri.as_deref(), Some("a/index.m3u8"));
        let p = parse_media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\ns0.m4s\n#EXTINF:1.5,\ns1.m4s\n#EXT-X-ENDLIST\n").unwrap();
        assert_eq!(p.segments.len(), 2);
        assert!(p.ended);
        assert_eq!(p.init.as_deref(), Some("init.mp4"));
        assert!(parse_media("#EXTM3U\nseg.m4s\n").is_err());
    }
}
