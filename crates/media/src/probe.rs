//! What an opened input declares: container facts, every stream, and the
//! parameters of the main video stream.

use crate::ffi_util::{c_str, dict_get, rational, seconds};
use crate::pixfmt;
use crate::side_data::{self, SideInfo};
use ffmpeg_next::ffi;
use ffmpeg_next::format::context::Input;
use reel_core::manifest::{
    AudioInfo, Disposition, FieldOrder, StreamInfo, StreamKind, SubtitleInfo,
};
use reel_core::{ColorInfo, ColorRange, HdrInfo, PixelLayout, Rational, Resolution};

/// Container-level facts and the streams of an opened input.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// The input as the caller named it (path or URL).
    pub input: String,
    /// Demuxer name(s) as libavformat reports them (`mov,mp4,m4a,3gp,3g2,mj2`).
    pub format: String,
    pub format_long_name: String,
    /// Container duration in seconds (0 when unknown).
    pub duration_s: f64,
    /// Size of the input in bytes, when the protocol knows it.
    pub size_bytes: Option<u64>,
    /// Overall bit rate in bits per second, when known.
    pub bit_rate: Option<u64>,
    /// Container start time in seconds (0 when unknown).
    pub start_time_s: f64,
    /// Every stream of the container, in index order.
    pub streams: Vec<StreamInfo>,
    /// The main video stream: the default one, or the largest, never an
    /// attached picture (cover art). `None` for audio-only inputs.
    pub video: Option<VideoParams>,
}

/// Declared parameters of a video stream.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoParams {
    pub stream_index: usize,
    /// Codec name (`h264`, `hevc`...).
    pub codec: String,
    /// Profile name (`High`, `Main 10`...).
    pub profile: Option<String>,
    pub level: Option<i32>,
    pub resolution: Resolution,
    /// Sample aspect ratio; `1/1` when the stream does not say.
    pub sar: Rational,
    /// The decoder's pixel format name (`yuv420p`, `yuv420p10le`, `nv12`...).
    pub pix_fmt: String,
    /// The planar layout of decoded frames when they can be handed over as
    /// they are; `None` when they are converted (see [`VideoParams::output_layout`]).
    pub layout: Option<PixelLayout>,
    pub bit_depth: u8,
    pub time_base: Rational,
    pub avg_frame_rate: Rational,
    pub r_frame_rate: Rational,
    /// Frame count from the container header (MP4 sample count), when given.
    pub declared_frames: Option<u64>,
    pub duration_s: Option<f64>,
    /// First presentation timestamp of the stream, in `time_base` units.
    pub start_pts: Option<i64>,
    pub field_order: FieldOrder,
    pub color: ColorInfo,
    pub hdr: HdrInfo,
    /// Display rotation from the display matrix, one of 0/90/180/270: the
    /// angle FFmpeg's `av_display_rotation_get` reads (what ffprobe shows as
    /// `rotation`; counter-clockwise by FFmpeg's definition), normalised.
    pub rotation: i32,
    pub bit_rate: Option<u64>,
}

impl VideoParams {
    /// The layout decoded frames are delivered in when no output layout is
    /// forced: [`VideoParams::layout`] or, for packed and semi-planar
    /// formats, the nearest planar layout.
    pub fn output_layout(&self) -> PixelLayout {
        self.layout.unwrap_or_else(|| {
            pixfmt::facts(pixfmt::by_name(&self.pix_fmt))
                .map(|f| f.nearest)
                .unwrap_or(PixelLayout::YUV420P)
        })
    }

    /// The nominal frame rate used to map timestamps to frame indices:
    /// `r_frame_rate` when it agrees with the average rate (it is exact for
    /// constant-rate streams), else `avg_frame_rate`; `None` when neither is known.
    pub fn frame_rate(&self) -> Option<Rational> {
        let (avg, real) = (self.avg_frame_rate, self.r_frame_rate);
        let valid = |r: Rational| r.num > 0 && r.den > 0;
        match (valid(avg), valid(real)) {
            (true, true) if (real.as_f64() / avg.as_f64() - 1.0).abs() < 1e-3 => Some(real),
            (true, _) => Some(avg),
            (false, true) => Some(real),
            (false, false) => None,
        }
    }

