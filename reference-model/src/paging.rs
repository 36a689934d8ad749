//! Paging tokens: opaque to clients, checked by the model (R-PAG-04, R-ERR-02).
//!
//! A token names the operation, the rule, and the last key of the page it ends, hex-encoded so
//! that it is one opaque word. A token from another operation or rule, or one the model never
//! issued, is refused with InvalidNextTokenException.

use crate::error::{ApiError, ErrorCode};

const SEPARATOR: char = '\u{1}';

pub fn issue(operation: &str, scope: &str, last_key: &str) -> String {
    let plain = format!("v1{SEPARATOR}{operation}{SEPARATOR}{scope}{SEPARATOR}{last_key}");
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The last key of the previous page, or an error if the token is not one of ours for this
/// operation and scope.
pub fn resume_after(token: &str, operation: &str, scope: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::new(ErrorCode::InvalidNextTokenException, "The nextToken provided is invalid");
    if token.len() % 2 != 0 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let bytes: Vec<u8> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| invalid())?;
    let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = plain.splitn(4, SEPARATOR);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some(op), Some(sc), Some(last)) if op == operation && sc == scope => Ok(last.to_owned()),
        _ => Err(invalid()),
    }
}

/// The first page of `rows` (already sorted by `key` and already past the token's key): at
/// most `page_size` of them, and a token naming the last one if more follow. Reads one row
/// beyond the page, not the rest.
pub fn page_of<T>(rows: impl Iterator<Item = T>, page_size: usize, key: impl Fn(&T) -> String, operation: &str, scope: &str) -> (Vec<T>, Option<String>) {
    let mut page: Vec<T> = rows.take(page_size.saturating_add(1)).collect();
    let more = page.len() > page_size;
    page.truncate(page_size);
    let next = if more { page.last().map(|last| issue(operation, scope, &key(last))) } else { None };
    (page, next)
}

/// Cuts one page out of `items` (sorted by `key`), after the token's key if any.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    page_size: usize,
    token: Option<&str>,
    operation: &str,
    scope: &str,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let after = token.map(|t| resume_after(t, operation, scope)).transpose()?;
    let mut rest: Vec<T> = match &after {
        Some(after) => items.into_iter().filter(|i| key(i).as_str() > after.as_str()).collect(),
        None => items,
    };
    let more = rest.len() > page_size;
    rest.truncate(page_size);
    let next = if more { rest.last().map(|last| issue(operation, scope, &key(last))) } else { None };
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_scoped() {
        let t = issue("DRE", "rule-a", "AWS::S3::Bucket\u{0}b");
        assert_eq!(resume_after(&t, "DRE", "rule-a").unwrap(), "AWS::S3::Bucket\u{0}b");
        assert_eq!(resume_after(&t, "DRE", "rule-b").unwrap_err().code, ErrorCode::InvalidNextTokenException);
        assert!(resume_after(&t, "DRES", "rule-a").is_err());
        assert!(resume_after("zz", "DRE", "rule-a").is_err());
        assert!(resume_after("abc", "DRE", "rule-a").is_err());
        assert!(resume_after("", "DRE", "rule-a").is_err());
    }

    #[test]
    fn pages_cover_everything_once() {
        let items: Vec<u32> = (0..7).collect();
        let key = |i: &u32| format!("{i:03}");
        let (p1, t1) = page(items.clone(), key, 3, None, "op", "s").unwrap();
        let (p2, t2) = page(items.clone(), key, 3, t1.as_deref(), "op", "s").unwrap();
        let (p3, t3) = page(items, key, 3, t2.as_deref(), "op", "s").unwrap();
        assert_eq!([p1, p2, p3].concat(), (0..7).collect::<Vec<_>>());
        assert!(t3.is_none());
    }
}
