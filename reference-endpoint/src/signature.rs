//! Optional SigV4 verification of AWS JSON requests.
//!
//! By default the endpoint accepts any request, signed or not, as emulators do. With
//! verification on (`ServerConfig::verify_signatures`), the signature is recomputed with the
//! `aws-sigv4` crate from exactly the headers the client listed in `SignedHeaders`, its
//! `X-Amz-Date`, the region and service of its credential scope, and the body, then compared
//! with the one it sent. The request time is not compared with the endpoint's clock (whose
//! time may be virtual), so there is no "signature expired".
//!
//! Failures use the codes of AWS's common errors. Messages never include the secret key, the
//! expected signature or the canonical request.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, Method, Uri};
use std::time::SystemTime;

/// Why a request's signature was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureFailure {
    /// No `Authorization` header (403 MissingAuthenticationTokenException).
    Missing,
    /// An `Authorization` header that is not a complete SigV4 header (400
    /// IncompleteSignatureException), with what is wrong.
    Incomplete(String),
    /// The access key id is not the configured one (400 UnrecognizedClientException).
    UnknownAccessKey,
    /// The signature does not match (403 InvalidSignatureException).
    Mismatch,
}

impl SignatureFailure {
    pub fn code(&self) -> &'static str {
        match self {
            SignatureFailure::Missing => "MissingAuthenticationTokenException",
            SignatureFailure::Incomplete(_) => "IncompleteSignatureException",
            SignatureFailure::UnknownAccessKey => "UnrecognizedClientException",
            SignatureFailure::Mismatch => "InvalidSignatureException",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            SignatureFailure::Missing | SignatureFailure::Mismatch => 403,
            SignatureFailure::Incomplete(_) | SignatureFailure::UnknownAccessKey => 400,
        }
    }

    /// AWS's texts for these errors.
    pub fn message(&self) -> String {
        match self {
            SignatureFailure::Missing => "Missing Authentication Token".to_owned(),
            SignatureFailure::Incomplete(what) => what.clone(),
            SignatureFailure::UnknownAccessKey => "The security token included in the request is invalid.".to_owned(),
            SignatureFailure::Mismatch => "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
                .to_owned(),
        }
    }
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SignatureFailure> {
    let incomplete = |what: &str| SignatureFailure::Incomplete(what.to_owned());
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("Authorization header must use the AWS4-HMAC-SHA256 algorithm."))?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Authorization header requires 'Credential' parameter."))?;
    let signed_headers =
        signed_headers.ok_or_else(|| incomplete("Authorization header requires 'SignedHeaders' parameter."))?;
    let signature = signature.ok_or_else(|| incomplete("Authorization header requires 'Signature' parameter."))?;
    // Credential=AKID/yyyymmdd/region/service/aws4_request
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, _date, region, service, "aws4_request"] = scope[..] else {
        return Err(incomplete(
            "Credential must have the form <access key>/<yyyymmdd>/<region>/<service>/aws4_request.",
        ));
    };
    if access_key.is_empty() || region.is_empty() || service.is_empty() {
        return Err(incomplete("Credential has an empty access key, region or service."));
    }
    Ok(Authorization {
        access_key,
        region,
        service,
        signed_headers: signed_headers.split(';').filter(|h| !h.is_empty()).collect(),
        signature,
    })
}

/// Parses an `X-Amz-Date` value (`20260101T000000Z`).
///
/// It is ISO 8601's basic format, which neither `httpdate` (RFC 7231 dates) nor `humantime`
/// reads as it is: it is spelt out as RFC 3339 for `humantime`, which checks the calendar
/// (no 29 February outside leap years).
fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let b = value.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !digits_at(0..8) || !digits_at(9..15) {
        return None;
    }
    let part = |range: std::ops::Range<usize>| value.get(range).unwrap_or_default();
    let rfc3339 = format!("{}-{}-{}T{}:{}:{}Z", part(0..4), part(4..6), part(6..8), part(9..11), part(11..13), part(13..15));
    humantime::parse_rfc3339(&rfc3339).ok()
}