    /// Display aspect ratio from the picture size and the sample aspect ratio.
    pub fn dar(&self) -> Rational {
        let sar = if self.sar.num > 0 {
            self.sar
        } else {
            Rational::new(1, 1)
        };
        Rational::new(
            self.resolution.width as i64 * sar.num,
            self.resolution.height as i64 * sar.den,
        )
    }
}

/// Everything [`SourceInfo`] holds except what needs a decoded frame.
pub(crate) fn source_info(input: &str, ctx: &Input) -> SourceInfo {
    // SAFETY: `ctx` wraps a format context that avformat_open_input and
    // avformat_find_stream_info succeeded on; it stays alive while we read it.
    let fc = unsafe { &*ctx.as_ptr() };
    // SAFETY: `iformat` is set by a successful avformat_open_input.
    let (format, format_long_name) = unsafe {
        match fc.iformat.as_ref() {
            Some(f) => (c_str(f.name), c_str(f.long_name)),
            None => (None, None),
        }
    };
    let av_time_base = ffi::AVRational {
        num: 1,
        den: ffi::AV_TIME_BASE,
    };
    let size_bytes = if fc.pb.is_null() {
        None
    } else {
        // SAFETY: `pb` is the context's own I/O context (checked non-null).
        let size = unsafe { ffi::avio_size(fc.pb) };
        (size >= 0).then_some(size as u64)
    };
    let streams = (0..fc.nb_streams as usize)
        // SAFETY: index < nb_streams and every stream pointer is valid.
        .map(|i| unsafe { stream_info(*fc.streams.add(i)) })
        .collect();
    let video = main_video_index(ctx).and_then(|i| video_params(ctx, i));
    SourceInfo {
        input: input.to_string(),
        format: format.unwrap_or_default(),
        format_long_name: format_long_name.unwrap_or_default(),
        duration_s: seconds(fc.duration, av_time_base).unwrap_or(0.0).max(0.0),
        size_bytes,
        bit_rate: (fc.bit_rate > 0).then_some(fc.bit_rate as u64),
        start_time_s: seconds(fc.start_time, av_time_base).unwrap_or(0.0),
        streams,
        video,
    }
}

/// Raw pointer to stream `index`, or `None` when out of range.
pub(crate) fn stream_ptr(ctx: &Input, index: usize) -> Option<*mut ffi::AVStream> {
    // SAFETY: the context is open; `streams` holds `nb_streams` valid pointers.
    unsafe {
        let fc = &*ctx.as_ptr();
        (index < fc.nb_streams as usize).then(|| *fc.streams.add(index))
    }
}

/// Whether stream `index` exists and carries video that is not cover art.
pub(crate) fn is_video(ctx: &Input, index: usize) -> bool {
    stream_ptr(ctx, index).is_some_and(|st| {
        // SAFETY: `st` comes from the open context and has codec parameters.
        unsafe {
            (*(*st).codecpar).codec_type == ffi::AVMediaType::AVMEDIA_TYPE_VIDEO
                && (*st).disposition & ffi::AV_DISPOSITION_ATTACHED_PIC == 0
        }
    })
}

/// The main video stream: default disposition first, then the most pixels,
/// then the lowest index; attached pictures never count.
pub(crate) fn main_video_index(ctx: &Input) -> Option<usize> {
    // SAFETY: the context is open and its streams are valid.
    let n = unsafe { (*ctx.as_ptr()).nb_streams as usize };
    (0..n)
        .filter(|&i| is_video(ctx, i))
        .filter_map(|i| stream_ptr(ctx, i).map(|st| (i, st)))
        .max_by_key(|&(i, st)| {
            // SAFETY: `st` is a valid stream of the open context.
            let (default, pixels) = unsafe {
                let par = &*(*st).codecpar;
                (
                    (*st).disposition & ffi::AV_DISPOSITION_DEFAULT != 0,
                    par.width.max(0) as u64 * par.height.max(0) as u64,
                )
            };
            (default, pixels, std::cmp::Reverse(i))
        })
        .map(|(i, _)| i)
}

