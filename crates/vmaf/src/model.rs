//! libvmaf SVM models: JSON parsing, feature normalisation, nu-SVR with an
//! RBF kernel (as libsvm computes it), score transform and clipping.

use crate::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// The models shipped with this crate (from Netflix/vmaf, BSD+Patent; see
/// `models/LICENSE` and `models/NOTICE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuiltinModel {
    /// `vmaf_v0.6.1`: 1080p display at 3H, integer features. The default.
    #[default]
    V061,
    /// `vmaf_4k_v0.6.1`: 4K display at 1.5H.
    V061_4k,
    /// `vmaf_v0.6.1neg`: no credit for enhancement (gain limits 1).
    V061Neg,
    /// `vmaf_float_v0.6.1`: the float features.
    FloatV061,
}

impl BuiltinModel {
    /// libvmaf's name of the model (`version=` on its command line).
    pub fn name(self) -> &'static str {
        match self {
            BuiltinModel::V061 => "vmaf_v0.6.1",
            BuiltinModel::V061_4k => "vmaf_4k_v0.6.1",
            BuiltinModel::V061Neg => "vmaf_v0.6.1neg",
            BuiltinModel::FloatV061 => "vmaf_float_v0.6.1",
        }
    }

    /// The model by libvmaf name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::V061, Self::V061_4k, Self::V061Neg, Self::FloatV061]
            .into_iter()
            .find(|m| m.name() == name)
    }

    fn json(self) -> &'static str {
        match self {
            BuiltinModel::V061 => include_str!("../models/vmaf_v0.6.1.json"),
            BuiltinModel::V061_4k => include_str!("../models/vmaf_4k_v0.6.1.json"),
            BuiltinModel::V061Neg => include_str!("../models/vmaf_v0.6.1neg.json"),
            BuiltinModel::FloatV061 => include_str!("../models/vmaf_float_v0.6.1.json"),
        }
    }
}

/// One input of the SVM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFeature {
    /// `integer_adm2`.
    Adm2,
    /// `integer_motion2`.
    Motion2,
    /// `integer_vif_scaleN`.
    Vif(usize),
    /// `float` ADM2 (`VMAF_feature_adm2_score`).
    FloatAdm2,
    /// float motion2.
    FloatMotion2,
    /// float VIF scale N.
    FloatVif(usize),
}

impl ModelFeature {
    fn parse(name: &str) -> Option<Self> {
        let (float, rest) = if let Some(r) = name.strip_prefix("VMAF_integer_feature_") {
            (false, r.strip_suffix("_score")?)
        } else if let Some(r) = name.strip_prefix("VMAF_feature_") {
            (true, r.strip_suffix("_score")?)
        } else if let Some(r) = name.strip_prefix("integer_") {
            (false, r)
        } else if let Some(r) = name.strip_prefix("float_") {
            (true, r)
        } else {
            return None;
        };
        let f = match rest {
            "adm2" => ModelFeature::Adm2,
            "motion2" => ModelFeature::Motion2,
            _ => {
                let s: usize = rest.strip_prefix("vif_scale")?.parse().ok()?;
                if s > 3 {
                    return None;
                }
                ModelFeature::Vif(s)
            }
        };
        Some(match (float, f) {
            (false, f) => f,
            (true, ModelFeature::Adm2) => ModelFeature::FloatAdm2,
            (true, ModelFeature::Motion2) => ModelFeature::FloatMotion2,
            (true, ModelFeature::Vif(s)) => ModelFeature::FloatVif(s),
            (true, f) => f,
        })
    }

    /// Whether the float extractors are needed.
    pub fn is_float(self) -> bool {
        matches!(
            self,
            ModelFeature::FloatAdm2 | ModelFeature::FloatMotion2 | ModelFeature::FloatVif(_)
        )
    }
}

/// The optional polynomial score transform.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTransform {
    pub enabled: bool,
    pub p0: Option<f64>,
    pub p1: Option<f64>,
    pub p2: Option<f64>,
    /// Piecewise-linear knots (x, y), applied after the polynomial.
    pub knots: Vec<(f64, f64)>,
    pub out_gte_in: bool,
    pub out_lte_in: bool,
}

/// A parsed libvmaf SVM model.
#[derive(Debug, Clone)]
pub struct SvmModel {
    /// Model name (file stem or built-in name).
    pub name: String,
    /// Inputs, in `feature_names` order.
    pub features: Vec<ModelFeature>,
    slopes: Vec<f64>,
    intercepts: Vec<f64>,
    gamma: f64,
    rho: f64,
    coefs: Vec<f64>,
    /// Dense support vectors, `features.len()` values each.
    svs: Vec<f64>,
    /// Clip range of the final score.
    pub clip: Option<(f64, f64)>,
    pub transform: Option<ScoreTransform>,
    /// `adm_enhn_gain_limit` the model asks for (100 by default).
    pub adm_enhn_gain_limit: f64,
    /// `vif_enhn_gain_limit` the model asks for (100 by default).
    pub vif_enhn_gain_limit: f64,
}

