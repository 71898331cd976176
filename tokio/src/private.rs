//! What the macros' expansions call: not a public API.

pub use std::future::{Future, IntoFuture, poll_fn};
pub use std::task::Poll;

pub use wakescope;
pub use wakescope::select_first;
pub use wakescope_macros::{join_impl, select_impl, try_join_impl};

use std::pin::Pin;
use std::task::Context;

/// A future of `join!`, then its output, then nothing once taken.
pub struct MaybeDone<F: Future> {
    /// The future while it runs (boxed, so nothing needs unsafe pinning).
    future: Option<Pin<Box<F>>>,
    /// Its output once done, until taken.
    output: Option<F::Output>,
}

impl<F: Future> MaybeDone<F> {
    pub fn new(future: F) -> MaybeDone<F> {
        MaybeDone {
            future: Some(Box::pin(future)),
            output: None,
        }
    }

    /// Polls the future if it still runs; true once it is done.
    #[track_caller]
    pub fn poll_done(&mut self, cx: &mut Context<'_>) -> bool {
        if let Some(future) = self.future.as_mut() {
            match future.as_mut().poll(cx) {
                Poll::Ready(output) => {
                    self.future = None;
                    self.output = Some(output);
                }
                Poll::Pending => return false,
            }
        }
        true
    }

    /// The output.
    ///
    /// # Panics
    /// When the future is not done, or the output was taken.
    pub fn take_output(&mut self) -> F::Output {
        self.output.take().expect("join!: an output taken before it was ready")
    }
}

impl<T, E, F: Future<Output = Result<T, E>>> MaybeDone<F> {
    /// The error, if the future is done with one.
    pub fn take_err(&mut self) -> Option<E> {
        match self.output.take() {
            Some(Err(e)) => Some(e),
            other => {
                self.output = other;
                None
            }
        }
    }

    /// The `Ok` value.
    ///
    /// # Panics
    /// When the output is missing or an error.
    pub fn take_ok(&mut self) -> T {
        match self.take_output() {
            Ok(v) => v,
            Err(_) => panic!("try_join!: an error was left for the Ok tuple"),
        }
    }
}

/// Runs `#[tokio::main]`'s body as a simulation seeded from `WAKESCOPE_SEED`
/// (default 0) and returns its output.
///
/// # Panics
/// When the variable is set but not a seed, or the run ends (deadlock,
/// limit, panic) before the body finishes — naming the seed.
#[track_caller]
pub fn run_main<F: Future + 'static>(body: F) -> F::Output {
    crate::runtime::Runtime::new()
        .expect("a simulation always builds")
        .block_on(body)
}