/// Checks the SigV4 signature of a request against the one key pair the endpoint knows.
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    access_key: &str,
    secret_key: &str,
) -> Result<(), SignatureFailure> {
    let Some(authorization) = headers.get("authorization") else {
        return Err(SignatureFailure::Missing);
    };
    let authorization = authorization
        .to_str()
        .map_err(|_| SignatureFailure::Incomplete("Authorization header is not visible ASCII.".to_owned()))?;
    let auth = parse_authorization(authorization)?;
    if auth.access_key != access_key {
        return Err(SignatureFailure::UnknownAccessKey);
    }
    let time = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_amz_date)
        .ok_or_else(|| {
            SignatureFailure::Incomplete(
                "Authorization header requires existence of a valid 'X-Amz-Date' header (yyyymmddThhmmssZ).".to_owned(),
            )
        })?;

    // Exactly the headers the client signed; the signer adds x-amz-date itself from `time`.
    let mut signed: Vec<(&str, &str)> = Vec::new();
    for name in &auth.signed_headers {
        if name.eq_ignore_ascii_case("x-amz-date") {
            continue;
        }
        let mut found = false;
        for value in headers.get_all(*name) {
            found = true;
            signed.push((name, value.to_str().map_err(|_| SignatureFailure::Mismatch)?));
        }
        if !found {
            return Err(SignatureFailure::Mismatch);
        }
    }
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    // The authority only matters when the client did not sign `host`, and then the
    // signature cannot match anyway.
    let url = format!("http://localhost{path_and_query}");
    let request = SignableRequest::new(method.as_str(), url, signed.into_iter(), SignableBody::Bytes(body))
        .map_err(|_| SignatureFailure::Mismatch)?;

    let mut settings = SigningSettings::default();
    // Sign whatever the client listed, user-agent included.
    settings.excluded_headers = Some(Vec::new());
    let identity = Credentials::new(access_key, secret_key, None, None, "reference-endpoint").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| SignatureFailure::Mismatch)?
        .into();
    let (_, expected) = sign(request, &params).map_err(|_| SignatureFailure::Mismatch)?.into_parts();
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(SignatureFailure::Mismatch)
    }
}

/// Compares without an early exit (`subtle`), so timing does not reveal how much of a guess
/// was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn parses_a_botocore_authorization_header() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/config/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc123";
        let auth = parse_authorization(header).unwrap();
        assert_eq!(
            auth,
            Authorization {
                access_key: "AKIDEXAMPLE",
                region: "us-east-1",
                service: "config",
                signed_headers: vec!["content-type", "host", "x-amz-date", "x-amz-target"],
                signature: "abc123",
            }
        );
    }

    #[test]
    fn refuses_incomplete_authorization_headers() {
        for header in [
            "",
            "AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=x",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, Signature=x",
            "AWS4-HMAC-SHA256 Credential=a/b/c/aws4_request, SignedHeaders=host, Signature=x",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host",
        ] {
            assert!(matches!(parse_authorization(header), Err(SignatureFailure::Incomplete(_))), "{header}");
        }
    }

    #[test]
    fn parses_amz_dates() {
        let t = parse_amz_date("20260101T000000Z").unwrap();
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().as_secs(), 1_767_225_600);
        let t = parse_amz_date("20240229T235959Z").unwrap();
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().as_secs(), 1_709_251_199);
        for bad in ["", "2026-01-01T00:00:00Z", "20261301T000000Z", "20250229T000000Z", "20260431T000000Z", "2026010aT000000Z", "20260101T000000", "٢٠٢٦0101T000000Z"] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn signatures_compare_whole() {
        assert!(constant_time_eq(b"abc123", b"abc123"));
        assert!(!constant_time_eq(b"abc123", b"abc124"));
        assert!(!constant_time_eq(b"abc123", b"abc12"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
