//! Manifest schemas: the JSON each stage writes last, as its commit marker.
//!
//! Every manifest carries a [`ManifestHeader`] (schema version, producer,
//! inputs with checksums) flattened into its top level. The schemas are
//! documented field by field in `docs/manifests.md`.

mod encode;
mod header;
mod inspect;
mod ladder;
mod validate;

pub use encode::{
    AudioEntry, ChunkSpan, EncodeManifest, ObjectEntry, RenditionEntry, ENCODE_SCHEMA_VERSION,
};
pub use header::{rfc3339, InputRef, ManifestHeader, Producer};
pub use inspect::{
    AudioInfo, BlackSegment, ContainerInfo, CropRect, Cut, DecodeErrorAt, DecodeErrors,
    Disposition, FieldOrder, FrozenSegment, InspectReport, Interlacing, Shot, Stat, StreamInfo,
    StreamKind, SubtitleInfo, VideoInfo, INSPECT_SCHEMA_VERSION,
};
pub use ladder::{
    AnalysisCost, LadderCrossover, LadderManifest, LadderPoint, LadderSegment, RungPrediction,
    StaticReferencePoint, LADDER_SCHEMA_VERSION,
};
pub use validate::{
    CheckCounts, CheckResult, CheckStatus, RenditionQuality, ValidateManifest,
    VALIDATE_SCHEMA_VERSION,
};
