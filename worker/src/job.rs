//! One run in the worker: the program parsed and spawned, then run a
//! bounded piece at a time, each piece the JSON lines of the events it
//! recorded.

use wakescope::trace::JsonlWriter;
use wakescope::view::RunEnd;
use wakescope::{Config, Schedule, Sim, Step};
use wakescope_playground::Program;

use crate::protocol::{End, Problem, Response, RunRequest};

/// The most events one piece carries (about 100 bytes of text each): the
/// page reads this many lines in one slice of a frame.
pub const PIECE_EVENTS_MAX: usize = 4_096;

/// The most executor steps one piece takes, so that a piece comes back
/// promptly even when steps record few events.
pub const PIECE_STEPS_MAX: u32 = 4_096;

/// A run being recorded in the worker.
pub struct Job {
    job: u32,
    sim: Sim,
    writer: JsonlWriter,
    events_max: u64,
    /// How the run ended, once it has (sent with the piece that carries the last event).
    end: Option<RunEnd>,
    /// True once the last piece is made.
    done: bool,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("job", &self.job)
            .field("written", &self.writer.written())
            .field("end", &self.end)
            .finish()
    }
}

/// Parses the request's program and spawns its `main` on the simulation it
/// asks for: `Config::seeded(seed)`, or the one its scenario prepares.
/// Returns the simulation and the program's warnings, or the problem that
/// stops it from running.
pub fn prepare(request: &RunRequest) -> Result<(Sim, Vec<Problem>), Problem> {
    let program = Program::parse(&request.file, &request.text).map_err(|d| Problem::from(&d))?;
    let schedule = match &request.schedule {
        None => None,
        Some(text) => Some(text.parse::<Schedule>().map_err(|message| Problem {
            line: 1,
            column: 1,
            message,
        })?),
    };
    let mut sim = match &request.scenario {
        None => match &schedule {
            Some(schedule) => Sim::with_schedule(Config::seeded(request.seed), schedule),
            None => Sim::new(Config::seeded(request.seed)),
        },
        Some(run) => {
            let (scenario, params) = run.resolve().map_err(|message| Problem {
                line: 1,
                column: 1,
                message,
            })?;
            scenario.prepare_with(Config::seeded(request.seed), &params, schedule.as_ref())
        }
    };
    // The handle is dropped: `main` runs detached, as a spawned task does.
    drop(program.spawn_main(&mut sim));
    Ok((sim, program.warnings().iter().map(Problem::from).collect()))
}

impl Job {
    /// Starts the run `request` asks for: the job and its `Started` answer,
    /// or the `Refused` answer when the program cannot run.
    pub fn start(request: &RunRequest) -> Result<(Job, Response), Response> {
        let (sim, warnings) = prepare(request).map_err(|problem| Response::Refused {
            job: request.job,
            problem,
        })?;
        let writer = JsonlWriter::new();
        let mut header = Vec::new();
        writer.header(&sim.trace(), &mut header);
        header.pop(); // The newline.
        let started = Response::Started {
            job: request.job,
            header: String::from_utf8(header).expect("the writer writes UTF-8"),
            warnings,
        };
        let job = Job {
            job: request.job,
            sim,
            writer,
            events_max: request.events_max,
            end: None,
            done: false,
        };
        Ok((job, started))
    }

    /// The page's number for this run.
    pub fn id(&self) -> u32 {
        self.job
    }

    /// True once the last piece has been made.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Runs the simulation a piece further — up to [`PIECE_STEPS_MAX`]
    /// steps, or until [`PIECE_EVENTS_MAX`] events wait to be sent — and
    /// returns the lines of at most [`PIECE_EVENTS_MAX`] events not sent
    /// yet, with the end once they are the last. After the last piece,
    /// pieces are empty and carry no end.
    pub fn piece(&mut self) -> Response {
        if self.done {
            return Response::Piece {
                job: self.job,
                lines: String::new(),
                end: None,
            };
        }
        let mut steps = 0;
        while self.end.is_none()
            && steps < PIECE_STEPS_MAX
            && self.sim.trace().len() - self.writer.written() < PIECE_EVENTS_MAX
        {
            if self.sim.trace().len() as u64 >= self.events_max {
                self.end = Some(RunEnd::events_limit(self.events_max));
                break;
            }
            if let Step::Finished(outcome) = self.sim.step() {
                self.end = Some(RunEnd::from_outcome(&outcome));
            }
            steps += 1;
        }
        let trace = self.sim.trace();
        let mut lines = Vec::with_capacity(100 * PIECE_EVENTS_MAX.min(trace.len() - self.writer.written()));
        let upto = trace.len().min(self.writer.written() + PIECE_EVENTS_MAX);
        self.writer.events(&trace, upto, &mut lines);
        let last = self.end.is_some() && self.writer.written() == trace.len();
        self.done = last;
        Response::Piece {
            job: self.job,
            lines: String::from_utf8(lines).expect("the writer writes UTF-8"),
            end: if last { self.end.as_ref().map(End::from) } else { None },
        }
    }
}
