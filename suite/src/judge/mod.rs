//! Judging one answer against the model's acceptable outcomes.
//!
//! The target's answer is read (`read`: [`ActualReply`], or the signs of an unimplemented
//! operation or a broken server), then compared (`compare`) with every alternative of the model's
//! [`Outcome`]. Each comparison yields [`Difference`]s, each at a [`Level`]: a MUST difference
//! fails the alternative, SHOULD and MAY differences make it non-strict. The best alternative
//! gives the verdict and decides which state the model follows.
//!
//! Members the model cannot predict ([`reference_model::FieldKind`]) are compared by kind: generated ids keep
//! identity (the same model Arn must always meet the same target Arn, in both directions),
//! clock times and execution states are exact only when the runner controls the target's clock.

pub mod codes;
mod compare;
pub mod execution;
pub mod history;
pub mod ids;
mod read;
#[cfg(test)]
mod tests;

use crate::profile::TargetProfile;
use crate::verdict::Verdict;
use crate::target::Observed;
use compare::Comparison;
pub use read::{read_answer, ActualReply};
use read::read_answer_for;
use reference_model::{Level, Operation, Outcome, Reply};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One way the answer differs from an acceptable outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// Where: `status`, `__type`, `message`, `header:content-type`, or a body path like
    /// `FailedBatches/0/FailedItems`.
    pub path: String,
    pub expected: String,
    pub actual: String,
    pub level: Level,
}

/// The judgement of one step.
#[derive(Clone, Debug, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Which alternative of the outcome the answer matched best.
    pub alternative: Option<usize>,
    /// Other alternatives the answer matched exactly as well (the same body, another state
    /// behind it, as an older evaluation ignored or stored, A-21).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ties: Vec<usize>,
    pub differences: Vec<Difference>,
    pub actual: Option<ActualReply>,
    /// Why the verdict is UNIMPLEMENTED or ERROR, or what else the answer shows (an error code
    /// the operation does not declare).
    pub note: Option<String>,
}

/// Identities seen so far in one scenario: model value ⇄ target value.
#[derive(Clone, Debug, Default)]
pub struct Identities {
    model_to_target: BTreeMap<String, String>,
    target_to_model: BTreeMap<String, String>,
    /// Model values whose target value may change once, at their next reading: the Arn of a
    /// remediation configuration just replaced by a put.
    renewable: BTreeSet<String>,
}

impl Identities {
    /// The target's value for a model value, once seen.
    pub fn target_for(&self, model: &str) -> Option<&str> {
        self.model_to_target.get(model).map(String::as_str)
    }
    fn bind(&mut self, model: &str, target: &str) {
        if let Some(old) = self.model_to_target.insert(model.to_owned(), target.to_owned()) {
            if old != target {
                self.target_to_model.remove(&old);
            }
        }
        self.target_to_model.insert(target.to_owned(), model.to_owned());
        self.renewable.remove(model);
    }
    /// Lets the target give `model` a new value at its next reading, which then holds again
    /// whether a put that replaces a configuration keeps its Arn is not known).
    pub fn renew(&mut self, model: &str) {
        self.renewable.insert(model.to_owned());
    }
    /// The numbered placeholder of a target value, for snapshots.
    pub fn placeholder(&self, target: &str) -> Option<usize> {
        let model = self.target_to_model.get(target)?;
        self.model_to_target.keys().position(|k| k == model).map(|i| i + 1)
    }
}

/// The settings of one judgement.
pub struct Judge<'a> {
    pub op: Operation,
    pub profile: &'a TargetProfile,
    /// True when the runner sets the target's clock, so times and states must match exactly.
    pub clock_shared: bool,
}

impl Judge<'_> {
    /// Judges an answer against the outcome; on a conforming verdict the identities learnt are
    /// kept.
    pub fn judge(&self, outcome: &Outcome, observed: &Observed, identities: &mut Identities) -> Judgement {
        // Only an unknown operation is refused by every alternative with UnknownOperationException.
        let operation_exists = !outcome.alternatives.iter().all(
            |a| matches!(&a.reply, Reply::Failure(e) if e.code == reference_model::ErrorCode::UnknownOperationException),
        );
        let actual = match read_answer_for(self.op, observed, self.profile, operation_exists) {
            Ok(a) => a,
            Err((verdict, note)) => {
                return Judgement { verdict, alternative: None, ties: Vec::new(), differences: Vec::new(), actual: None, note: Some(note) }
            }
        };
        let mut best: Option<Candidate> = None;
        let mut scores = Vec::with_capacity(outcome.alternatives.len());
        for (i, alternative) in outcome.alternatives.iter().enumerate() {
            let mut cmp = Comparison::new(self, identities);
            cmp.reply(&alternative.reply, alternative, &actual);
            cmp.headers(observed, &actual);
            // An alternative of the answer's kind (success or error) explains it better than one
            // of the other kind, whatever the counts: its differences are the useful ones.
            let same_kind = matches!(alternative.reply, Reply::Success(_)) == matches!(actual, ActualReply::Success { .. });
            let score = (!same_kind, rank(&cmp.differences));
            scores.push(score);
            if best.as_ref().is_none_or(|b| score < b.score) {
                best = Some(Candidate { index: i, score, differences: cmp.differences, bindings: cmp.bindings });
            }
        }
        let Candidate { index, differences, bindings, score } = best.expect("an outcome has at least one alternative");
        let ties = scores.iter().enumerate().filter(|(i, s)| *i != index && **s == score).map(|(i, _)| i).collect();
        let verdict = match differences.iter().map(|d| d.level).max() {
            None => Verdict::Pass,
            Some(Level::Must) => Verdict::Fail,
            Some(_) => Verdict::NonStrict,
        };
        if verdict.conforms() {
            for (m, t) in bindings {
                identities.bind(&m, &t);
            }
        }
        let note = match &actual {
            ActualReply::Failure { code, .. } if !codes::declared(self.op, code) => {
                Some(format!("{code} is neither an error {} declares nor a common AWS error", self.op.name()))
            }
            _ => None,
        };
        Judgement { verdict, alternative: Some(index), ties, differences, actual: Some(actual), note }
    }
}

/// The best-matching alternative so far.
struct Candidate {
    index: usize,
    /// Another kind (success or error) than the answer first, then by [`rank`].
    score: (bool, Rank),
    differences: Vec<Difference>,
    bindings: Bindings,
}

/// Model value ⇄ target value pairs learnt while comparing one answer.
type Bindings = Vec<(String, String)>;

/// Counts of MUST, SHOULD and MAY differences.
type Rank = (usize, usize, usize);

/// Orders candidate alternatives: fewest MUST differences first, then SHOULD, then MAY.
fn rank(diffs: &[Difference]) -> Rank {
    let count = |l| diffs.iter().filter(|d| d.level == l).count();
    (count(Level::Must), count(Level::Should), count(Level::May))
}
