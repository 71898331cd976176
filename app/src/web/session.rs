//! The session: the one owner of the page's state, and every command.
//!
//! The root component creates one [`Session`] and provides it by context.
//! It is a bundle of `Copy` handles: six controllers, each owning its own
//! signals — [`Recorder`] (the recording and its views), [`Playback`] (the
//! cursor, play, speed), [`Address`] (when the address bar is written),
//! [`Judging`] (verdict and seed sweep), [`Import`] (an opened trace file),
//! [`Playground`] (the editor, its draft and problems) — plus the error
//! list, the help dialog and a step waiting to be recorded.
//! Panels read the controllers' signals; every change goes through a method
//! here, which tells each controller its part:
//! - loading a run stops playback, the sweep and the judge, starts recording
//!   (a slice now, then one per animation frame) and writes the address;
//! - a seek clamps to what is recorded, moves the cursor, rebuilds the view
//!   and replaces the address (throttled);
//! - a run that has ended is judged; a sweep that finds a failing seed loads it;
//! - an import replaces the recording but not the address;
//! - an interpreted run (a program, or a scenario's program) is asked of
//!   the interpreter's worker first: a program that does not parse shows
//!   its problems and changes nothing else; one that does is loaded like a
//!   compiled scenario once the worker has started it, with the seed on
//!   screen, and a program's text goes in the address's fragment (`#code=…`).

use leptos::prelude::*;
use wakescope_playground::Diagnostic;

use super::read_only::ReadOnly;

use super::address::Address;
use super::browser::{self, HistoryMode};
use super::import::Import;
use super::inquiry::{Kind, Searcher};
use super::judging::Judging;
use super::playback::Playback;
use super::playground::Playground;
use super::recorder::{NotRun, Recorder};
use crate::model::examples;
use crate::model::import;
use crate::model::{PendingStep, Run, Setup};
use crate::slicer::Slice;
use crate::url::{self, Request};
use wakescope::sweep::{BISECT_RUNS_DEFAULT, FORK_RUNS_DEFAULT, SHRINK_RUNS_DEFAULT};
use wakescope_worker::Search;

/// The session handle: `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct Session {
    recorder: Recorder,
    playback: Playback,
    address: Address,
    judging: Judging,
    import: Import,
    playground: Playground,
    searcher: Searcher,
    /// Problems with what was asked, each with the fallback used.
    errors: RwSignal<Vec<String>>,
    help_open: RwSignal<bool>,
    /// A step asked for before it was recorded.
    pending: StoredValue<Option<PendingStep>>,
}

/// The setup a parsed address asks for (a scenario: the fragment's program is read apart).
fn setup_of(request: &Request) -> Setup {
    Setup::scenario(request.scenario, request.params.clone(), request.seed).with_schedule(request.schedule.clone())
}

/// What the address bar asks for: the setup (with the fragment's program,
/// if it carries one that can be read), the step, and every problem found.
fn requested() -> (Setup, Option<u64>, Vec<String>) {
    let parsed = url::parse(&browser::search());
    let mut errors = parsed.errors;
    let mut setup = setup_of(&parsed.request);
    match url::parse_hash(&browser::hash()) {
        Ok(program) => setup.program = program.map(Into::into),
        Err(message) => errors.push(format!("{message}; showing `{}` instead", setup.scenario.id)),
    }
    (setup, parsed.request.step, errors)
}

impl Session {
    /// A session showing nothing yet; call [`Session::open_address`].
    pub fn new() -> Session {
        let errors = RwSignal::new(Vec::new());
        let help_open = RwSignal::new(false);
        Session {
            recorder: Recorder::new(setup_of(&url::parse("").request)),
            playback: Playback::new(),
            address: Address::new(),
            judging: Judging::new(),
            import: Import::new(),
            playground: Playground::new(),
            searcher: Searcher::new(),
            errors,
            help_open,
            pending: StoredValue::new(None),
        }
    }

