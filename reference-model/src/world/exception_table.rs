//! The remediation exceptions, laid out to hold 1,000,000 rows in little memory (issue 13,
//! item 3; the cap is A-49).
//!
//! The rows are nested by rule, resource type and resource id ([`RuleTable`]), the order
//! listings page in (R-DRE-02), each keeping only its resource id beside its
//! [`StoredException`]. The expiry index (R-PRE-09) holds
//! only the rows that expire, so a table of exceptions without ExpirationTime pays nothing for
//! it.

use super::rule_table::RuleTable;
use super::{ResourceKeyOf, StoredException};
use crate::names::{ResourceRef, RuleName};
use crate::time::Timestamp;
use std::collections::BTreeSet;
use std::fmt;

/// A resource (type, id) borrowed from wherever it is stored: the exception table keeps no
/// [`ResourceRef`] per row. Ordered as [`ResourceRef`] is (type, then id) and shown the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceView<'a> {
    pub resource_type: &'a str,
    pub resource_id: &'a str,
}

impl ResourceView<'_> {
    pub fn to_resource(self) -> ResourceRef {
        ResourceRef::new(self.resource_type, self.resource_id)
    }
}

impl<'a> From<&'a ResourceRef> for ResourceView<'a> {
    fn from(r: &'a ResourceRef) -> Self {
        ResourceView { resource_type: &r.resource_type, resource_id: &r.resource_id }
    }
}

impl fmt::Display for ResourceView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.resource_type, self.resource_id)
    }
}

/// The remediation exceptions: one per resource and rule (R-PRE-01), with an index of their
/// expiries so that the clock finds the next one without reading every row (R-PRE-09). The
/// index is derived from the rows; equality compares the rows only.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExceptionTable {
    /// Rule, then resource type, then resource id ([`RuleTable`]).
    rows: RuleTable<StoredException>,
    /// The rows that expire, by expiry. Keys are copied here only for them.
    expiries: BTreeSet<(Timestamp, RuleName, ResourceRef)>,
}

impl PartialEq for ExceptionTable {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl ExceptionTable {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The exception of `resource` under `rule`, found without building a key.
    pub(crate) fn row(&self, rule: &RuleName, resource: ResourceView<'_>) -> Option<&StoredException> {
        self.rows.row(rule, resource)
    }

    pub(crate) fn get(&self, key: &ResourceKeyOf) -> Option<&StoredException> {
        self.rows.get(key)
    }

    pub(crate) fn contains_key(&self, key: &ResourceKeyOf) -> bool {
        self.get(key).is_some()
    }

    /// Every exception, by rule then resource.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ((&RuleName, ResourceView<'_>), &StoredException)> {
        self.rows.iter()
    }

