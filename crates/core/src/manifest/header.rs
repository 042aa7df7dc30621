use serde::{Deserialize, Serialize};

/// Which program wrote a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    /// Crate name, e.g. `reel-inspect`.
    pub name: String,
    pub version: String,
}

impl Producer {
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_string(),
            version: version.to_string(),
        }
    }
}

/// An object a stage read, identified well enough to detect a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRef {
    /// URL or path as given by the user (`s3://bucket/key`, `/data/a.mp4`).
    pub url: String,
    pub size: u64,
    /// `sha256:<hex>` of the object's bytes, when it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// Fields common to every manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestHeader {
    pub schema_version: u32,
    /// Job this manifest belongs to, when run by the pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    pub producer: Producer,
    /// RFC 3339 UTC time the manifest was written.
    pub created: String,
    pub inputs: Vec<InputRef>,
}
