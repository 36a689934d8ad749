//! An ordered map from resource ids to rows, kept as sorted runs ("chunks") of at most
//! [`CHUNK`] rows (issue 13, item 3).
//!
//! Why not a `BTreeMap`: rows arrive mostly in id order (a client pages through its resources),
//! and a B-tree filled in order leaves every node a little over half full, so about 45 % of its
//! memory holds nothing. Here a row past the last one goes into the last run, or starts a new
//! one when that is full: rows put in order fill their runs completely. A row put elsewhere
//! into a full run splits it in halves, so runs are never less than half full either. Finding
//! a row is two binary searches (the run by its last id, then the row in it); putting one
//! moves at most [`CHUNK`] rows.

/// Most rows a run holds: small enough that an insertion's move is cheap, large enough that
/// the per-run overhead (one `Vec`, 24 bytes) is under half a byte a row.
const CHUNK: usize = 64;

#[derive(Clone, Debug)]
pub(crate) struct IdMap<V> {
    /// Sorted, each run non-empty and sorted, every id of a run below every id of the next.
    runs: Vec<Vec<(Box<str>, V)>>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap { runs: Vec::new(), len: 0 }
    }
}

/// Equal by rows, whatever the runs: two maps of the same rows put in different orders are
/// split differently.
impl<V: PartialEq> PartialEq for IdMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<V> IdMap<V> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The run that holds `id` or would: the first whose last id is not below it
    /// (`runs.len()` when every id is below `id`), and the row's place in it.
    fn locate(&self, id: &str) -> (usize, Result<usize, usize>) {
        let run = self.runs.partition_point(|r| r.last().is_some_and(|(last, _)| &**last < id));
        match self.runs.get(run) {
            Some(rows) => (run, rows.binary_search_by(|(k, _)| (**k).cmp(id))),
            None => (run, Err(0)),
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&V> {
        match self.locate(id) {
            (run, Ok(i)) => Some(&self.runs[run][i].1),
            _ => None,
        }
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        match self.locate(id) {
            (run, Ok(i)) => Some(&mut self.runs[run][i].1),
            _ => None,
        }
    }

    /// Puts `value` under `id`; the value it replaces, if any.
    pub(crate) fn insert(&mut self, id: Box<str>, value: V) -> Option<V> {
        let (run, at) = self.locate(&id);
        let i = match at {
            Ok(i) => return Some(std::mem::replace(&mut self.runs[run][i].1, value)),
            Err(i) => i,
        };
        self.len += 1;
        if run == self.runs.len() {
            // After every id: the last run takes it, or a new one when it is full.
            match self.runs.last_mut() {
                Some(last) if last.len() < CHUNK => last.push((id, value)),
                _ => {
                    let mut rows = Vec::with_capacity(CHUNK);
                    rows.push((id, value));
                    self.runs.push(rows);
                }
            }
            return None;
        }
        let rows = &mut self.runs[run];
        if rows.len() < CHUNK {
            rows.insert(i, (id, value));
            return None;
        }
        // A full run splits in halves, each with room for a run's rows.
        let mut upper = Vec::with_capacity(CHUNK);
        upper.extend(rows.drain(CHUNK / 2..));
        if i <= CHUNK / 2 {
            rows.insert(i, (id, value));
        } else {
            upper.insert(i - CHUNK / 2, (id, value));
        }
        self.runs.insert(run + 1, upper);
        None
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<V> {
        let (run, Ok(i)) = self.locate(id) else { return None };
        let rows = &mut self.runs[run];
        let (_, value) = rows.remove(i);
        if rows.is_empty() {
            self.runs.remove(run);
        }
        self.len -= 1;
        Some(value)
    }

    /// Every row, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.range_from("")
    }

    /// The rows whose id is `from` or after, in id order.
    pub(crate) fn range_from(&self, from: &str) -> impl Iterator<Item = (&str, &V)> {
        let (run, Ok(start) | Err(start)) = self.locate(from);
        self.runs[run..].iter().enumerate().flat_map(move |(n, rows)| rows[if n == 0 { start } else { 0 }..].iter()).map(|(k, v)| (&**k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u16, u32),
        Remove(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u16..400, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            1 => (0u16..400).prop_map(Op::Remove),
        ]
    }

    fn id(k: u16) -> String {
        format!("id-{k:03}")
    }

    /// Checks the shape the lookups rely on: runs non-empty, within their size, sorted across.
    fn well_formed(map: &IdMap<u32>) -> bool {
        let ids: Vec<&str> = map.iter().map(|(k, _)| k).collect();
        map.runs.iter().all(|r| !r.is_empty() && r.len() <= CHUNK) && ids.windows(2).all(|w| w[0] < w[1]) && ids.len() == map.len
    }

    proptest! {
        /// Any sequence of puts and removals leaves the map answering as a `BTreeMap` does:
        /// its rows in order, each lookup, and every range.
        #[test]
        fn answers_as_an_ordered_map(ops in proptest::collection::vec(op(), 0..600), probes in proptest::collection::vec(0u16..410, 0..20)) {
            let mut map = IdMap::default();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(map.insert(id(k).into(), v), model.insert(id(k), v)),
                    Op::Remove(k) => prop_assert_eq!(map.remove(&id(k)), model.remove(&id(k))),
                }
            }
            prop_assert!(well_formed(&map));
            prop_assert_eq!(map.len(), model.len());
            prop_assert_eq!(map.is_empty(), model.is_empty());
            let rows: Vec<(String, u32)> = map.iter().map(|(k, v)| (k.to_owned(), *v)).collect();
            prop_assert_eq!(rows, model.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>());
            for p in probes {
                let from = id(p);
                prop_assert_eq!(map.get(&from), model.get(&from));
                let ranged: Vec<&str> = map.range_from(&from).map(|(k, _)| k).collect();
                let expected: Vec<&str> = model.range(from.clone()..).map(|(k, _)| k.as_str()).collect();
                prop_assert_eq!(ranged, expected);
            }
        }
    }

    #[test]
    fn rows_put_in_order_fill_their_runs() {
        let mut map = IdMap::default();
        for k in 0..(CHUNK * 3 + 1) as u16 {
            map.insert(id(k).into(), 0u32);
        }
        assert_eq!(map.runs.iter().map(Vec::len).collect::<Vec<_>>(), vec![CHUNK, CHUNK, CHUNK, 1]);
    }

    #[test]
    fn equal_by_rows_not_by_runs() {
        let (mut ascending, mut descending) = (IdMap::default(), IdMap::default());
        for k in 0..200u16 {
            ascending.insert(id(k).into(), u32::from(k));
            descending.insert(id(199 - k).into(), u32::from(199 - k));
        }
        assert_ne!(ascending.runs.len(), descending.runs.len(), "the orders split differently");
        assert_eq!(ascending, descending);
        *descending.get_mut(&id(7)).expect("a row") = 8;
        assert_ne!(ascending, descending);
    }
}
