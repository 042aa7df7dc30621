//! The scorer: configuration, the frame-parallel pipeline and the assembly
//! of per-frame and pooled scores.

use crate::features::{compute, FrameFeatures, FramePlan};
use crate::float::{motion2_from_sads, sad as float_sad, BlurredLuma};
use crate::integer::motion::motion2;
use crate::model::{BuiltinModel, ModelFeature, SvmModel};
use crate::part::ClipPart;
use crate::pool::Pooled;
use crate::simd::Isa;
use crate::{Error, Result};
use reel_core::{FramePlanes, VideoFrame};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Arc;

/// Which model scores the frames.
#[derive(Debug, Clone)]
pub enum Model {
    /// One of the models shipped with the crate.
    Builtin(BuiltinModel),
    /// A model parsed from a user's JSON file ([`SvmModel::from_path`]).
    Custom(Arc<SvmModel>),
}

impl Default for Model {
    fn default() -> Self {
        Model::Builtin(BuiltinModel::V061)
    }
}

/// Metrics computed besides VMAF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeatureSet {
    /// `psnr_y`, `psnr_cb`, `psnr_cr`.
    pub psnr: bool,
    /// `float_ssim`.
    pub ssim: bool,
    /// `float_ms_ssim`.
    pub ms_ssim: bool,
}

/// Configuration of a [`Vmaf`] scorer.
#[derive(Debug, Clone)]
pub struct VmafConfig {
    pub model: Model,
    pub features: FeatureSet,
    /// Score every n-th frame (1 = all). Motion still sees every frame.
    pub subsample: u32,
    /// The rayon pool to run on; `None` uses rayon's global pool.
    pub pool: Option<Arc<rayon::ThreadPool>>,
    /// Apply the model's score transform even when it is not enabled.
    pub enable_transform: bool,
    /// Use the AVX2 copies of the hot loops when the CPU has them (results
    /// are identical either way).
    pub simd: bool,
}

impl Default for VmafConfig {
    fn default() -> Self {
        Self {
            model: Model::default(),
            features: FeatureSet::default(),
            subsample: 1,
            pool: None,
            enable_transform: false,
            simd: true,
        }
    }
}

/// Scores of one frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrameScores {
    /// Index of the frame in the input.
    pub frame_num: u64,
    /// Metric values by libvmaf name (`vmaf`, `integer_adm2`, `psnr_y`...).
    pub metrics: BTreeMap<String, f64>,
}

/// Scores of a whole clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Name of the model used.
    pub model: String,
    pub frames: Vec<FrameScores>,
    /// Pooled statistics per metric.
    pub pooled: BTreeMap<String, Pooled>,
}

/// A VMAF scorer. Build it once, score many clips.
#[derive(Debug, Clone)]
pub struct Vmaf {
    model: Arc<SvmModel>,
    config: VmafConfig,
    isa: Isa,
}

impl Vmaf {
    /// Validates `config` and loads its model.
    ///
    /// # Errors
    /// [`Error::Config`] for `subsample == 0`; [`Error::Model`] when the model
    /// cannot be parsed or uses features this crate does not compute.
    pub fn try_new(config: VmafConfig) -> Result<Self> {
        if config.subsample == 0 {
            return Err(Error::Config("subsample must be at least 1".into()));
        }
        let model = match &config.model {
            Model::Builtin(b) => Arc::new(SvmModel::builtin(*b)?),
            Model::Custom(m) => m.clone(),
        };
        let isa = if config.simd {
            Isa::detect()
        } else {
            Isa::scalar()
        };
        Ok(Self { model, config, isa })
    }

    /// The model in use.
    pub fn model(&self) -> &SvmModel {
        &self.model
    }

    /// Whether scoring reads the distorted frame of pair `index`. With
    /// `subsample` above 1 and an integer model, the pairs in between only
    /// feed the reference's motion, so a caller may pass any frame of the
    /// right size and depth there instead of preparing the distorted one.
    pub fn reads_distorted(&self, index: u64) -> bool {
        self.plan(index).full || self.model.needs_float()
    }

    fn threads(&self) -> usize {
        match &self.config.pool {
            Some(p) => p.current_num_threads(),
            None => rayon::current_num_threads(),
        }
        .max(1)
    }