    /// The rows of one rule in resource order (R-DRE-02), from `from` on (the rule's first row
    /// if `None`).
    pub(crate) fn of_rule<'a>(&'a self, rule: &RuleName, from: Option<ResourceRef>) -> impl Iterator<Item = (ResourceView<'a>, &'a StoredException)> + 'a {
        self.rows.of_rule(rule, from)
    }

    /// Puts the exception of `key`, replacing any (R-PRE-01).
    pub(crate) fn upsert(&mut self, key: &ResourceKeyOf, exception: StoredException) {
        self.upsert_row(&key.0, (&key.1).into(), &exception);
    }

    /// Puts a copy of `row` as the exception of `resource` under `rule`, replacing any
    /// (R-PRE-01). A row that exists is overwritten in place, reusing its Message's buffer: a
    /// request of 100 keys with one Message allocates nothing for the rows it replaces.
    pub(crate) fn upsert_row(&mut self, rule: &RuleName, resource: ResourceView<'_>, row: &StoredException) {
        let old_expiry = match self.rows.row_mut(rule, resource) {
            Some(stored) => {
                let old = stored.expiration;
                stored.message.clone_from(&row.message);
                stored.expiration = row.expiration;
                stored.placed_by_config = row.placed_by_config;
                old
            }
            None => {
                self.rows.insert(rule, resource, row.clone());
                None
            }
        };
        if old_expiry != row.expiration {
            if let Some(t) = old_expiry {
                self.expiries.remove(&(t, rule.clone(), resource.to_resource()));
            }
            if let Some(t) = row.expiration {
                self.expiries.insert((t, rule.clone(), resource.to_resource()));
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &ResourceKeyOf) -> Option<StoredException> {
        self.remove_at(&key.0, (&key.1).into())
    }

    /// Removes the exception of `resource` under `rule`, and the maps it leaves empty.
    pub(crate) fn remove_at(&mut self, rule: &RuleName, resource: ResourceView<'_>) -> Option<StoredException> {
        let removed = self.rows.remove(rule, resource)?;
        if let Some(t) = removed.expiration {
            self.expiries.remove(&(t, rule.clone(), resource.to_resource()));
        }
        Some(removed)
    }

    /// Removes every exception of the rule (R-DCR-01).
    pub(crate) fn remove_rule(&mut self, rule: &RuleName) {
        let Some(types) = self.rows.remove_rule(rule) else { return };
        for (t, ids) in &types {
            for (id, row) in ids.iter() {
                if let Some(expiry) = row.expiration {
                    self.expiries.remove(&(expiry, rule.clone(), ResourceRef::new(&**t, id)));
                }
            }
        }
    }

    /// The earliest ExpirationTime of any exception.
    pub(crate) fn next_expiry(&self) -> Option<Timestamp> {
        self.expiries.first().map(|(t, _, _)| *t)
    }

    /// R-PRE-09: deletes every exception whose ExpirationTime is `now` or earlier.
    pub(crate) fn expire(&mut self, now: Timestamp) {
        while self.expiries.first().is_some_and(|(t, _, _)| *t <= now) {
            if let Some((_, rule, resource)) = self.expiries.pop_first() {
                self.remove_at(&rule, (&resource).into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Millis;
    use rstest::rstest;

    fn key(id: &str) -> ResourceKeyOf {
        (RuleName::new("r"), ResourceRef::new("AWS::S3::Bucket", id))
    }

    fn exception(expires_in_s: Option<i64>) -> StoredException {
        StoredException {
            message: None,
            expiration: expires_in_s.map(|s| Timestamp::EPOCH_2026 + Millis::seconds(s)),
            placed_by_config: false,
        }
    }

    /// The expiry index always says what a scan of the rows would (R-PRE-09).
    fn scanned_expiries(table: &ExceptionTable) -> Vec<(Timestamp, RuleName, ResourceRef)> {
        let mut all: Vec<_> = table.iter().filter_map(|((r, res), e)| e.expiration.map(|t| (t, r.clone(), res.to_resource()))).collect();
        all.sort();
        all
    }

    fn indexed_expiries(table: &ExceptionTable) -> Vec<(Timestamp, RuleName, ResourceRef)> {
        table.expiries.iter().cloned().collect()
    }

    #[rstest]
    #[case::replaced_expiry(&[("a", Some(10)), ("a", Some(5))], 7, &["a"][..0])]
    #[case::expiry_lifted(&[("a", Some(10)), ("a", None)], 20, &["a"])]
    #[case::only_the_due_ones(&[("a", Some(10)), ("b", Some(30)), ("c", None)], 10, &["b", "c"])]
    #[case::nothing_due(&[("a", Some(10)), ("b", Some(30))], 9, &["a", "b"])]
    fn exceptions_expire_by_the_index_as_by_a_scan(
        #[case] puts: &[(&str, Option<i64>)],
        #[case] at_s: i64,
        #[case] left: &[&str],
    ) {
        let mut table = ExceptionTable::default();
        let mut by_row = ExceptionTable::default();
        for (id, expiry) in puts {
            table.upsert(&key(id), exception(*expiry));
            let k = key(id);
            by_row.upsert_row(&k.0, (&k.1).into(), &exception(*expiry));
            assert_eq!(indexed_expiries(&table), scanned_expiries(&table));
            assert_eq!(by_row.expiries, table.expiries, "upsert_row indexes as upsert does");
            assert_eq!(by_row, table);
        }
        let due = Timestamp::EPOCH_2026 + Millis::seconds(at_s);
        assert_eq!(table.next_expiry(), scanned_expiries(&table).first().map(|(t, _, _)| *t));
        table.expire(due);
        let ids: Vec<&str> = table.iter().map(|((_, res), _)| res.resource_id).collect();
        assert_eq!(ids, left);
        assert_eq!(table.len(), left.len());
        assert_eq!(indexed_expiries(&table), scanned_expiries(&table));
    }

    #[test]
    fn removing_a_rule_or_a_row_drops_its_expiries_and_leaves_other_rules() {
        let mut table = ExceptionTable::default();
        let other = (RuleName::new("s"), ResourceRef::new("AWS::S3::Bucket", "a"));
        table.upsert(&key("a"), exception(Some(10)));
        table.upsert(&key("b"), exception(Some(20)));
        table.upsert(&other, exception(Some(30)));
        assert!(table.remove(&key("b")).is_some());
        assert!(table.remove(&key("b")).is_none(), "a second removal finds nothing");
        assert_eq!(table.len(), 2);
        table.remove_rule(&RuleName::new("r"));
        assert_eq!(table.iter().map(|((r, res), _)| (r.clone(), res.to_resource())).collect::<Vec<_>>(), vec![other]);
        assert_eq!(table.len(), 1);
        assert_eq!(indexed_expiries(&table), scanned_expiries(&table));
        assert_eq!(table.next_expiry(), Some(Timestamp::EPOCH_2026 + Millis::seconds(30)));
    }

    #[test]
    fn tables_equal_by_their_rows() {
        let (mut a, mut b) = (ExceptionTable::default(), ExceptionTable::default());
        a.upsert(&key("a"), exception(Some(10)));
        b.upsert(&key("a"), exception(None));
        assert_ne!(a, b);
        b.upsert(&key("a"), exception(Some(10)));
        assert_eq!(a, b);
        // A row put and removed leaves no empty map behind.
        b.upsert(&(RuleName::new("s"), ResourceRef::new("AWS::EC2::Instance", "i")), exception(None));
        assert_ne!(a, b);
        b.remove(&(RuleName::new("s"), ResourceRef::new("AWS::EC2::Instance", "i")));
        assert_eq!(a, b);
        assert_eq!(a.rows.rule_count(), 1);
    }

    /// Listing a rule from any point gives the rows a sorted list of (type, id) gives from that
    /// point (R-DRE-02), across types and beside other rules.
    #[test]
    fn a_rule_reads_in_resource_order_from_any_point() {
        let mut table = ExceptionTable::default();
        let mut all = Vec::new();
        for t in ["A", "AB", "B\u{0}", "C"] {
            for id in ["", "a", "b\u{0}", "c"] {
                all.push(ResourceRef::new(t, id));
            }
        }
        for (i, r) in all.iter().enumerate().rev() {
            table.upsert(&(RuleName::new("r"), r.clone()), exception(Some(i as i64)));
            table.upsert(&(RuleName::new("q"), r.clone()), exception(None));
            table.upsert(&(RuleName::new("s"), r.clone()), exception(None));
        }
        all.sort();
        let rule = RuleName::new("r");
        let read = |from: Option<ResourceRef>| table.of_rule(&rule, from).map(|(r, _)| r.to_resource()).collect::<Vec<_>>();
        assert_eq!(read(None), all);
        let mut points = all.clone();
        points.extend([ResourceRef::new("AA", ""), ResourceRef::new("A", "zz"), ResourceRef::new("D", ""), ResourceRef::new("", "")]);
        for from in points {
            let expected: Vec<_> = all.iter().filter(|r| **r >= from).cloned().collect();
            assert_eq!(read(Some(from.clone())), expected, "from {from:?}");
        }
        assert_eq!(table.of_rule(&RuleName::new("none"), None).count(), 0);
    }
}