/// The first stream of `kind` (audio: default disposition first).
pub(crate) fn first_stream_of(ctx: &Input, kind: ffi::AVMediaType) -> Option<usize> {
    // SAFETY: the context is open and its streams are valid.
    let n = unsafe { (*ctx.as_ptr()).nb_streams as usize };
    let of_kind: Vec<usize> = (0..n)
        .filter(|&i| {
            // SAFETY: index < nb_streams.
            stream_ptr(ctx, i).is_some_and(|st| unsafe { (*(*st).codecpar).codec_type == kind })
        })
        .collect();
    of_kind
        .iter()
        .copied()
        .find(|&i| {
            // SAFETY: index < nb_streams.
            stream_ptr(ctx, i)
                .is_some_and(|st| unsafe { (*st).disposition & ffi::AV_DISPOSITION_DEFAULT != 0 })
        })
        .or_else(|| of_kind.first().copied())
}

fn codec_name(id: ffi::AVCodecID) -> String {
    // SAFETY: avcodec_get_name accepts any id and returns a static string.
    c_str(unsafe { ffi::avcodec_get_name(id) }).unwrap_or_else(|| "unknown".to_string())
}

fn profile_name(id: ffi::AVCodecID, profile: i32) -> Option<String> {
    if profile == ffi::FF_PROFILE_UNKNOWN {
        return None;
    }
    // SAFETY: returns null or a static string for any (id, profile).
    c_str(unsafe { ffi::avcodec_profile_name(id, profile) })
}

/// Bit rate from the codec parameters, or Matroska's `BPS` tag.
fn stream_bit_rate(st: &ffi::AVStream, par: &ffi::AVCodecParameters) -> Option<u64> {
    if par.bit_rate > 0 {
        return Some(par.bit_rate as u64);
    }
    ["BPS", "BPS-eng"]
        .iter()
        .find_map(|k| dict_get(st.metadata, k))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&b| b > 0)
}

/// # Safety
/// `st` must be a valid stream of an open format context.
unsafe fn stream_info(st: *const ffi::AVStream) -> StreamInfo {
    // SAFETY: per the contract, `st` and its codec parameters are valid.
    let (st, par) = unsafe { (&*st, &*(*st).codecpar) };
    let kind = match par.codec_type {
        ffi::AVMediaType::AVMEDIA_TYPE_VIDEO => StreamKind::Video,
        ffi::AVMediaType::AVMEDIA_TYPE_AUDIO => StreamKind::Audio,
        ffi::AVMediaType::AVMEDIA_TYPE_SUBTITLE => StreamKind::Subtitle,
        ffi::AVMediaType::AVMEDIA_TYPE_DATA => StreamKind::Data,
        ffi::AVMediaType::AVMEDIA_TYPE_ATTACHMENT => StreamKind::Attachment,
        _ => StreamKind::Unknown,
    };
    let codec = codec_name(par.codec_id);
    let language = dict_get(st.metadata, "language").filter(|l| l != "und");
    let d = st.disposition;
    let has = |flag: i32| d & flag != 0;
    let disposition = Disposition {
        default: has(ffi::AV_DISPOSITION_DEFAULT),
        forced: has(ffi::AV_DISPOSITION_FORCED),
        attached_pic: has(ffi::AV_DISPOSITION_ATTACHED_PIC),
        hearing_impaired: has(ffi::AV_DISPOSITION_HEARING_IMPAIRED),
        visual_impaired: has(ffi::AV_DISPOSITION_VISUAL_IMPAIRED),
        comment: has(ffi::AV_DISPOSITION_COMMENT),
    };
    let audio = (kind == StreamKind::Audio).then(|| AudioInfo {
        sample_rate: par.sample_rate.max(0) as u32,
        channels: par.ch_layout.nb_channels.max(0) as u32,
        layout: channel_layout_name(&par.ch_layout),
        sample_format: sample_format_name(par.format),
    });
    let subtitle = (kind == StreamKind::Subtitle).then(|| SubtitleInfo {
        codec: codec.clone(),
        language: language.clone(),
    });
    let video = kind == StreamKind::Video;
    StreamInfo {
        index: st.index.max(0) as usize,
        kind,
        codec,
        profile: profile_name(par.codec_id, par.profile),
        level: (par.level != ffi::FF_LEVEL_UNKNOWN && par.level >= 0).then_some(par.level),
        bit_rate: stream_bit_rate(st, par),
        language,
        disposition,
        time_base: rational(st.time_base),
        duration_s: seconds(st.duration, st.time_base),
        audio,
        subtitle,
        width: (video && par.width > 0).then_some(par.width as u32),
        height: (video && par.height > 0).then_some(par.height as u32),
    }
}

