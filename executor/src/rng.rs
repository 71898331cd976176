//! Seeded randomness: the only source of choice in a simulation.
//!
//! One seed gives independent ChaCha8 streams: stream 0 for the scheduler,
//! stream 1 for user code ([`rng`]), stream 2 for injected faults, stream 3
//! for which branch a [`crate::select`] polls first. Keeping them apart means
//! a program that draws one more random number does not change which task
//! the scheduler picks next, nor which branch of a `select` goes first. Bounded draws use a fixed algorithm defined here
//! (Lemire's multiply-and-reject), so a value never changes because a
//! dependency changed its sampling code.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::context::with_core;

/// The scheduler's stream.
pub(crate) const SCHEDULER_STREAM: u64 = 0;
/// The stream user code draws from.
pub(crate) const USER_STREAM: u64 = 1;
/// The stream injected faults draw from.
pub(crate) const FAULT_STREAM: u64 = 2;
/// The stream [`crate::select`] draws its polling order from.
pub(crate) const SELECT_STREAM: u64 = 3;

/// A seeded, reproducible random number generator.
#[derive(Clone, Debug)]
pub(crate) struct SeededRng(ChaCha8Rng);

impl SeededRng {
    pub(crate) fn new(seed: u64, stream: u64) -> SeededRng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        SeededRng(rng)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// A uniform integer in `0..n`. `n` must be non-zero.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "below(0) has no value to return");
        // Lemire, "Fast Random Integer Generation in an Interval" (2019).
        let mut m = u64::from(self.next_u32()) * u64::from(n);
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = u64::from(self.next_u32()) * u64::from(n);
            }
        }
        (m >> 32) as u32
    }
}

/// A handle to the simulation's user RNG, from [`rng`].
///
/// It implements `rand_core::TryRng`, so the `rand` crate's distributions
/// work on it, and has a few helpers of its own. Every draw goes through the
/// simulation's seeded stream: same seed, same numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimRng {
    _private: (),
}

/// The running simulation's seeded RNG, for randomness in user code.
///
/// # Panics
/// Outside a simulation (there is no seed to draw from).
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let h = sim.spawn("dice", async { wakescope::rng().below(6) + 1 });
/// sim.run();
/// ```
pub fn rng() -> SimRng {
    with_core("rng", |_| ());
    SimRng { _private: () }
}

impl SimRng {
    fn with<R>(&self, f: impl FnOnce(&mut SeededRng) -> R) -> R {
        with_core("rng", |core| f(&mut core.state.borrow_mut().user_rng))
    }

    /// A uniform `u64`.
    pub fn u64(&self) -> u64 {
        self.with(|r| r.next_u64())
    }

    /// A uniform integer in `0..n` (`n` > 0).
    pub fn below(&self, n: u32) -> u32 {
        self.with(|r| r.below(n))
    }

    /// True with probability `p` (clamped to 0..=1).
    pub fn chance(&self, p: f64) -> bool {
        let x = (self.u64() >> 11) as f64 / (1u64 << 53) as f64;
        x < p.clamp(0.0, 1.0)
    }
}

impl rand_core::TryRng for SimRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.with(|r| r.next_u32()))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.with(|r| r.next_u64()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.with(|r| r.0.fill_bytes(dst));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut rng = SeededRng::new(7, SCHEDULER_STREAM);
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            seen[rng.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "roughly uniform: {seen:?}");
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = SeededRng::new(42, 0);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = SeededRng::new(42, 0);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..4)
            .map({
                let mut r = SeededRng::new(42, 1);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