    fn plan(&self, index: u64) -> FramePlan {
        let f = self.config.features;
        FramePlan {
            full: index.is_multiple_of(u64::from(self.config.subsample)),
            integer: self.model.features.iter().any(|f| !f.is_float()),
            float: self.model.needs_float(),
            psnr: f.psnr,
            ssim: f.ssim,
            ms_ssim: f.ms_ssim,
            adm_egl: self.model.adm_enhn_gain_limit,
            vif_egl: self.model.vif_enhn_gain_limit,
            isa: self.isa,
        }
    }

    /// Scores a clip given as (reference, distorted) frame pairs in display
    /// order. Frames are scored in parallel on the pool; at most about two
    /// frame pairs per thread are held at once, whatever the clip length.
    /// Results do not depend on the thread count.
    ///
    /// # Errors
    /// The first error of the source (use [`pair_frames`] to get
    /// [`Error::FrameCountMismatch`] when the two videos differ in length);
    /// [`Error::FrameMismatch`] when a pair differs in size or bit depth, or a
    /// bit depth is outside 8..=12; errors of the extra metrics.
    pub fn score<I>(&self, frames: I) -> Result<Scores>
    where
        I: IntoIterator<Item = Result<(VideoFrame, VideoFrame)>>,
    {
        self.score_run(0, frames)?.finish(0..u64::MAX)
    }

    /// Scores `part` of a longer clip given as the pairs of
    /// [`ClipPart::input`] (the part and a frame either side where the clip
    /// has one). Its frames' scores equal those of a whole-clip run, so
    /// parts scored apart (on other machines) and joined by
    /// [`Scores::join`] equal [`Vmaf::score`] of the clip.
    ///
    /// # Errors
    /// As [`Vmaf::score`]; [`Error::Config`] for a part outside its clip;
    /// [`Error::Source`] when the pairs end before the input does.
    pub fn score_part<I>(&self, part: ClipPart, frames: I) -> Result<Scores>
    where
        I: IntoIterator<Item = Result<(VideoFrame, VideoFrame)>>,
    {
        part.check()?;
        let input = part.input();
        let collector = self.score_run(input.start, frames)?;
        if collector.next != input.end {
            return Err(Error::Source {
                frame: collector.next,
                message: format!(
                    "the frames of part {}..{} ended at frame {}",
                    part.start, part.end, collector.next
                ),
            });
        }
        collector.finish(part.start..part.end)
    }