fn bad(name: &str, reason: impl Into<String>) -> Error {
    Error::Model {
        source_name: Some(name.to_string()),
        reason: reason.into(),
    }
}

fn f64_list(v: &Value, key: &str, name: &str) -> Result<Vec<f64>> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| bad(name, format!("missing array `{key}`")))?
        .iter()
        .map(|x| {
            x.as_f64()
                .ok_or_else(|| bad(name, format!("non-number in `{key}`")))
        })
        .collect()
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        _ => false,
    }
}

impl SvmModel {
    /// A built-in model.
    pub fn builtin(model: BuiltinModel) -> Result<Self> {
        Self::from_json(model.json(), model.name())
    }

    /// Reads a libvmaf JSON model file.
    ///
    /// # Errors
    /// [`Error::ModelIo`] when the file cannot be read, [`Error::Model`] when
    /// it is not a libvmaf SVM model with supported features.
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ModelIo {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".to_string());
        Self::from_json(&text, &name)
    }

    /// Parses a libvmaf JSON model (`model_dict` with an embedded libsvm model).
    ///
    /// # Errors
    /// [`Error::Model`] on malformed JSON, an unknown normalisation, kernel or
    /// SVM type, or a feature this crate does not compute.
    pub fn from_json(text: &str, name: &str) -> Result<Self> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| bad(name, format!("not JSON: {e}")))?;
        let md = root
            .get("model_dict")
            .ok_or_else(|| bad(name, "no `model_dict`"))?;
        match md.get("model_type").and_then(Value::as_str) {
            Some("LIBSVMNUSVR") | None => {}
            Some(t) => return Err(bad(name, format!("unsupported model_type {t}"))),
        }
        let features = md
            .get("feature_names")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(name, "missing `feature_names`"))?
            .iter()
            .map(|f| {
                let s = f.as_str().unwrap_or("");
                ModelFeature::parse(s).ok_or_else(|| bad(name, format!("unsupported feature {s}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let n = features.len();
        let (slopes, intercepts) = match md.get("norm_type").and_then(Value::as_str) {
            Some("linear_rescale") => (
                f64_list(md, "slopes", name)?,
                f64_list(md, "intercepts", name)?,
            ),
            Some("none") | None => (vec![1.0; n + 1], vec![0.0; n + 1]),
            Some(t) => return Err(bad(name, format!("unsupported norm_type {t}"))),
        };
        if slopes.len() != n + 1 || intercepts.len() != n + 1 {
            return Err(bad(
                name,
                format!("slopes/intercepts need {} values", n + 1),
            ));
        }
        let clip = match md.get("score_clip") {
            Some(v) => {
                let c = f64_list(md, "score_clip", name)?;
                if c.len() != 2 || v.is_null() {
                    return Err(bad(name, "score_clip needs two values"));
                }
                Some((c[0], c[1]))
            }
            None => None,
        };
        let transform = md.get("score_transform").map(|t| {
            let num = |k: &str| t.get(k).and_then(Value::as_f64);
            let knots = t
                .get("knots")
                .and_then(Value::as_array)
                .map(|ks| {
                    ks.iter()
                        .filter_map(|k| {
                            let a = k.as_array()?;
                            Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
                        })
                        .collect()
                })
                .unwrap_or_default();
            ScoreTransform {
                enabled: truthy(t.get("enabled")),
                p0: num("p0"),
                p1: num("p1"),
                p2: num("p2"),
                knots,
                out_gte_in: truthy(t.get("out_gte_in")),
                out_lte_in: truthy(t.get("out_lte_in")),
            }
        });
        let (mut adm_egl, mut vif_egl) = (100.0, 100.0);
        if let Some(opts) = md.get("feature_opts_dicts").and_then(Value::as_array) {
            for o in opts {
                if let Some(v) = o.get("adm_enhn_gain_limit").and_then(Value::as_f64) {
                    adm_egl = v;
                }
                if let Some(v) = o.get("vif_enhn_gain_limit").and_then(Value::as_f64) {
                    vif_egl = v;
                }
            }
        }
        let svm = md
            .get("model")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(name, "missing libsvm `model` text"))?;
        let mut m = SvmModel {
            name: name.to_string(),
            features,
            slopes,
            intercepts,
            gamma: 0.0,
            rho: 0.0,
            coefs: Vec::new(),
            svs: Vec::new(),
            clip,
            transform,
            adm_enhn_gain_limit: adm_egl,
            vif_enhn_gain_limit: vif_egl,
        };
        m.parse_libsvm(svm)?;
        Ok(m)
    }

    fn parse_libsvm(&mut self, text: &str) -> Result<()> {
        let name = self.name.clone();
        let n = self.features.len();
        let mut lines = text.lines();
        let mut gamma = None;
        let mut rho = None;
        for line in lines.by_ref() {
            let mut it = line.split_whitespace();
            let key = it.next().unwrap_or("");
            let val = it.next().unwrap_or("");
            match key {
                "SV" => break,
                "svm_type" if val != "nu_svr" && val != "epsilon_svr" => {
                    return Err(bad(&name, format!("unsupported svm_type {val}")))
                }
                "kernel_type" if val != "rbf" => {
                    return Err(bad(&name, format!("unsupported kernel_type {val}")))
                }
                "gamma" => gamma = val.parse::<f64>().ok(),
                "rho" => rho = val.parse::<f64>().ok(),
                _ => {}
            }
        }
        self.gamma = gamma.ok_or_else(|| bad(&name, "libsvm model has no gamma"))?;
        self.rho = rho.ok_or_else(|| bad(&name, "libsvm model has no rho"))?;
        for line in lines {
            let mut it = line.split_whitespace();
            let Some(coef) = it.next() else { continue };
            let coef: f64 = coef
                .parse()
                .map_err(|_| bad(&name, format!("bad SV coefficient {coef}")))?;
            let mut sv = vec![0.0; n];
            for node in it {
                let (idx, val) = node
                    .split_once(':')
                    .ok_or_else(|| bad(&name, format!("bad SV node {node}")))?;
                let idx: usize = idx
                    .parse()
                    .map_err(|_| bad(&name, format!("bad SV index {idx}")))?;
                let val: f64 = val
                    .parse()
                    .map_err(|_| bad(&name, format!("bad SV value {val}")))?;
                if idx == 0 || idx > n {
                    return Err(bad(&name, format!("SV index {idx} outside 1..={n}")));
                }
                sv[idx - 1] = val;
            }
            self.coefs.push(coef);
            self.svs.extend_from_slice(&sv);
        }
        if self.coefs.is_empty() {
            return Err(bad(&name, "libsvm model has no support vectors"));
        }
        Ok(())
    }

    /// Whether the model needs the float extractors.
    pub fn needs_float(&self) -> bool {
        self.features.iter().any(|f| f.is_float())
    }

    /// The score of one frame from its features (in `features` order).
    /// `enable_transform` forces the score transform on, as libvmaf's
    /// `enable_transform` option does; otherwise it applies only when the
    /// model says `"enabled": true`.
    pub fn predict(&self, features: &[f64], enable_transform: bool) -> f64 {
        let n = self.features.len();
        let x: Vec<f64> = features
            .iter()
            .take(n)
            .enumerate()
            .map(|(i, &f)| self.slopes[i + 1] * f + self.intercepts[i + 1])
            .collect();
        let mut sum = 0.0;
        for (coef, sv) in self.coefs.iter().zip(self.svs.chunks_exact(n.max(1))) {
            let mut d2 = 0.0;
            for (a, b) in x.iter().zip(sv) {
                let d = a - b;
                d2 += d * d;
            }
            sum += coef * (-self.gamma * d2).exp();
        }
        let y = sum - self.rho;
        let mut score = (y - self.intercepts[0]) / self.slopes[0];
        if let Some(t) = &self.transform {
            if t.enabled || enable_transform {
                score = t.apply(score);
            }
        }
        if let Some((lo, hi)) = self.clip {
            score = score.clamp(lo, hi);
        }
        score
    }
}

impl ScoreTransform {
    fn apply(&self, score: f64) -> f64 {
        let mut v = 0.0;
        if let Some(p) = self.p0 {
            v += p;
        }
        if let Some(p) = self.p1 {
            v += p * score;
        }
        if let Some(p) = self.p2 {
            v += p * score * score;
        }
        if self.p0.is_none() && self.p1.is_none() && self.p2.is_none() {
            v = score;
        }
        if self.knots.len() >= 2 {
            v = piecewise(&self.knots, v);
        }
        if self.out_gte_in {
            v = v.max(score);
        }
        if self.out_lte_in {
            v = v.min(score);
        }
        v
    }
}

fn piecewise(knots: &[(f64, f64)], x: f64) -> f64 {
    let mut seg = (knots[0], knots[1]);
    for w in knots.windows(2) {
        seg = (w[0], w[1]);
        if x <= w[1].0 {
            break;
        }
    }
    let ((x0, y0), (x1, y1)) = seg;
    if x1 == x0 {
        y1
    } else {
        y0 + (x - x0) * (y1 - y0) / (x1 - x0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse() {
        for m in [
            BuiltinModel::V061,
            BuiltinModel::V061_4k,
            BuiltinModel::V061Neg,
            BuiltinModel::FloatV061,
        ] {
            let s = SvmModel::builtin(m).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.features.len(), 6);
            assert_eq!(s.needs_float(), m == BuiltinModel::FloatV061);
        }
        let neg = SvmModel::builtin(BuiltinModel::V061Neg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (neg.adm_enhn_gain_limit, neg.vif_enhn_gain_limit),
            (1.0, 1.0)
        );
        let def = SvmModel::builtin(BuiltinModel::V061).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.coefs.len(), 211);
        assert_eq!(def.gamma, 0.04);
        assert!(def.transform.as_ref().is_some_and(|t| !t.enabled));
    }

    #[test]
    fn rejects_garbage() {
        assert!(SvmModel::from_json("{", "x").is_err());
        assert!(SvmModel::from_json("{}", "x").is_err());
        let m = r#"{"model_dict": {"feature_names": ["VMAF_feature_cambi_score"], "model": ""}}"#;
        assert!(SvmModel::from_json(m, "x").is_err());
    }
}
