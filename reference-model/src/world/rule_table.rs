//! Rows keyed by (rule, resource type, resource id), laid out to hold 1,000,000 of them in
//! little memory (issue 13, item 3; the cap is A-49). The exceptions and the evaluations are
//! both kept this way.
//!
//! The rows are nested by what they share: a rule's name is stored once for all its rows, a
//! resource type once per rule and type, and each row keeps only its resource id (one exact
//! allocation) beside its value, in sorted runs ([`IdMap`]). The nesting is the order every
//! per-resource listing pages in: rule, then resource type, then resource id (R-DRE-02,
//! R-GCD-01).

use super::exception_table::ResourceView;
use super::id_map::IdMap;
use crate::names::{ResourceRef, RuleName};
use std::collections::BTreeMap;
use std::ops::Bound;

/// One rule's rows: resource type, then resource id.
pub(crate) type ByType<V> = BTreeMap<Box<str>, IdMap<V>>;

#[derive(Clone, Debug)]
pub(crate) struct RuleTable<V> {
    /// No map in it is ever empty, so that two tables of the same rows are equal.
    rules: BTreeMap<RuleName, ByType<V>>,
    len: usize,
}

impl<V> Default for RuleTable<V> {
    fn default() -> Self {
        RuleTable { rules: BTreeMap::new(), len: 0 }
    }
}

impl<V: PartialEq> PartialEq for RuleTable<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.rules == other.rules
    }
}

impl<V> RuleTable<V> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// How many rules have rows.
    #[cfg(test)]
    pub(crate) fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The row of `resource` under `rule`, found without building a key.
    pub(crate) fn row(&self, rule: &RuleName, resource: ResourceView<'_>) -> Option<&V> {
        self.rules.get(rule)?.get(resource.resource_type)?.get(resource.resource_id)
    }

    /// The row of a (rule, resource) key.
    pub(crate) fn get(&self, key: &super::ResourceKeyOf) -> Option<&V> {
        self.row(&key.0, (&key.1).into())
    }

    pub(crate) fn row_mut(&mut self, rule: &RuleName, resource: ResourceView<'_>) -> Option<&mut V> {
        self.rules.get_mut(rule)?.get_mut(resource.resource_type)?.get_mut(resource.resource_id)
    }

    /// Every row, by rule then resource.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ((&RuleName, ResourceView<'_>), &V)> {
        self.rules.iter().flat_map(|(rule, types)| {
            types.iter().flat_map(move |(t, ids)| {
                ids.iter().map(move |(id, row)| ((rule, ResourceView { resource_type: t, resource_id: id }), row))
            })
        })
    }

    /// The rows of one rule in resource order, from `from` on (the rule's first row if
    /// `None`).
    pub(crate) fn of_rule<'a>(&'a self, rule: &RuleName, from: Option<ResourceRef>) -> impl Iterator<Item = (ResourceView<'a>, &'a V)> + 'a {
        let (from_type, from_id) = from.map_or((String::new(), String::new()), |r| (r.resource_type, r.resource_id));
        let types = self.rules.get(rule).into_iter().flat_map({
            let from_type = from_type.clone();
            move |types| types.range::<str, _>((Bound::Included(from_type.as_str()), Bound::Unbounded))
        });
        types.flat_map(move |(t, ids)| {
            // Only `from`'s own type starts part-way; the types after it start at their first id.
            let lower = if **t == *from_type { from_id.as_str() } else { "" };
            ids.range_from(lower).map(move |(id, row)| (ResourceView { resource_type: t, resource_id: id }, row))
        })
    }

    /// Puts `value` as the row of `resource` under `rule`; the row it replaces, if any. Only
    /// a rule or type not yet held allocates its name.
    pub(crate) fn insert(&mut self, rule: &RuleName, resource: ResourceView<'_>, value: V) -> Option<V> {
        let types = match self.rules.get_mut(rule) {
            Some(types) => types,
            None => self.rules.entry(rule.clone()).or_default(),
        };
        let ids = match types.get_mut(resource.resource_type) {
            Some(ids) => ids,
            None => types.entry(resource.resource_type.into()).or_default(),
        };
        let replaced = ids.insert(resource.resource_id.into(), value);
        if replaced.is_none() {
            self.len += 1;
        }
        replaced
    }

    /// Removes the row of `resource` under `rule`, and the maps it leaves empty.
    pub(crate) fn remove(&mut self, rule: &RuleName, resource: ResourceView<'_>) -> Option<V> {
        let types = self.rules.get_mut(rule)?;
        let ids = types.get_mut(resource.resource_type)?;
        let removed = ids.remove(resource.resource_id)?;
        if ids.is_empty() {
            types.remove(resource.resource_type);
            if types.is_empty() {
                self.rules.remove(rule);
            }
        }
        self.len -= 1;
        Some(removed)
    }

    /// Removes every row of the rule (R-DCR-01, R-DER-01) and hands them back, by type then id.
    pub(crate) fn remove_rule(&mut self, rule: &RuleName) -> Option<ByType<V>> {
        let types = self.rules.remove(rule)?;
        self.len -= types.values().map(IdMap::len).sum::<usize>();
        Some(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn resource(n: u8) -> ResourceRef {
        // Two types, one a prefix of the other, and ids that sort apart from their numbers.
        ResourceRef::new(if n % 3 == 0 { "AWS::S3::Bucket" } else { "AWS::S3::BucketPolicy" }, format!("r{}", n % 40))
    }

    proptest! {
        /// Any sequence of puts and removals, over rules, leaves the table answering as a
        /// `BTreeMap` of owned (rule, type, id) keys does: its rows in order, its length, each
        /// rule read from any point, and no empty map left behind (equality by rows).
        #[test]
        fn answers_as_a_map_of_owned_keys(
            ops in proptest::collection::vec((0u8..3, any::<u8>(), proptest::option::of(any::<u16>())), 0..300),
            from in any::<u8>(),
        ) {
            let mut table = RuleTable::default();
            let mut model = BTreeMap::new();
            for (rule, n, value) in ops {
                let rule = RuleName::new(format!("rule-{rule}"));
                let res = resource(n);
                match value {
                    Some(v) => prop_assert_eq!(table.insert(&rule, (&res).into(), v), model.insert((rule, res), v)),
                    None => prop_assert_eq!(table.remove(&rule, (&res).into()), model.remove(&(rule, res))),
                }
            }
            prop_assert_eq!(table.len(), model.len());
            let rows: Vec<_> = table.iter().map(|((r, res), v)| ((r.clone(), res.to_resource()), *v)).collect();
            prop_assert_eq!(rows, model.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>());
            let rule = RuleName::new("rule-1");
            let from = resource(from);
            let read: Vec<_> = table.of_rule(&rule, Some(from.clone())).map(|(res, v)| (res.to_resource(), *v)).collect();
            let expected: Vec<_> = model.iter().filter(|((r, res), _)| *r == rule && *res >= from).map(|((_, res), v)| (res.clone(), *v)).collect();
            prop_assert_eq!(read, expected);
            let mut rebuilt = RuleTable::default();
            for ((r, res), v) in model.iter().rev() {
                rebuilt.insert(r, res.into(), *v);
            }
            prop_assert!(rebuilt == table, "equal by rows, whatever order they were put in");
            let removed = table.remove_rule(&rule).map_or(0, |types| types.values().map(IdMap::len).sum());
            prop_assert_eq!(removed, model.keys().filter(|(r, _)| *r == rule).count());
            prop_assert_eq!(table.len(), model.len() - removed);
            prop_assert_eq!(table.of_rule(&rule, None).count(), 0);
        }
    }
}
