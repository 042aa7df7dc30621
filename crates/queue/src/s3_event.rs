//! S3 event notifications as SQS delivers them: the standard event JSON
//! (directly, or inside an SNS envelope when the bucket notifies a topic), the
//! `s3:TestEvent` S3 sends when notifications are configured, and object keys
//! decoded from their URL-encoded form.

use serde::Deserialize;

/// What one notification message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// The test message S3 sends when notifications are set up.
    Test { bucket: String },
    /// Records of object events (ObjectCreated, ObjectRemoved, ...).
    Records(Vec<ObjectEvent>),
}

/// One object event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEvent {
    /// `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, ...
    pub name: String,
    pub bucket: String,
    /// The key, decoded (`my clip.mp4`, not `my+clip.mp4`).
    pub key: String,
    pub size: Option<u64>,
    pub etag: Option<String>,
}

impl ObjectEvent {
    /// Whether an object was created (any of S3's ObjectCreated events).
    pub fn is_created(&self) -> bool {
        self.name.starts_with("ObjectCreated:")
    }
}

/// Why a message is not an S3 notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not an S3 event notification: {0}")]
    NotS3Event(String),
    #[error("object key {key:?} is not valid URL-encoded UTF-8")]
    BadKey { key: String },
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Records")]
    records: Option<Vec<RawRecord>>,
    #[serde(rename = "Event")]
    event: Option<String>,
    #[serde(rename = "Bucket")]
    bucket: Option<String>,
    // An SNS notification carrying the S3 event as a string.
    #[serde(rename = "Type")]
    sns_type: Option<String>,
    #[serde(rename = "Message")]
    sns_message: Option<String>,
}

#[derive(Deserialize)]
struct RawRecord {
    #[serde(rename = "eventName")]
    event_name: String,
    s3: RawS3,
}

#[derive(Deserialize)]
struct RawS3 {
    bucket: RawBucket,
    object: RawObject,
}

#[derive(Deserialize)]
struct RawBucket {
    name: String,
}

#[derive(Deserialize)]
struct RawObject {
    key: String,
    size: Option<u64>,
    #[serde(rename = "eTag")]
    etag: Option<String>,
}

/// Reads one SQS message body.
///
/// # Errors
/// [`ParseError`] when the body is not JSON, not an S3 notification, or names
/// a key that does not decode.
pub fn parse(body: &str) -> Result<Notification, ParseError> {
    let envelope: Envelope =
        serde_json::from_str(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    if envelope.sns_type.as_deref() == Some("Notification") {
        if let Some(inner) = envelope.sns_message {
            return parse(&inner);
        }
    }
    if envelope.event.as_deref() == Some("s3:TestEvent") {
        return Ok(Notification::Test {
            bucket: envelope.bucket.unwrap_or_default(),
        });
    }
    let Some(records) = envelope.records else {
        return Err(ParseError::NotS3Event(
            "no Records and not an s3:TestEvent".into(),
        ));
    };
    records
        .into_iter()
        .map(|r| {
            Ok(ObjectEvent {
                key: decode_key(&r.s3.object.key)?,
                name: r.event_name,
                bucket: r.s3.bucket.name,
                size: r.s3.object.size,
                etag: r.s3.object.etag,
            })
        })
        .collect::<Result<_, _>>()
        .map(Notification::Records)
}

/// S3 writes keys in notifications form-encoded: `+` for a space, `%XX` for
/// other bytes.
fn decode_key(key: &str) -> Result<String, ParseError> {
    let bad = || ParseError::BadKey {
        key: key.to_string(),
    };
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = tail.get(..2).ok_or_else(bad)?;
                let text = std::str::from_utf8(hex).map_err(|_| bad())?;
                bytes.push(u8::from_str_radix(text, 16).map_err(|_| bad())?);
                rest = &tail[2..];
                continue;
            }
            other => bytes.push(other),
        }
        rest = tail;
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATED: &str = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
        "awsRegion":"us-east-1","eventTime":"2026-11-28T20:00:00.000Z",
        "eventName":"ObjectCreated:Put",
        "s3":{"s3SchemaVersion":"1.0","configurationId":"reel",
              "bucket":{"name":"studio","arn":"arn:aws:s3:::studio"},
              "object":{"key":"incoming/My+Film+%28final%29%C3%A9.mov","size":1048576,
                        "eTag":"0123abcd","sequencer":"0055AED6DCD90281E5"}}}]}"#;

    #[test]
    fn created_objects_have_decoded_keys() {
        let Notification::Records(records) = parse(CREATED).unwrap() else {
            panic!("not records");
        };
        assert_eq!(records.len(), 1);
        let event = &records[0];
        assert!(event.is_created());
        assert_eq!(event.bucket, "studio");
        assert_eq!(event.key, "incoming/My Film (final)é.mov");
        assert_eq!(event.size, Some(1_048_576));
    }

    #[test]
    fn the_test_event_and_sns_envelopes_are_recognised() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-28T20:00:00Z",
            "Bucket":"studio","RequestId":"1","HostId":"2"}"#;
        assert_eq!(
            parse(test).unwrap(),
            Notification::Test {
                bucket: "studio".into()
            }
        );
        let sns = serde_json::json!({"Type": "Notification", "Message": CREATED}).to_string();
        assert_eq!(parse(&sns).unwrap(), parse(CREATED).unwrap());
    }

    #[test]
    fn poison_is_named() {
        assert!(matches!(parse("{not json"), Err(ParseError::NotJson(_))));
        assert!(matches!(
            parse(r#"{"hello":"world"}"#),
            Err(ParseError::NotS3Event(_))
        ));
        let bad_key = CREATED.replace("%C3%A9", "%C3");
        assert!(matches!(parse(&bad_key), Err(ParseError::BadKey { .. })));
        assert!(matches!(
            parse(&CREATED.replace("%28", "%zz")),
            Err(ParseError::BadKey { .. })
        ));
    }
}