fn channel_layout_name(layout: &ffi::AVChannelLayout) -> Option<String> {
    if layout.nb_channels <= 0 {
        return None;
    }
    let mut buf = [0 as std::os::raw::c_char; 128];
    // SAFETY: `layout` is a valid channel layout; `buf` is writable for its
    // full length and FFmpeg NUL-terminates what it writes.
    let ret = unsafe { ffi::av_channel_layout_describe(layout, buf.as_mut_ptr(), buf.len()) };
    (ret > 0).then(|| c_str(buf.as_ptr())).flatten()
}

/// The sample format of a raw `format` field, when valid.
pub(crate) fn sample_format(raw: i32) -> Option<ffi::AVSampleFormat> {
    if raw < 0 || raw >= ffi::AVSampleFormat::AV_SAMPLE_FMT_NB as i32 {
        return None;
    }
    // SAFETY: `raw` lies in the enum's contiguous valid range (checked above).
    Some(unsafe { std::mem::transmute::<i32, ffi::AVSampleFormat>(raw) })
}

fn sample_format_name(raw: i32) -> Option<String> {
    let fmt = sample_format(raw)?;
    // SAFETY: returns null or a static string.
    c_str(unsafe { ffi::av_get_sample_fmt_name(fmt) })
}

/// The parameters of video stream `index`, or `None` if it is not video.
pub(crate) fn video_params(ctx: &Input, index: usize) -> Option<VideoParams> {
    let st_ptr = stream_ptr(ctx, index)?;
    // SAFETY: `st_ptr` is a valid stream of the open context.
    let (st, par) = unsafe { (&*st_ptr, &*(*st_ptr).codecpar) };
    if par.codec_type != ffi::AVMediaType::AVMEDIA_TYPE_VIDEO {
        return None;
    }
    let fmt = pixfmt::from_raw(par.format);
    let facts = pixfmt::facts(fmt);
    // SAFETY: the context and stream are valid; a null frame asks for the
    // container/stream value only. FFmpeg does not modify either.
    let sar = unsafe {
        ffi::av_guess_sample_aspect_ratio(ctx.as_ptr() as *mut _, st_ptr, std::ptr::null_mut())
    };
    let sar = if sar.num > 0 && sar.den > 0 {
        rational(sar)
    } else {
        Rational::new(1, 1)
    };
    // SAFETY: `st_ptr` is a valid stream.
    let side = unsafe { side_data::from_stream(st_ptr) };
    let color = color_info(par);
    let mut params = VideoParams {
        stream_index: index,
        codec: codec_name(par.codec_id),
        profile: profile_name(par.codec_id, par.profile),
        level: (par.level != ffi::FF_LEVEL_UNKNOWN && par.level >= 0).then_some(par.level),
        resolution: Resolution::new(par.width.max(0) as u32, par.height.max(0) as u32),
        sar,
        pix_fmt: pixfmt::name(fmt),
        layout: facts.and_then(|f| f.direct),
        bit_depth: facts.map(|f| f.bit_depth).unwrap_or(8),
        time_base: rational(st.time_base),
        avg_frame_rate: rational(st.avg_frame_rate),
        r_frame_rate: rational(st.r_frame_rate),
        declared_frames: (st.nb_frames > 0).then_some(st.nb_frames as u64),
        duration_s: seconds(st.duration, st.time_base),
        start_pts: (st.start_time != ffi::AV_NOPTS_VALUE).then_some(st.start_time),
        field_order: field_order(par.field_order),
        hdr: HdrInfo {
            transfer: hdr_transfer(par.color_trc),
            mastering_display: None,
            content_light: None,
        },
        color,
        rotation: 0,
        bit_rate: stream_bit_rate(st, par),
    };
    if facts.is_some_and(|f| f.full_range_variant) {
        params.color.range = ColorRange::Full;
    }
    apply_side_info(&mut params, &side);
    Some(params)
}

