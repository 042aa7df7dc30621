//! A job's settings and where they come from: flags, then a TOML config
//! file, then environment variables (`REEL_*`), then the defaults.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Codecs a job can encode.
pub const CODECS: [&str; 4] = ["h264", "hevc", "av1", "vp9"];
/// Fixed ladders a job can use instead of a per-title one.
pub const STATIC_LADDERS: [&str; 2] = ["apple", "netflix2015"];

/// The settings that decide a job's output; they are part of its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSettings {
    /// Video codec of every rung.
    pub codec: String,
    /// A fixed ladder (`apple`, `netflix2015`) instead of the per-title one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_ladder: Option<String>,
    /// VMAF the per-title ladder's top rung aims for.
    pub target_vmaf: f64,
    /// Whether the validate stage runs.
    pub validate: bool,
    /// Longest encode chunk in seconds (the unit of parallel and batch work);
    /// absent for the default (10 s), which keeps older job ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chunk_s: Option<f64>,
    /// Hardware encoders for every rung (`nvenc`: `h264_nvenc`, `hevc_nvenc`,
    /// `av1_nvenc`) instead of the software ones; absent for software, which
    /// keeps older job ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<String>,
}

impl JobSettings {
    /// The FFmpeg encoder every rung uses instead of the codec's default.
    pub fn rung_encoder(&self) -> Option<String> {
        self.hardware
            .as_ref()
            .map(|hw| format!("{}_{hw}", self.codec))
    }
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            codec: "h264".into(),
            static_ladder: None,
            target_vmaf: 95.0,
            validate: true,
            max_chunk_s: None,
            hardware: None,
        }
    }
}

/// Settings from one origin, each optional; higher layers win.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsLayer {
    /// Where these came from, for error messages.
    #[serde(skip)]
    pub origin: String,
    pub codec: Option<String>,
    #[serde(rename = "static")]
    pub static_ladder: Option<String>,
    pub target_vmaf: Option<f64>,
    pub validate: Option<bool>,
    pub max_chunk: Option<f64>,
    pub hardware: Option<String>,
}

/// Hardware encoder families, and the codecs each has.
pub const HARDWARE: [(&str, &[&str]); 1] = [("nvenc", &["h264", "hevc", "av1"])];

impl SettingsLayer {
    /// Settings from a TOML config file's `text` (keys `codec`, `static`,
    /// `target_vmaf`, `validate`, `max_chunk`, `hardware`); `path` names it in errors.
    ///
    /// # Errors
    /// [`Error::Config`] for invalid TOML, a wrong type or an unknown key.
    pub fn from_toml(text: &str, path: &str) -> Result<Self> {
        let mut layer: SettingsLayer = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_string(),
            reason: e.message().to_string(),
        })?;
        layer.origin = path.to_string();
        Ok(layer)
    }

    /// Settings from `REEL_CODEC`, `REEL_STATIC`, `REEL_TARGET_VMAF`,
    /// `REEL_VALIDATE`, `REEL_MAX_CHUNK` and `REEL_HARDWARE` as `lookup` returns them.
    ///
    /// # Errors
    /// [`Error::Setting`] for a number or boolean that does not parse.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let parsed = |var: &str, reason: &str, value: String| Error::Setting {
            origin: format!("environment variable {var}"),
            key: var.to_string(),
            value,
            reason: reason.to_string(),
        };
        let number = |var: &str| -> Result<Option<f64>> {
            match lookup(var) {
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| parsed(var, "not a number", v)),
                None => Ok(None),
            }
        };
        let target_vmaf = number("REEL_TARGET_VMAF")?;
        let max_chunk = number("REEL_MAX_CHUNK")?;
        let validate = match lookup("REEL_VALIDATE") {
            Some(v) => Some(match v.trim() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => return Err(parsed("REEL_VALIDATE", "not true/false/1/0", v)),
            }),
            None => None,
        };
        Ok(Self {
            origin: "the environment".into(),
            codec: lookup("REEL_CODEC"),
            static_ladder: lookup("REEL_STATIC"),
            target_vmaf,
            validate,
            max_chunk,
            hardware: lookup("REEL_HARDWARE"),
        })
    }
}

