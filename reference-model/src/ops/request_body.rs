//! A request body as the wire brings it, read once: the pipeline ([`super::handle_body`]) and
//! any caller that also looks into the JSON (the suite's runner) share one parse.

use serde_json::Value;

/// What a request body reads as, before validation (A-02, A-28).
#[derive(Clone, Debug, PartialEq)]
pub enum RequestBody {
    /// No bytes at all: read as `{}` (A-28).
    Empty,
    /// Whitespace only: not JSON, read as `{}` or refused (A-28).
    Blank,
    /// A JSON value (validation then asks for an object, A-02).
    Json(Value),
    /// Bytes that are not JSON: a `SerializationException` (A-02).
    Malformed,
}

impl RequestBody {
    /// Reads `bytes` (parsing them as JSON at most once).
    pub fn read(bytes: &[u8]) -> Self {
        if bytes.is_empty() {
            RequestBody::Empty
        } else if bytes.iter().all(u8::is_ascii_whitespace) {
            RequestBody::Blank
        } else {
            serde_json::from_slice(bytes).map_or(RequestBody::Malformed, RequestBody::Json)
        }
    }

    /// The body's JSON, when it is JSON.
    pub fn json(&self) -> Option<&Value> {
        match self {
            RequestBody::Json(value) => Some(value),
            RequestBody::Empty | RequestBody::Blank | RequestBody::Malformed => None,
        }
    }

    /// True for a body read as `{}` when the service takes it (A-28): no bytes, or whitespace.
    pub fn is_blank(&self) -> bool {
        matches!(self, RequestBody::Empty | RequestBody::Blank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case::nothing(b"", RequestBody::Empty)]
    #[case::spaces(b" \n\t", RequestBody::Blank)]
    #[case::object(br#"{"ConfigRuleName": "r"}"#, RequestBody::Json(json!({"ConfigRuleName": "r"})))]
    #[case::not_an_object(b"[1]", RequestBody::Json(json!([1])))]
    #[case::padded(b" {} ", RequestBody::Json(json!({})))]
    #[case::not_json(b"{", RequestBody::Malformed)]
    #[case::not_utf8(b"\xff", RequestBody::Malformed)]
    #[case::truncated(br#"{"ConfigRuleNames": ["#, RequestBody::Malformed)]
    #[case::trailing_garbage(b"{} x", RequestBody::Malformed)]
    fn bodies_read_as_the_pipeline_reads_them(#[case] bytes: &[u8], #[case] expected: RequestBody) {
        let read = RequestBody::read(bytes);
        assert_eq!(read.is_blank(), matches!(expected, RequestBody::Empty | RequestBody::Blank));
        assert_eq!(read, expected);
    }
}