    /// The recording, its status and its views.
    pub fn recorder(&self) -> Recorder {
        self.recorder
    }

    /// The cursor, play and speed.
    pub fn playback(&self) -> Playback {
        self.playback
    }

    /// The verdict and the seed sweep.
    pub fn judging(&self) -> Judging {
        self.judging
    }

    /// The imported trace, if one is on screen, and the drop hint.
    pub fn import(&self) -> Import {
        self.import
    }

    /// The playground editor.
    pub fn playground(&self) -> Playground {
        self.playground
    }

    /// The search around the run on screen (shrink, fork, bisect).
    pub fn searcher(&self) -> Searcher {
        self.searcher
    }

    /// The messages in the error panel.
    pub fn errors(&self) -> ReadOnly<Vec<String>> {
        ReadOnly::of(self.errors)
    }

    /// True while the keyboard help is open.
    pub fn help_open(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.help_open)
    }

    /// Listens, for the page's lifetime, for back/forward (which restore
    /// views) and for files dropped on the page (which are imported).
    pub fn listen(&self) {
        let session = *self;
        let popstate = window_event_listener(leptos::ev::popstate, move |_| session.open_address(false));
        std::mem::forget(popstate);
        self.import.listen_for_drops(move |file| session.open_file(file));
    }

    /// Shows what the address bar asks for; problems go to the error panel.
    /// `fresh`: the page was just opened (the address is tidied in place).
    pub fn open_address(&self, fresh: bool) {
        self.address.new_entry();
        let (setup, asked, errors) = requested();
        let vs = url::parse(&browser::search()).request.vs;
        self.errors.set(errors);
        let step = asked.unwrap_or(0);
        if !fresh && self.recorder.is_run_of(&setup) {
            self.halt();
            self.ask_step(step, asked.is_some());
        } else {
            self.load_or_fall_back(
                setup.clone(),
                step,
                asked.is_some(),
                fresh.then_some(HistoryMode::Replace),
            );
        }
        // The comparison the address names, once its run is the one on screen.
        if let Some(vs) = vs
            && self.searcher.comparing(&setup).as_ref() != Some(&vs)
        {
            self.searcher.start(setup, Search::Compare { vs: vs.to_string() });
        }
    }

    /// [`Session::load`]; a program that does not run (a link to one that no
    /// longer parses) is shown in the editor with its problem, and the
    /// scenario is run instead.
    fn load_or_fall_back(&self, setup: Setup, step: u64, report_past_end: bool, history: Option<HistoryMode>) {
        let session = *self;
        let fallback = setup.clone();
        self.load(setup, step, report_past_end, history, move |problem| {
            let text = fallback.program.as_deref().unwrap_or_default().to_string();
            session.report(format!(
                "the program in this link does not run (line {}, column {}: {}); showing `{}` instead",
                problem.line, problem.column, problem.message, fallback.scenario.id
            ));
            let scenario = Setup {
                program: None,
                ..fallback
            };
            session.load(scenario, step, false, history, |_| {});
            // After the scenario's load (which closes the editor): the program and its problem.
            session.playground.open(Some(text));
            session.playground.report(&[problem], &[]);
        });
    }

    /// Starts a run of `setup` and shows `step` once it is recorded;
    /// `history`: how the new view enters the address (`None`: not at all).
    /// An interpreted run starts once the interpreter has parsed it: a
    /// program that does not parse goes to `refused` with its problem, and
    /// nothing changes. A scenario closes the editor.
    fn load(
        &self,
        setup: Setup,
        step: u64,
        report_past_end: bool,
        history: Option<HistoryMode>,
        refused: impl FnOnce(Diagnostic) + 'static,
    ) {
        if !setup.is_program() {
            self.playground.close();
        }
        if !setup.is_interpreted() {
            self.begin(Run::compiled(&setup), step, report_past_end, history);
            return;
        }
        let session = *self;
        self.recorder.interpret(&setup, move |started| match started {
            Ok(run) => session.begin(run, step, report_past_end, history),
            Err(NotRun::Refused(problem)) => refused(problem),
            Err(NotRun::Failed(message)) => session.report(message),
        });
    }

    /// Puts `run` on screen in place of what was there, recording it, and
    /// shows `step` once it is recorded (see [`Session::load`]).
    fn begin(&self, run: Run, step: u64, report_past_end: bool, history: Option<HistoryMode>) {
        if run.setup().is_program() {
            self.playground.report(&[], run.warnings());
        }
        self.halt();
        self.judging.cancel_sweep();
        self.judging.reset();
        // What a search found stays beside the runs it opens (the same
        // program and seed, another schedule); a comparison is of one run.
        let kept = self.searcher.inquiry().with_untracked(|i| {
            i.as_ref().is_some_and(|i| match i.kind {
                Kind::Compare => &i.about == run.setup(),
                _ => i.about.same_but_schedule(run.setup()),
            })
        });
        if !kept {
            self.searcher.forget();
        }
        self.import.show(None);
        self.playback.move_to(0);
        self.pending.set_value(Some(PendingStep { step, report_past_end }));
        // The new entry is written below, once; nothing may touch the old one meanwhile.
        self.address.new_entry();
        let session = *self;
        self.recorder.record_run(run, move |slice| session.recorded(slice));
        if let Some(mode) = history {
            self.write_address(mode);
        }
    }

    /// After each slice of recording: judge a run that has ended, move to a
    /// waiting step, rebuild the view. The first slice (inside `load`) leaves
    /// the address to `load`.
    fn recorded(&self, slice: Slice) {
        let program = self.recorder.setup().with_untracked(Setup::is_program);
        if slice.done && !self.import.is_open() && !program {
            let setup = self.recorder.setup().get_untracked();
            self.judging.judge(self.recorder.judgement(), &setup);
        }
        self.settle_pending(!slice.first);
        self.refresh();
    }

    /// Runs another scenario, mode, parameters or seed (a new history entry).
    /// The step is kept when only the seed changes, so two interleavings can
    /// be compared. A scenario closes the playground (see [`Session::load`]).
    /// A schedule is the choices of one run of one seed: a new setup runs the seed's own choices.
    pub fn change_setup(&self, setup: Setup) {
        self.open_setup(setup.with_schedule(None), None);
    }

    /// Runs the program on screen with its seed, following `schedule` (a
    /// shrunk run, a fork's continuation), and shows `step` (a new history entry).
    pub fn open_schedule(&self, schedule: Option<wakescope::Schedule>, step: u64) {
        let setup = self.recorder.setup().get_untracked();
        self.open_setup(setup.with_schedule(schedule), Some(step));
    }

    /// Runs `setup` as it is — a schedule too — at `step`, or at the step on
    /// screen when only the seed or schedule changes.
    fn open_setup(&self, setup: Setup, step: Option<u64>) {
        let keep_step = self.recorder.setup().with_untracked(|current| {
            current.scenario.id == setup.scenario.id
                && current.params == setup.params
                && current.program == setup.program
        });
        let step = match step {
            Some(step) => step,
            None if keep_step => self.playback.step().get_untracked(),
            None => 0,
        };
        self.errors.set(Vec::new());
        let playground = self.playground;
        self.load(setup, step, false, Some(HistoryMode::Push), move |problem| {
            playground.report(&[problem], &[]);
        });
    }

    /// Opens the playground: the editor holds the draft (or the first
    /// example), and it is run with the seed on screen.
    pub fn open_playground(&self) {
        self.playground.open(None);
        self.run_code();
    }

    /// Opens the program on screen — a playground program or a scenario's —
    /// in the editor (a scenario's Rust source is no program: nothing opens).
    pub fn edit_program(&self) {
        let text = self
            .recorder
            .listing()
            .with_untracked(|l| l.as_ref().and_then(|l| l.program()).map(str::to_string));
        if text.is_some() {
            self.playground.open(text);
        }
    }

    /// Hides the editor; the program run stays on screen.
    pub fn close_playground(&self) {
        self.playground.close();
    }

    /// The visitor changed the editor's text (it is saved as the draft).
    pub fn edit_code(&self, text: String) {
        self.playground.edit(text);
    }

    /// Puts an example program in the editor (as an edit: it becomes the draft) and runs it.
    pub fn load_example(&self, id: &str) {
        if let Some(example) = examples::find(id) {
            self.playground.edit(example.text.to_string());
            self.run_code();
        }
    }

    /// Runs the editor's text with the seed on screen (a new history entry);
    /// a program that does not parse shows its problems, and the run on
    /// screen stays.
    pub fn run_code(&self) {
        let text = self.playground.text().get_untracked();
        let current = self.recorder.setup().get_untracked();
        self.errors.set(Vec::new());
        let setup = Setup {
            program: Some(text.into()),
            schedule: None,
            ..current
        };
        let playground = self.playground;
        self.load(setup, 0, false, Some(HistoryMode::Push), move |problem| {
            playground.report(&[problem], &[]);
        });
    }

    /// Goes to the next step (after the one on screen, wrapping to the
    /// start) whose event is at `line` of the program; says so when none is.
    pub fn jump_to_line(&self, line: u32) {
        let k = self.playback.step().get_untracked();
        match self.recorder.next_step_at_line(k, line) {
            Some(target) => {
                self.pause();
                self.seek(target);
            }
            None => self.report(format!("no step of this run happens at line {line}")),
        }
    }

    /// Moves to a step asked for earlier, once it is recorded (or the run
    /// ended short of it); `write_url`: the address follows.
    fn settle_pending(&self, write_url: bool) {
        let Some(pending) = self.pending.get_value() else {
            return;
        };
        let status = self.recorder.status().get_untracked();
        let Some(landing) = pending.settle(&status) else {
            return;
        };
        if landing.past_end {
            self.report(url::step_past_end(pending.step, status.total));
        }
        self.pending.set_value(None);
        if write_url {
            self.seek(landing.step);
        } else {
            self.show(landing.step);
        }
    }

    /// Shows step `k` now if recorded, or as soon as it is.
    fn ask_step(&self, k: u64, report_past_end: bool) {
        self.pending.set_value(Some(PendingStep {
            step: k,
            report_past_end,
        }));
        self.settle_pending(true);
    }

    /// Shows step `k` (clamped to what is recorded) and puts it in the address.
    pub fn seek(&self, k: u64) {
        self.show(k);
        self.replace_address_soon();
    }

    /// Shows step `k` (clamped to what is recorded); the address is left alone.
    fn show(&self, k: u64) {
        let k = k.min(self.recorder.status().with_untracked(|s| s.total));
        self.playback.move_to(k);
        self.refresh();
    }

    /// Rebuilds the panels' rows and the event log for the step on screen.
    fn refresh(&self) {
        self.recorder.refresh(self.playback.step().get_untracked());
    }

    /// Steps forward (positive) or back (negative), clamped.
    pub fn step_by(&self, delta: i64) {
        let k = self.playback.step().get_untracked();
        let target = if delta < 0 {
            k.saturating_sub(delta.unsigned_abs())
        } else {
            k.saturating_add(delta as u64)
        };
        self.seek(target);
    }

    /// The first step.
    pub fn first(&self) {
        self.pause();
        self.seek(0);
    }

    /// The last step recorded.
    pub fn last(&self) {
        self.pause();
        self.seek(u64::MAX);
    }

    /// Seeks to the step nearest a virtual time (timeline clicks).
    pub fn seek_time(&self, time_ns: u64) {
        if let Some(k) = self.recorder.step_near_time(time_ns) {
            self.seek(k);
        }
    }

    /// Play from here (from the start when at the end), or pause.
    pub fn toggle_play(&self) {
        if self.playback.playing().get_untracked() {
            self.pause();
            return;
        }
        if self.recorder.is_end(self.playback.step().get_untracked()) {
            self.seek(0);
        }
        let session = *self;
        self.playback.play(move |steps| {
            if steps > 0 {
                session.step_by(steps.min(i64::MAX as u64) as i64);
            }
            if session.recorder.is_end(session.playback.step().get_untracked()) {
                session.pause();
                return false;
            }
            true
        });
    }

    /// Stops playback and writes the address.
    pub fn pause(&self) {
        if self.halt() {
            self.write_address(HistoryMode::Replace);
        }
    }

    /// Stops playback without touching the address (it may already show
    /// another entry); true if it was playing.
    fn halt(&self) -> bool {
        self.playback.halt()
    }

    /// The playback speed at `index` into [`super::playback::SPEEDS`].
    pub fn set_speed(&self, index: usize) {
        self.playback.set_speed(index);
    }

    /// A faster (+1) or slower (−1) playback speed.
    pub fn change_speed(&self, delta: i32) {
        self.playback.change_speed(delta);
    }

    /// The query string of the view on screen; `None` while an imported
    /// trace is shown (it has no address: the one shown stays as it was).
    fn query(&self) -> Option<String> {
        if self.import.is_open() {
            return None;
        }
        // A step still being recorded is the one the view is on its way to.
        let step = match self.pending.get_value() {
            Some(pending) if pending.step != u64::MAX => pending.step,
            _ => self.playback.step().get_untracked(),
        };
        Some(self.recorder.setup().with_untracked(|s| {
            if s.is_program() {
                // A program too long for a link keeps its seed and step only.
                let hash = self.recorder.link().with_untracked(|l| l.clone().and_then(Result::ok));
                let mut query = url::format_program(s.seed, s.schedule.as_ref(), step);
                url::push_vs(&mut query, self.searcher.comparing(s).as_ref());
                format!("{query}{}", hash.unwrap_or_default())
            } else {
                let mut query = url::format(s.scenario, &s.params, s.seed, s.schedule.as_ref(), step);
                url::push_vs(&mut query, self.searcher.comparing(s).as_ref());
                query
            }
        }))
    }

    /// The shareable link to the view on screen, or why there is none.
    pub fn share_url(&self) -> Result<String, String> {
        let setup = self.recorder.setup().get();
        let step = self.playback.step().get();
        let base = self.address.base_url();
        // Tracked, so a comparison started or dropped changes the link.
        self.searcher.inquiry().track();
        let vs = self.searcher.comparing(&setup);
        if setup.is_program() {
            let hash = self.recorder.link().get().unwrap_or_else(|| Ok(String::new()))?;
            let mut query = url::format_program(setup.seed, setup.schedule.as_ref(), step);
            url::push_vs(&mut query, vs.as_ref());
            Ok(format!("{base}{query}{hash}"))
        } else {
            let mut query = url::format(setup.scenario, &setup.params, setup.seed, setup.schedule.as_ref(), step);
            url::push_vs(&mut query, vs.as_ref());
            Ok(format!("{base}{query}"))
        }
    }

    /// Writes the address now.
    fn write_address(&self, mode: HistoryMode) {
        if let Some(query) = self.query() {
            self.address.write(&query, mode);
        }
    }

    /// Replaces the address soon (throttled, with a trailing write).
    fn replace_address_soon(&self) {
        let session = *self;
        self.address.replace_soon(move || session.query());
    }

    /// Sweeps `count` seeds from the current one for the first the verdict
    /// fails, and loads that seed as a seed change does (a new history entry).
    pub fn start_sweep(&self, count: u64) {
        let session = *self;
        let setup = self.recorder.setup().get_untracked();
        if setup.is_program() {
            return;
        }
        self.judging.start_sweep(&setup, count, move |seed| {
            let setup = session.recorder.setup().get_untracked();
            session.change_setup(Setup { seed, ..setup });
        });
    }

    /// Stops a running sweep; what it tried so far is kept on screen.
    pub fn cancel_sweep(&self) {
        self.judging.cancel_sweep();
    }

    /// Shrinks the failing run on screen to its fewest deviations from FIFO
    /// order (in the searcher's worker; see [`Searcher`]).
    pub fn shrink(&self) {
        self.search(Search::Shrink {
            budget: SHRINK_RUNS_DEFAULT,
        });
    }

    /// "What if from here?": `runs` continuations of the run on screen from
    /// the step on screen, with fresh scheduler seeds.
    pub fn fork_here(&self, runs: u64) {
        let at = self.playback.step().get_untracked();
        self.search(Search::Fork { at, runs });
    }

    /// Estimates, along the failing run on screen, the chance that it fails
    /// from each decision on, and where that became certain.
    pub fn bisect(&self) {
        self.search(Search::Bisect {
            per_point: FORK_RUNS_DEFAULT,
            budget: BISECT_RUNS_DEFAULT,
        });
    }

    fn search(&self, search: Search) {
        if self.import.is_open() {
            return;
        }
        self.pause();
        let setup = self.recorder.setup().get_untracked();
        self.searcher.start(setup, search);
    }

    /// Compares the run on screen with the one `text` describes
    /// (`seed:13`, `mode:locked`, …; see [`url::parse_vs`]), or says why not.
    pub fn compare_with(&self, text: &str) {
        match url::parse_vs(text.trim()) {
            Ok(vs) => {
                self.search(Search::Compare { vs: vs.to_string() });
                self.write_address(HistoryMode::Replace);
            }
            Err(message) => self.report(message),
        }
    }

    /// Stops a running search.
    pub fn cancel_search(&self) {
        self.searcher.cancel();
    }

    /// Shows step `step` of the run of `setup`: here, if it is on screen,
    /// else after running it (a new history entry).
    pub fn show_run_at(&self, setup: &Setup, step: u64) {
        if self.recorder.is_run_of(setup) {
            self.pause();
            self.seek(step);
        } else {
            self.open_setup(setup.clone(), Some(step));
        }
    }

    /// Opens the run that follows the schedule `text` (`s:…`, from a search)
    /// at `step`, or says why it cannot.
    pub fn open_found(&self, text: &str, step: u64) {
        match text.parse::<wakescope::Schedule>() {
            Ok(schedule) => self.open_schedule(Some(schedule), step),
            Err(message) => self.report(message),
        }
    }

    /// Opens `text` (the contents of the file `name`) as a trace, or says why not.
    pub fn import_text(&self, name: &str, text: &str) {
        let (recording, info) = match import::open(name, text) {
            Ok(opened) => opened,
            Err(message) => {
                self.errors.set(vec![message]);
                return;
            }
        };
        self.halt();
        self.judging.cancel_sweep();
        self.judging.reset();
        self.searcher.forget();
        self.address.new_entry();
        self.pending.set_value(None);
        self.import.show(Some(info));
        self.errors.set(Vec::new());
        self.playback.move_to(0);
        let session = *self;
        self.recorder
            .record_import(recording, move |slice| session.recorded(slice));
    }

    /// Reads `file` (after the size check) and imports it.
    pub fn open_file(&self, file: web_sys::File) {
        let session = *self;
        self.import.read(
            file,
            move |name, text| session.import_text(&name, &text),
            move |message| session.errors.set(vec![message]),
        );
    }

    /// Back to the run the address describes.
    pub fn leave_import(&self) {
        let (setup, step, _) = requested();
        self.load_or_fall_back(setup, step.unwrap_or(0), false, None);
    }

    /// Adds a message to the error panel.
    pub fn report(&self, message: String) {
        self.errors.update(|e| e.push(message));
    }

    /// Empties the error panel.
    pub fn dismiss_errors(&self) {
        self.errors.set(Vec::new());
    }

    /// Opens or closes the keyboard help.
    pub fn set_help_open(&self, open: bool) {
        self.help_open.set(open);
    }
}
