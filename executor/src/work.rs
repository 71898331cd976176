//! CPU cost: work that occupies a processor instead of waiting.
//!
//! Waiting (a timer, a channel) lets the executor run other tasks; working
//! does not. [`work`] models a stretch of CPU-bound code:
//!
//! - With one worker (the default, [`crate::Config::workers`] = 1) the work
//!   runs inside the poll, on the executor itself: the virtual clock moves
//!   forward by the work's length and nothing else runs meanwhile — not the
//!   other tasks, not the timers. A poll that holds the executor longer than
//!   [`LONG_POLL`] is flagged in the trace (`LongPoll`): at 60 frames per
//!   second a frame lasts 16 ms, and the seed's rule of thumb is that more
//!   than 8 ms on the main thread drops one.
//! - With `workers = N > 1` the work goes to a pool of N simulated CPU
//!   workers beside the executor (think `spawn_blocking` on N cores): the task
//!   takes a free worker (waiting in line when all N are busy), holds it for
//!   the work's length of virtual time, and the executor keeps polling other
//!   tasks meanwhile. Ten tasks of 15 minutes on 10 workers take 15 minutes;
//!   on one worker, 150.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::context::{pending_at, with_core};
use crate::core::Core;
use crate::sync::Semaphore;
use crate::time::sleep;

pub use crate::clock::LONG_POLL;

/// Spends `duration` of CPU time (see the module docs): on the executor when
/// there is one worker, on a pool worker when there are more.
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// sim.block_on(async { wakescope::work(Duration::from_millis(20)).await }).unwrap();
/// assert_eq!(sim.now(), Duration::from_millis(20));
/// ```
pub fn work(duration: Duration) -> Work {
    Work {
        duration,
        stage: Stage::Start,
    }
}

enum Stage {
    Start,
    /// Waiting for (or holding) a pool worker.
    Pool(Pin<Box<dyn Future<Output = ()>>>),
    Done,
}

/// The future returned by [`work`].
#[must_use = "futures do nothing unless awaited"]
pub struct Work {
    duration: Duration,
    stage: Stage,
}

impl Future for Work {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let at = Location::caller();
        loop {
            match &mut self.stage {
                Stage::Start => {
                    let duration = self.duration;
                    let pool = with_core("work", |core| {
                        if core.config().workers <= 1 {
                            core.block_executor(duration, at);
                            None
                        } else {
                            Some(pool(core))
                        }
                    });
                    self.stage = match pool {
                        None => Stage::Done,
                        Some(workers) => Stage::Pool(Box::pin(async move {
                            let _worker = workers.acquire().await.expect("the worker pool is never closed");
                            sleep(duration).await;
                        })),
                    };
                }
                Stage::Pool(fut) => {
                    return match fut.as_mut().poll(cx) {
                        Poll::Ready(()) => {
                            self.stage = Stage::Done;
                            Poll::Ready(())
                        }
                        // The pool's acquire and sleep are inside this
                        // library: the task waits at the work's `.await`.
                        Poll::Pending => pending_at(at),
                    };
                }
                Stage::Done => return Poll::Ready(()),
            }
        }
    }
}

/// The simulation's pool of CPU workers, created on first use.
fn pool(core: &Rc<Core>) -> Rc<Semaphore> {
    let pool = core.cpu_pool(|workers| Rc::new(Semaphore::new("cpu workers", workers as usize)));
    pool.downcast::<Semaphore>().expect("the CPU pool is a semaphore")
}