    /// Computes the features of `frames`, numbered from `first_index`, in order.
    fn score_run<I>(&self, first_index: u64, frames: I) -> Result<Collector<'_>>
    where
        I: IntoIterator<Item = Result<(VideoFrame, VideoFrame)>>,
    {
        let max_in_flight = 2 * self.threads();
        let (tx, rx) = mpsc::channel::<(u64, Result<FrameFeatures>)>();
        let mut collector = Collector::new(self, first_index);
        // Jobs spawned whose result has not arrived yet.
        let mut outstanding = 0usize;
        let mut prev_ref: Option<Arc<VideoFrame>> = None;
        let mut failure: Option<Error> = None;
        let mut first: Option<(reel_core::Resolution, u8)> = None;
        for (index, item) in (first_index..).zip(frames) {
            let pair = item.and_then(|(r, d)| {
                check_pair(index, &r, &d, &mut first)?;
                Ok((r, d))
            });
            let (r, d) = match pair {
                Ok(p) => p,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            let r = Arc::new(r);
            let prev = prev_ref.replace(r.clone());
            let plan = self.plan(index);
            let tx = tx.clone();
            let job = move || {
                let res = compute(index, &plan, &r, &d, prev.as_deref());
                // The receiver only goes away when scoring was abandoned.
                let _ = tx.send((index, res));
            };
            match &self.config.pool {
                Some(p) => p.spawn(job),
                None => rayon::spawn(job),
            }
            outstanding += 1;
            // Frames held = jobs running + results waiting for an earlier frame.
            while outstanding > 0 && outstanding + collector.waiting() >= max_in_flight {
                collector.receive(&rx)?;
                outstanding -= 1;
            }
            if collector.failed() {
                break;
            }
        }
        drop(prev_ref);
        while outstanding > 0 {
            collector.receive(&rx)?;
            outstanding -= 1;
        }
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(collector)
    }
}

/// Validates a frame pair against itself and the first pair.
fn check_pair(
    index: u64,
    r: &VideoFrame,
    d: &VideoFrame,
    first: &mut Option<(reel_core::Resolution, u8)>,
) -> Result<()> {
    let fail = |reason: String| {
        Err(Error::FrameMismatch {
            frame: index,
            reason,
        })
    };
    if r.resolution != d.resolution {
        return fail(format!(
            "reference is {} but distorted is {}",
            r.resolution, d.resolution
        ));
    }
    if r.layout.bit_depth != d.layout.bit_depth {
        return fail(format!(
            "reference is {}-bit but distorted is {}-bit",
            r.layout.bit_depth, d.layout.bit_depth
        ));
    }
    let b = r.layout.bit_depth;
    let sample_ok = |p: &FramePlanes| match p {
        FramePlanes::U8(_) => b == 8,
        FramePlanes::U16(_) => (9..=16).contains(&b),
    };
    if !(8..=12).contains(&b) {
        return fail(format!("{b}-bit video (8 to 12 bits are supported)"));
    }
    if !sample_ok(&r.planes) || !sample_ok(&d.planes) || r.planes.is_empty() || d.planes.is_empty()
    {
        return fail(format!("planes do not hold {b}-bit samples"));
    }
    let luma_ok = |f: &VideoFrame| match &f.planes {
        FramePlanes::U8(p) => {
            p[0].width() == f.resolution.width as usize
                && p[0].height() == f.resolution.height as usize
        }
        FramePlanes::U16(p) => {
            p[0].width() == f.resolution.width as usize
                && p[0].height() == f.resolution.height as usize
        }
    };
    if !luma_ok(r) || !luma_ok(d) {
        return fail("luma plane size differs from the frame resolution".into());
    }
    if r.resolution.width < 16 || r.resolution.height < 16 {
        return fail(format!("{} is too small (16x16 at least)", r.resolution));
    }
    match first {
        None => *first = Some((r.resolution, b)),
        Some((res, depth)) if (*res, *depth) != (r.resolution, b) => {
            return fail(format!(
                "{} {}-bit differs from the first frame's {} {}-bit",
                r.resolution, b, res, depth
            ))
        }
        Some(_) => {}
    }
    Ok(())
}

/// Gathers per-frame features in frame order and builds the scores.
struct Collector<'a> {
    vmaf: &'a Vmaf,
    pending: BTreeMap<u64, FrameFeatures>,
    next: u64,
    frames: Vec<FrameFeatures>,
    float_sads: Vec<f64>,
    prev_blur: Option<BlurredLuma>,
    error: Option<Error>,
}

impl<'a> Collector<'a> {
    fn new(vmaf: &'a Vmaf, first: u64) -> Self {
        Self {
            vmaf,
            pending: BTreeMap::new(),
            next: first,
            frames: Vec::new(),
            float_sads: Vec::new(),
            prev_blur: None,
            error: None,
        }
    }

    fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Results that arrived before an earlier frame's.
    fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// Waits for one result and takes every frame that is now in order.
    fn receive(&mut self, rx: &mpsc::Receiver<(u64, Result<FrameFeatures>)>) -> Result<()> {
        let (index, res) = rx.recv().map_err(|_| Error::WorkerLost(self.next))?;
        match res {
            Ok(f) if self.error.is_none() => {
                self.pending.insert(index, f);
            }
            Ok(_) => return Ok(()),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                    self.pending.clear();
                }
                return Ok(());
            }
        }
        while let Some(mut f) = self.pending.remove(&self.next) {
            if let Some(blur) = f.blur.take() {
                let s = match &self.prev_blur {
                    Some(p) => float_sad(p, &blur).unwrap_or(0.0),
                    None => 0.0,
                };
                self.float_sads.push(s);
                self.prev_blur = Some(blur);
            }
            self.frames.push(f);
            self.next += 1;
        }
        Ok(())
    }

    /// The scores of the frames numbered within `keep`. The motion of the
    /// first frame run and the motion2 of the last are only right at the
    /// clip's ends, which is why a part's run has a frame either side.
    fn finish(mut self, keep: std::ops::Range<u64>) -> Result<Scores> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !self.pending.is_empty() {
            return Err(Error::WorkerLost(self.next));
        }
        let model = &self.vmaf.model;
        let sads: Vec<f64> = self.frames.iter().map(|f| f.sad).collect();
        let float_m2 = motion2_from_sads(&self.float_sads);
        let mut out = Vec::new();
        for (i, f) in self.frames.iter().enumerate() {
            if !f.full || !keep.contains(&f.index) {
                continue;
            }
            let mut m = BTreeMap::new();
            let int_m2 = if i == 0 {
                0.0
            } else {
                motion2(sads[i], sads.get(i + 1).copied())
            };
            if let (Some(v), Some(a)) = (&f.vif, &f.adm) {
                m.insert("integer_adm2".to_string(), a.adm2);
                for s in 0..4 {
                    m.insert(format!("integer_adm_scale{s}"), a.scale[s]);
                    m.insert(format!("integer_vif_scale{s}"), v.scale[s]);
                }
                m.insert("integer_motion".to_string(), sads[i]);
                m.insert("integer_motion2".to_string(), int_m2);
            }
            let fm2 = float_m2.get(i).copied().unwrap_or(0.0);
            if let Some(ff) = &f.float {
                m.insert("adm2".to_string(), ff.adm2);
                for s in 0..4 {
                    m.insert(format!("vif_scale{s}"), ff.vif[s]);
                }
                m.insert("motion".to_string(), self.float_sads[i]);
                m.insert("motion2".to_string(), fm2);
            }
            let inputs: Vec<f64> = model
                .features
                .iter()
                .map(|feat| match feat {
                    ModelFeature::Adm2 => f.adm.map_or(0.0, |a| a.adm2),
                    ModelFeature::Motion2 => int_m2,
                    ModelFeature::Vif(s) => f.vif.map_or(0.0, |v| v.scale[*s]),
                    ModelFeature::FloatAdm2 => f.float.as_ref().map_or(0.0, |x| x.adm2),
                    ModelFeature::FloatMotion2 => fm2,
                    ModelFeature::FloatVif(s) => f.float.as_ref().map_or(0.0, |x| x.vif[*s]),
                })
                .collect();
            m.insert(
                "vmaf".to_string(),
                model.predict(&inputs, self.vmaf.config.enable_transform),
            );
            for (k, v) in &f.extra {
                m.insert((*k).to_string(), *v);
            }
            out.push(FrameScores {
                frame_num: f.index,
                metrics: m,
            });
        }
        Ok(Scores::from_frames(model.name.clone(), out))
    }
}

/// Zips reference and distorted frame sources into pairs, turning a length
/// difference into [`Error::FrameCountMismatch`] with both counts (the
/// longer source is drained to count it) and source errors into
/// [`Error::Source`].
pub fn pair_frames<R, D, E1, E2>(
    reference: R,
    distorted: D,
) -> impl Iterator<Item = Result<(VideoFrame, VideoFrame)>>
where
    R: IntoIterator<Item = std::result::Result<VideoFrame, E1>>,
    D: IntoIterator<Item = std::result::Result<VideoFrame, E2>>,
    E1: std::fmt::Display,
    E2: std::fmt::Display,
{
    let mut r = reference.into_iter();
    let mut d = distorted.into_iter();
    let mut n = 0u64;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let src = |frame: u64, e: &dyn std::fmt::Display| Error::Source {
            frame,
            message: e.to_string(),
        };
        let item = match (r.next(), d.next()) {
            (None, None) => {
                done = true;
                return None;
            }
            (Some(Ok(a)), Some(Ok(b))) => Ok((a, b)),
            (Some(Err(e)), _) => Err(src(n, &e)),
            (_, Some(Err(e))) => Err(src(n, &e)),
            (Some(Ok(_)), None) => Err(Error::FrameCountMismatch {
                reference: n + 1 + r.by_ref().count() as u64,
                distorted: n,
            }),
            (None, Some(Ok(_))) => Err(Error::FrameCountMismatch {
                reference: n,
                distorted: n + 1 + d.by_ref().count() as u64,
            }),
        };
        if item.is_err() {
            done = true;
        }
        n += 1;
        Some(item)
    })
}
