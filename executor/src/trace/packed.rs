//! The in-memory form of an event: one `u64`.
//!
//! Layout, low bits first: the 8-bit tag — the event's code, the same number
//! the fingerprint uses ([`EventKind::code`](super::EventKind::code)) — then the event's fields in
//! the order of its row in the event table, each in the [`Packed::BITS`]
//! its type asks for (task ids 24, timer ids and wake sources 32, resource
//! ids 24, a small enum just enough for its variants). The generated code
//! asserts at compile time that every row fits in 64 bits.
//!
//! A virtual time does not fit beside the tag: it goes to the trace's table
//! of instants and the event stores its index there. Task ids stay below
//! 2^24 and timer ids below 2^30 because the executor enforces
//! [`crate::config::TASKS_MAX_CAP`] and [`crate::config::TIMERS_MAX_CAP`];
//! resource ids below [`super::RESOURCES_MAX`] because the trace does.
//!
//! The layout is private to this crate and may change in any release: files
//! and fingerprints use their own encodings.

use super::codec::Packed;

/// One event, packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PackedEvent(u64);

/// Bits of the tag, the low bits of the word.
pub(crate) const TAG_BITS: u32 = 8;

/// Builds a packed word a field at a time (the event table's `pack` calls it).
pub(crate) struct Packer {
    word: u64,
    /// Where the next field's bits go.
    shift: u32,
}

impl Packer {
    /// A word holding only `tag`.
    #[inline]
    pub(crate) fn new(tag: u8) -> Packer {
        Packer {
            word: u64::from(tag),
            shift: TAG_BITS,
        }
    }

    /// Appends one field.
    #[inline]
    pub(crate) fn field<T: Packed>(&mut self, value: T, instants_ns: &mut Vec<u64>) {
        let bits = value.pack(instants_ns);
        debug_assert!(bits < 1 << T::BITS, "{bits} does not fit in {} bits", T::BITS);
        // `checked_shl`: a zero-bit field may sit at bit 64.
        self.word |= bits.checked_shl(self.shift).unwrap_or(0);
        self.shift += T::BITS;
    }

    /// The packed event.
    #[inline]
    pub(crate) fn finish(self) -> PackedEvent {
        PackedEvent(self.word)
    }
}

/// Reads a packed word back a field at a time, in the order it was built.
pub(crate) struct Unpacker {
    word: u64,
    shift: u32,
}

impl Unpacker {
    #[inline]
    pub(crate) fn new(packed: PackedEvent) -> Unpacker {
        Unpacker {
            word: packed.0,
            shift: TAG_BITS,
        }
    }

    /// The event's code.
    #[inline]
    pub(crate) fn tag(&self) -> u8 {
        self.word as u8
    }

    /// The next field.
    #[inline]
    pub(crate) fn field<T: Packed>(&mut self, instants_ns: &[u64]) -> T {
        let bits = self.word.checked_shr(self.shift).unwrap_or(0) & ((1 << T::BITS) - 1);
        self.shift += T::BITS;
        T::unpack(bits, instants_ns)
    }
}
