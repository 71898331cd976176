//! Seeded randomness: the only source of choice in a simulation.
//!
//! One seed gives independent ChaCha8 streams: stream 0 for the scheduler,
//! stream 1 for user code ([`crate::rng`]), stream 2 for injected faults, stream 3
//! for which branch a [`crate::select`] polls first. Keeping them apart means
//! a program that draws one more random number does not change which task
//! the scheduler picks next, nor which branch of a `select` goes first. Bounded draws use a fixed algorithm defined here
//! (Lemire's multiply-and-reject), so a value never changes because a
//! dependency changed its sampling code.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

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

    pub(crate) fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.0.fill_bytes(dst);
    }

    /// A uniform integer in `0..n`. `n` must be non-zero.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        below(n, || self.next_u32())
    }
}

/// A uniform integer in `0..n` from a stream of uniform `u32`s (`n` must be
/// non-zero), by Lemire's multiply-and-reject ("Fast Random Integer
/// Generation in an Interval", 2019): usually one draw, and then it is
/// [`below_first`] of that draw.
pub(crate) fn below(n: u32, mut next: impl FnMut() -> u32) -> u32 {
    assert!(n > 0, "below(0) has no value to return");
    let mut m = u64::from(next()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(next()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// What [`below`] returns when `draw` is its only draw — always, unless the
/// draw is rejected (a chance of under `n` in 2^32).
pub(crate) fn below_first(n: u32, draw: u32) -> u32 {
    ((u64::from(draw) * u64::from(n)) >> 32) as u32
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
