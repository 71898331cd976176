//! Memory fetched ahead of its use: a hint to the processor to bring a cache
//! line in while other work runs, so that a later read finds it there.
//!
//! With a million tasks, picking them in random order makes every poll miss
//! the cache on the task's record and its future; the step loop asks for the
//! next picks' memory one or two picks early (see `Scheduler::upcoming`). A
//! hint never faults and changes no value, so a wrong guess costs only the
//! fetch. On targets without a hint instruction it does nothing.

/// Cache line size assumed for hints spanning several lines.
pub(crate) const LINE: usize = 64;

/// Asks for the cache line holding `p`.
#[inline(always)]
pub(crate) fn fetch<T: ?Sized>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch hint reads nothing and never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Asks for the cache lines of the `bytes` bytes from `p` (at most four lines).
#[inline(always)]
pub(crate) fn fetch_bytes(p: *const u8, bytes: usize) {
    for line in 0..bytes.div_ceil(LINE).clamp(1, 4) {
        fetch(p.wrapping_add(line * LINE));
    }
}
