//! The published AWS managed rule identifiers (R-PCR-03, A-44), embedded from
//! `fixtures/managed-rules/identifiers.txt` (the Developer Guide's list as published on
//! 2026-08-01, A-47; its source and extraction are in that folder's SOURCE.md).

use std::collections::BTreeSet;
use std::sync::OnceLock;

const IDENTIFIERS: &str = include_str!("../../fixtures/managed-rules/identifiers.txt");

/// The date of the documentation the list was built from, as SOURCE.md records it.
pub const LIST_DATE: &str = "2026-08-01";

/// How many identifiers the list holds, as SOURCE.md records it.
pub const LIST_COUNT: usize = 822;

/// Every published identifier.
pub fn identifiers() -> &'static BTreeSet<&'static str> {
    static SET: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| IDENTIFIERS.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
}

/// True if `id` is the identifier of a managed rule on the published list (R-PCR-03).
pub fn is_published(id: &str) -> bool {
    identifiers().contains(id)
}

/// The real service's refusal of a managed rule identifier it does not offer (A-44: quoted in
/// awslabs/aws-config-rules issue 437 and niaid/terraform-aws-managed-config-rules issue 46).
pub fn unknown_identifier_message(id: &str) -> String {
    format!(
        "The sourceIdentifier {id} is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file and the code agree: sorted, unique, well-formed, and as many as SOURCE.md says.
    #[test]
    fn r_pcr_03_the_embedded_list_is_the_recorded_one() {
        let lines: Vec<&str> = IDENTIFIERS.lines().collect();
        assert_eq!(lines.len(), LIST_COUNT, "identifiers.txt and LIST_COUNT disagree");
        assert_eq!(identifiers().len(), LIST_COUNT, "duplicates or blank lines in identifiers.txt");
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "identifiers.txt is not in byte order");
        for id in &lines {
            assert!(
                !id.is_empty() && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "malformed identifier {id:?}"
            );
        }
        let source = include_str!("../../fixtures/managed-rules/SOURCE.md");
        assert!(source.contains(&format!("**{LIST_DATE}**")), "SOURCE.md does not record the date {LIST_DATE}");
        assert!(source.contains(&format!("**{LIST_COUNT}** identifiers")), "SOURCE.md does not record the count {LIST_COUNT}");
        // The identifiers the scenarios use, one from the 2023 list's start and end, and one
        // the page gained after 2023.
        for known in [
            "IAM_PASSWORD_POLICY",
            "S3_BUCKET_VERSIONING_ENABLED",
            "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
            "IAM_USER_UNUSED_CREDENTIALS_CHECK",
            "ACCESS_KEYS_ROTATED",
            "ACM_PCA_ROOT_CA_DISABLED",
        ] {
            assert!(is_published(known), "{known}");
        }
        // Retired from the page before 2026-08-01 (moto 5.2.5's older scrape still had it).
        assert!(!is_published("LAMBDA_FUNCTION_TAGGED"));
        assert!(!is_published("X") && !is_published("s3_bucket_versioning_enabled"));
    }
}