/// Fills what `side` knows into `params`, keeping values already set.
pub(crate) fn apply_side_info(params: &mut VideoParams, side: &SideInfo) {
    if params.hdr.mastering_display.is_none() {
        params.hdr.mastering_display = side.mastering_display;
    }
    if params.hdr.content_light.is_none() {
        params.hdr.content_light = side.content_light;
    }
    if let Some(r) = side.rotation {
        if params.rotation == 0 {
            params.rotation = r;
        }
    }
}

/// Whether the stream is HDR but the container carried no static metadata,
/// so a decoded frame's SEI should be consulted.
pub(crate) fn wants_frame_side_data(params: &VideoParams) -> bool {
    params.hdr.transfer.is_some()
        && (params.hdr.mastering_display.is_none() || params.hdr.content_light.is_none())
}

fn field_order(f: ffi::AVFieldOrder) -> FieldOrder {
    use ffi::AVFieldOrder as F;
    match f {
        F::AV_FIELD_PROGRESSIVE => FieldOrder::Progressive,
        // TT: top coded and displayed first; BT: bottom coded, top displayed first.
        F::AV_FIELD_TT | F::AV_FIELD_BT => FieldOrder::Tff,
        F::AV_FIELD_BB | F::AV_FIELD_TB => FieldOrder::Bff,
        _ => FieldOrder::Unknown,
    }
}

fn hdr_transfer(trc: ffi::AVColorTransferCharacteristic) -> Option<String> {
    use ffi::AVColorTransferCharacteristic as T;
    match trc {
        T::AVCOL_TRC_SMPTE2084 => Some("pq".to_string()),
        T::AVCOL_TRC_ARIB_STD_B67 => Some("hlg".to_string()),
        _ => None,
    }
}

fn color_info(par: &ffi::AVCodecParameters) -> ColorInfo {
    use ffi::{AVChromaLocation as L, AVColorPrimaries as P, AVColorRange as R};
    use ffi::{AVColorSpace as S, AVColorTransferCharacteristic as T};
    let primaries = if par.color_primaries == P::AVCOL_PRI_UNSPECIFIED {
        None
    } else {
        // SAFETY: accepts any enum value; returns null or a static string.
        c_str(unsafe { ffi::av_color_primaries_name(par.color_primaries) })
    };
    let transfer = if par.color_trc == T::AVCOL_TRC_UNSPECIFIED {
        None
    } else {
        // SAFETY: accepts any enum value; returns null or a static string.
        c_str(unsafe { ffi::av_color_transfer_name(par.color_trc) })
    };
    let matrix = if par.color_space == S::AVCOL_SPC_UNSPECIFIED {
        None
    } else {
        // SAFETY: accepts any enum value; returns null or a static string.
        c_str(unsafe { ffi::av_color_space_name(par.color_space) })
    };
    let chroma_location = if par.chroma_location == L::AVCHROMA_LOC_UNSPECIFIED {
        None
    } else {
        // SAFETY: accepts any enum value; returns null or a static string.
        c_str(unsafe { ffi::av_chroma_location_name(par.chroma_location) })
    };
    let range = match par.color_range {
        R::AVCOL_RANGE_MPEG => ColorRange::Limited,
        R::AVCOL_RANGE_JPEG => ColorRange::Full,
        _ => ColorRange::Unspecified,
    };
    ColorInfo {
        primaries,
        transfer,
        matrix,
        range,
        chroma_location,
    }
}
