//! The user's random numbers: [`rng`] draws from the simulation's user
//! stream (see `seeded.rs` for the streams), so a program's randomness is
//! part of its seed.

use crate::context::with_core;
use crate::seeded::SeededRng;

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
        with_core("rng", |core| core.with_user_rng(f))
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
        self.with(|r| r.fill_bytes(dst));
        Ok(())
    }
}