impl JobSettings {
    /// Merges `layers` (highest precedence first) over the defaults and
    /// checks every value.
    ///
    /// # Errors
    /// [`Error::Setting`] naming the layer a bad value came from.
    pub fn resolve(layers: &[SettingsLayer]) -> Result<JobSettings> {
        let mut out = JobSettings::default();
        // Lowest first, so higher layers overwrite.
        for layer in layers.iter().rev() {
            let bad = |key: &str, value: String, reason: String| Error::Setting {
                origin: layer.origin.clone(),
                key: key.to_string(),
                value,
                reason,
            };
            if let Some(codec) = &layer.codec {
                if !CODECS.contains(&codec.as_str()) {
                    return Err(bad(
                        "codec",
                        codec.clone(),
                        format!("not one of {}", CODECS.join(", ")),
                    ));
                }
                out.codec = codec.clone();
            }
            if let Some(name) = &layer.static_ladder {
                if name.is_empty() || name == "none" {
                    out.static_ladder = None;
                } else if STATIC_LADDERS.contains(&name.as_str()) {
                    out.static_ladder = Some(name.clone());
                } else {
                    return Err(bad(
                        "static",
                        name.clone(),
                        format!("not one of {}, none", STATIC_LADDERS.join(", ")),
                    ));
                }
            }
            if let Some(v) = layer.target_vmaf {
                if !(v.is_finite() && (1.0..=100.0).contains(&v)) {
                    return Err(bad(
                        "target_vmaf",
                        v.to_string(),
                        "not between 1 and 100".into(),
                    ));
                }
                out.target_vmaf = v;
            }
            if let Some(v) = layer.validate {
                out.validate = v;
            }
            if let Some(v) = layer.max_chunk {
                if !(v.is_finite() && (0.5..=600.0).contains(&v)) {
                    return Err(bad(
                        "max_chunk",
                        v.to_string(),
                        "not between 0.5 and 600 seconds".into(),
                    ));
                }
                out.max_chunk_s = Some(v);
            }
            if let Some(hw) = &layer.hardware {
                if hw.is_empty() || hw == "none" {
                    out.hardware = None;
                } else if HARDWARE.iter().any(|(name, _)| name == hw) {
                    out.hardware = Some(hw.clone());
                } else {
                    return Err(bad("hardware", hw.clone(), "not one of nvenc, none".into()));
                }
            }
        }
        if let Some(hw) = &out.hardware {
            let codecs = HARDWARE
                .iter()
                .find(|(name, _)| name == hw)
                .map_or(&[][..], |(_, c)| *c);
            if !codecs.contains(&out.codec.as_str()) {
                return Err(Error::Setting {
                    origin: "the settings".into(),
                    key: "hardware".into(),
                    value: hw.clone(),
                    reason: format!("{hw} has no {} encoder", out.codec),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(origin: &str, codec: Option<&str>, target: Option<f64>) -> SettingsLayer {
        SettingsLayer {
            origin: origin.into(),
            codec: codec.map(str::to_string),
            target_vmaf: target,
            ..Default::default()
        }
    }

    #[test]
    fn hardware_encoders_exist_only_for_their_codecs() -> Result<()> {
        let nvenc = SettingsLayer {
            origin: "flags".into(),
            hardware: Some("nvenc".into()),
            ..Default::default()
        };
        let s = JobSettings::resolve(std::slice::from_ref(&nvenc))?;
        assert_eq!(s.rung_encoder().as_deref(), Some("h264_nvenc"));
        let vp9 = SettingsLayer {
            codec: Some("vp9".into()),
            ..nvenc.clone()
        };
        let err = JobSettings::resolve(&[vp9]).unwrap_err().to_string();
        assert!(err.contains("nvenc has no vp9 encoder"), "{err}");
        let env = SettingsLayer::from_env(|k| (k == "REEL_HARDWARE").then(|| "quicksync".into()))?;
        assert!(JobSettings::resolve(&[env]).is_err());
        assert!(!serde_json::to_string(&JobSettings::default())
            .map_err(|e| Error::Config {
                path: String::new(),
                reason: e.to_string()
            })?
            .contains("hardware"));
        Ok(())
    }

    #[test]
    fn flags_beat_the_file_which_beats_the_environment() -> Result<()> {
        let flags = layer("flags", Some("hevc"), None);
        let file = SettingsLayer::from_toml("codec = \"av1\"\ntarget_vmaf = 93.0\n", "reel.toml")?;
        let env = SettingsLayer::from_env(|k| match k {
            "REEL_CODEC" => Some("vp9".into()),
            "REEL_TARGET_VMAF" => Some("90".into()),
            "REEL_VALIDATE" => Some("false".into()),
            _ => None,
        })?;
        let s = JobSettings::resolve(&[flags, file, env])?;
        assert_eq!(s.codec, "hevc");
        assert_eq!(s.target_vmaf, 93.0);
        assert!(!s.validate);
        assert_eq!(s.static_ladder, None);
        assert_eq!(JobSettings::resolve(&[])?, JobSettings::default());
        Ok(())
    }

    #[test]
    fn the_chunk_length_is_a_setting_left_out_of_default_job_ids() -> Result<()> {
        let env = SettingsLayer::from_env(|k| (k == "REEL_MAX_CHUNK").then(|| "4".into()))?;
        let s = JobSettings::resolve(&[env])?;
        assert_eq!(s.max_chunk_s, Some(4.0));
        let json = serde_json::to_string(&JobSettings::default()).unwrap_or_default();
        assert!(!json.contains("max_chunk"), "{json}");
        let file = SettingsLayer::from_toml("max_chunk = 0.1\n", "reel.toml")?;
        let err = JobSettings::resolve(&[file]).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("reel.toml") && e.contains("max_chunk")));
        Ok(())
    }

    #[test]
    fn bad_values_name_their_origin() {
        let err = JobSettings::resolve(&[layer("reel.toml", Some("mpeg2"), None)])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("reel.toml") && err.contains("mpeg2"), "{err}");
        let err = JobSettings::resolve(&[layer("--target-vmaf", None, Some(120.0))])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("--target-vmaf") && err.contains("120"),
            "{err}"
        );
        let err = SettingsLayer::from_toml("codek = \"h264\"", "reel.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("reel.toml") && err.contains("codek"), "{err}");
        let err = SettingsLayer::from_env(|k| (k == "REEL_VALIDATE").then(|| "maybe".into()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("REEL_VALIDATE") && err.contains("maybe"),
            "{err}"
        );
    }
}
