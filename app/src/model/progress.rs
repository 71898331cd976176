//! How far the recording on screen has got, and a step waiting for it.
//!
//! A run is recorded a slice at a time, so a step can be asked for before it
//! exists: an address names step 900 of a run recorded to step 40 so far, or
//! a seed change keeps the step of the run before. Such a [`PendingStep`]
//! waits until the recording reaches it; if the recording ends short of it,
//! the last step is shown instead, and — when the user asked for that step by
//! name — the page says so.

use wakescope::view::{Recording, RunEnd};

/// Where recording stands, as the header and the panels show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Events folded so far: the last step one can seek to.
    pub total: u64,
    /// The recording has ended and every event is folded.
    pub finished: bool,
    /// How the recording ended, once it has.
    pub end: Option<RunEnd>,
    /// The trace fingerprint in 16 hex digits, once the recording has ended.
    pub fingerprint: Option<String>,
    /// Virtual time at the last folded event, in nanoseconds.
    pub end_clock_ns: u64,
}

impl Status {
    /// Where `recording` stands now.
    pub fn of(recording: &Recording) -> Status {
        Status {
            total: recording.len(),
            finished: recording.end().is_some(),
            end: recording.end().cloned(),
            fingerprint: recording.fingerprint().map(|f| format!("{f:016x}")),
            end_clock_ns: recording.end_clock_ns(),
        }
    }
}

/// A step asked for before it was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingStep {
    /// The step asked for; `u64::MAX` is "the last step".
    pub step: u64,
    /// Say so when it lies past the end (an address named it), rather than
    /// showing the last step quietly.
    pub report_past_end: bool,
}

/// Where a pending step lands, once it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Landing {
    /// The step to show.
    pub step: u64,
    /// The step asked for lies past the end, and the page should say so.
    pub past_end: bool,
}

impl PendingStep {
    /// The step to show now, or `None` while the recording has neither
    /// reached the step nor ended.
    pub fn settle(&self, status: &Status) -> Option<Landing> {
        if self.step <= status.total {
            Some(Landing {
                step: self.step,
                past_end: false,
            })
        } else if status.finished {
            Some(Landing {
                step: status.total,
                past_end: self.report_past_end && self.step != u64::MAX,
            })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(total: u64, finished: bool) -> Status {
        Status {
            total,
            finished,
            ..Status::default()
        }
    }

    fn pending(step: u64, report_past_end: bool) -> PendingStep {
        PendingStep { step, report_past_end }
    }

    #[test]
    fn a_recorded_step_lands_at_once() {
        let landing = Some(Landing {
            step: 17,
            past_end: false,
        });
        assert_eq!(pending(17, true).settle(&status(17, false)), landing);
        assert_eq!(pending(17, true).settle(&status(900, true)), landing);
    }

    #[test]
    fn a_step_not_yet_recorded_waits_for_the_recording() {
        assert_eq!(pending(18, true).settle(&status(17, false)), None);
        assert_eq!(pending(u64::MAX, false).settle(&status(1 << 40, false)), None);
    }

    #[test]
    fn a_step_past_the_end_lands_on_the_last_and_is_reported_only_when_named() {
        let at_end = |past_end| Some(Landing { step: 40, past_end });
        assert_eq!(pending(900, true).settle(&status(40, true)), at_end(true));
        assert_eq!(pending(900, false).settle(&status(40, true)), at_end(false));
        // "The last step" is never past the end.
        assert_eq!(pending(u64::MAX, true).settle(&status(40, true)), at_end(false));
    }

    #[test]
    fn the_status_of_a_finished_recording_names_its_end_and_fingerprint() {
        let scenario = wakescope::scenarios::find("timers").expect("registered");
        let mut run = crate::model::Run::start(scenario, scenario.default_params(), 7);
        let early = Status::of(&run);
        assert!(!early.finished && early.end.is_none() && early.fingerprint.is_none());
        run.finish();
        let done = Status::of(&run);
        assert!(done.finished);
        assert_eq!(done.total, run.len());
        assert_eq!(done.end.as_ref().map(|e| e.kind.as_str()), Some("completed"));
        assert_eq!(
            done.fingerprint,
            Some(format!("{:016x}", run.fingerprint().expect("ended")))
        );
        assert_eq!(done.end_clock_ns, run.end_clock_ns());
    }
}
