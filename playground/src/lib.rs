//! # The playground: Rust programs against `wakescope`, interpreted
//!
//! A visitor writes an `async fn main()` in Rust, with the same `use` lines
//! and functions a compiled test would use; the page (and `wakescope run
//! program.rs`) runs it in a [`Sim`] without a compiler. Parsing is syn's;
//! [`lower`] keeps the subset the playground runs and refuses the rest with
//! its line and column; [`eval`] runs it as async Rust against the library's
//! real futures, so **the run is the run of the compiled program**: the same
//! events in the same order, the same fingerprint (`tests/equivalence.rs`
//! checks it for every program in `tests/programs/`).
//!
//! ```
//! use wakescope::{Config, Sim};
//! use wakescope_playground::Program;
//!
//! let text = r#"
//! use std::time::Duration;
//! use wakescope::{sleep, spawn};
//!
//! async fn main() {
//!     let popcorn = spawn("popcorn", sleep(Duration::from_secs(3)));
//!     popcorn.await.unwrap();
//! }
//! "#;
//! let program = Program::parse("kitchen.rs", text).unwrap();
//! let mut sim = Sim::new(Config::seeded(1));
//! let _main = program.spawn_main(&mut sim);
//! assert!(sim.run().is_completed());
//! assert_eq!(sim.now(), std::time::Duration::from_secs(3));
//! ```

mod eval;
mod format;
mod ir;
mod library;
mod lower;
mod rt;
mod value;

use std::fmt;
use std::rc::Rc;

use wakescope::{JoinHandle, Sim};

pub use eval::{CALL_DEPTH_MAX, NESTED_POLLS_MAX, STEPS_PER_POLL_MAX};
pub use lower::{EXPR_DEPTH_MAX, SUPPORTED};
pub use rt::{STRING_BYTES_MAX, VEC_LEN_MAX};
pub use value::Fault;

/// Longest program the playground takes, in bytes (the page's share links hold it).
pub const PROGRAM_BYTES_MAX: usize = 16 * 1024;
/// Deepest nesting of brackets — `(`, `[`, `{` — a program may have: the
/// parser and the evaluator recurse on it, and the page's stack is small.
pub const NESTING_MAX: usize = 48;
/// Most prefix operators or closure bars in a row (`!!x`, `|| || x`): the
/// parser recurses on each.
pub const PREFIX_RUN_MAX: usize = 32;

/// A problem at a place in the program: a refused construct, a parse error,
/// a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Refuses, before parsing, a program the parser would recurse on too deeply
/// for the page's stack: brackets nested deeper than [`NESTING_MAX`], or more
/// than [`PREFIX_RUN_MAX`] prefix operators or closure bars in a row
/// (`!!!!x`, `- - - x`, `|| || || x`). Strings and comments are skipped.
fn check_nesting(text: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut run = 0usize;
    let (mut line, mut column) = (1u32, 0u32);
    let mut chars = text.chars().peekable();
    let refuse = |line, column, message: String| Err(Diagnostic { line, column, message });
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            // A string: to its closing quote (escapes skipped).
            '"' => {
                run = 0;
                while let Some(c) = chars.next() {
                    column += 1;
                    match c {
                        '\\' => {
                            chars.next();
                            column += 1;
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            column = 0;
                        }
                        _ => {}
                    }
                }
            }
            // A comment: `//` to the end of the line, `/* */` to its end.
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        column = 0;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    column += 1;
                    if c == '\n' {
                        line += 1;
                        column = 0;
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '(' | '[' | '{' => {
                run = 0;
                depth += 1;
                if depth > NESTING_MAX {
                    return refuse(
                        line,
                        column,
                        format!("the program nests brackets deeper than {NESTING_MAX} levels"),
                    );
                }
            }
            ')' | ']' | '}' => {
                run = 0;
                depth = depth.saturating_sub(1);
            }
            '!' | '-' | '*' | '&' | '|' => {
                run += 1;
                if run > PREFIX_RUN_MAX {
                    return refuse(
                        line,
                        column,
                        format!(
                            "the program chains more than {PREFIX_RUN_MAX} prefix operators or closure bars in a row"
                        ),
                    );
                }
            }
            c if c.is_whitespace() => {}
            _ => run = 0,
        }
    }
    Ok(())
}

/// A parsed program, ready to run any number of times.
#[derive(Clone)]
pub struct Program {
    interp: Rc<eval::Interp>,
}

impl Program {
    /// Parses `text` (named `file` in locations and messages).
    pub fn parse(file: &str, text: &str) -> Result<Program, Diagnostic> {
        if text.len() > PROGRAM_BYTES_MAX {
            return Err(Diagnostic {
                line: 1,
                column: 1,
                message: format!(
                    "the program is {} bytes; the playground takes at most {PROGRAM_BYTES_MAX}",
                    text.len()
                ),
            });
        }
        check_nesting(text)?;
        let parsed = syn::parse_file(text).map_err(|e| {
            let at = e.span().start();
            Diagnostic {
                line: at.line as u32,
                column: at.column as u32 + 1,
                message: e.to_string(),
            }
        })?;
        let prog = lower::lower(&parsed)?;
        Ok(Program {
            interp: Rc::new(eval::Interp {
                prog,
                file: file.into(),
                source: text.into(),
                steps: Rc::new(std::cell::Cell::new(0)),
                depth: std::cell::Cell::new(0),
                nested: std::cell::Cell::new(0),
                steps_max: std::cell::Cell::new(STEPS_PER_POLL_MAX),
            }),
        })
    }

    /// Lowers the statements one poll may run (at most [`STEPS_PER_POLL_MAX`]):
    /// for a host that runs many programs quickly, such as a fuzzer.
    pub fn with_steps_per_poll(self, statements: u64) -> Program {
        self.interp.steps_max.set(statements.min(STEPS_PER_POLL_MAX));
        self
    }

    /// What rustc would warn about: futures created and never awaited.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.interp.prog.warnings
    }

    /// Spawns `main` on `sim` as the task `main`, as `sim.spawn("main",
    /// main())` does for the compiled program. A failure (a panic, a call the
    /// playground cannot make) ends the task as panicked, with the message
    /// and its place in the handle's output.
    pub fn spawn_main(&self, sim: &mut Sim) -> JoinHandle<Result<(), Fault>> {
        let interp = self.interp.clone();
        let main = interp
            .prog
            .funcs
            .get("main")
            .expect("lowering checks there is a main")
            .clone();
        let site = interp.site(main.span);
        let spawned_at = site.clone();
        let task = async move {
            let future = match interp.call(main.clone(), Vec::new(), main.span) {
                Ok(value::Value::Future(f)) => f,
                Ok(_) => Box::pin(async { Ok(value::Value::Unit) }),
                Err(rt::Flow::Fault(f)) => Box::pin(async move { Err(f) }),
                Err(_) => Box::pin(async { Ok(value::Value::Unit) }),
            };
            library::task_future(&interp.steps, spawned_at, future).await.map(drop)
        };
        // The task `main` is spawned where the program says `async fn main`.
        sim.enter(|| wakescope::with_site(site, || wakescope::spawn("main", task)))
    }
}
