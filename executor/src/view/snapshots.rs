//! Snapshots: copies of the fold kept along the trace, for instant seeking.
//!
//! Seeking to step k clones the last snapshot at or before k and applies the
//! few events in between. Snapshots are spaced by at least
//! [`SNAPSHOT_EVERY_MIN`] events and by at least [`SPACING_PER_WEIGHT`] times
//! the size of the state they copy, so a run with a million tasks does not
//! keep a million-task copy every few hundred events: memory stays
//! proportional to the trace (a state's weight unit is a task, queue entry or
//! timer, 8 to 48 bytes; spaced by twice the weight, snapshots cost at most
//! about 24 bytes an event, 3 times the trace's own 8), and a seek costs
//! about one state copy plus one interval of events.
//!
//! Invariant: snapshot i is exactly `ViewState::fold(trace, snapshot_i.step)`;
//! the tests check it against folds from scratch.

use super::state::ViewState;
use crate::trace::Trace;

/// The least number of events between two snapshots.
pub const SNAPSHOT_EVERY_MIN: u64 = 256;

/// Events between two snapshots per unit of [`ViewState::weight`]: a
/// million sleepers (a weight of up to 3 million, about 9 million events)
/// keep a handful of snapshots, not one every million events.
pub const SPACING_PER_WEIGHT: u64 = 2;

/// States at increasing steps, the first at step 0.
#[derive(Clone, Debug)]
pub struct Snapshots {
    points: Vec<ViewState>,
}

impl Snapshots {
    /// Starts with the state at step 0.
    pub fn new(initial: ViewState) -> Snapshots {
        assert_eq!(initial.step, 0, "the first snapshot is step 0");
        Snapshots { points: vec![initial] }
    }

    /// Keeps a copy of `head` if it is far enough past the last snapshot.
    pub fn offer(&mut self, head: &ViewState) {
        let last = self.points.last().expect("there is always the step-0 snapshot");
        let spacing = SNAPSHOT_EVERY_MIN.max(SPACING_PER_WEIGHT.saturating_mul(head.weight() as u64));
        if head.step >= last.step + spacing {
            self.points.push(head.clone());
        }
    }

    /// Number of snapshots kept.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Always false: there is a step-0 snapshot.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The last snapshot at or before step `k`.
    pub fn nearest(&self, k: u64) -> &ViewState {
        let i = self.points.partition_point(|s| s.step <= k);
        &self.points[i.saturating_sub(1)]
    }

    /// The state at step `k` (clamped to the trace): the nearest snapshot plus the events after it.
    pub fn view_at(&self, trace: &Trace, k: u64) -> ViewState {
        let mut state = self.nearest(k).clone();
        state.apply_range(trace, k);
        state
    }
}
