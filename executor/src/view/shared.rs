//! Tables a state shares with its copies: cloning one copies a pointer per
//! chunk, and a write copies only the chunk it touches, if a copy still
//! shares it.
//!
//! A recording keeps snapshots of the fold for seeking, and seeking starts
//! from a copy of one. With a million tasks a plain copy of the task table
//! (or of a million pending timers) is tens of megabytes written at once —
//! a long stall in the page. Chunked and shared, a snapshot costs one
//! pointer per [`CHUNK`] entries when it is taken, and the copying is spread
//! over the writes that follow, a chunk at a time.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

/// Entries per chunk.
pub const CHUNK: usize = 1024;

/// A vector in shared chunks; all full but the last.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedVec<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> SharedVec<T> {
    pub fn new() -> SharedVec<T> {
        SharedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// Entry `i`, to change: its chunk is copied first if a copy shares it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        Arc::make_mut(self.chunks.get_mut(i / CHUNK)?).get_mut(i % CHUNK)
    }

    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Address of entry `i`, for a prefetch (never read through).
    pub(crate) fn address(&self, i: usize) -> Option<*const T> {
        self.get(i).map(std::ptr::from_ref)
    }
}

impl<T: Clone> Default for SharedVec<T> {
    fn default() -> Self {
        SharedVec::new()
    }
}

impl<T: Clone> std::ops::Index<usize> for SharedVec<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(value) => value,
            None => panic!("index {i} out of a table of {}", self.len),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SharedVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.chunks.iter().flat_map(|c| c.iter()))
            .finish()
    }
}

/// A sorted set in shared chunks: each chunk sorted, every entry of a chunk
/// below every entry of the next, none empty. Chunks are double-ended, so
/// taking the smallest entry (a timer firing) or adding a largest one (a
/// timer armed later than the rest) costs no shifting.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSet<T> {
    chunks: Vec<Arc<VecDeque<T>>>,
    len: usize,
}

impl<T: Clone + Ord> SharedSet<T> {
    pub fn new() -> SharedSet<T> {
        SharedSet {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk `value` belongs in: the first whose largest entry is not
    /// below it (the last chunk if every entry is below it).
    fn chunk_of(&self, value: &T) -> usize {
        let i = self
            .chunks
            .partition_point(|c| c.back().is_some_and(|last| last < value));
        i.min(self.chunks.len().saturating_sub(1))
    }

    /// Adds `value`; false if it was there.
    pub fn insert(&mut self, value: T) -> bool {
        if self.chunks.is_empty() {
            self.chunks.push(Arc::new(VecDeque::from([value])));
            self.len = 1;
            return true;
        }
        let c = self.chunk_of(&value);
        let Err(at) = self.chunks[c].binary_search(&value) else {
            return false;
        };
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        chunk.insert(at, value);
        if chunk.len() > 2 * CHUNK {
            let upper = chunk.split_off(CHUNK);
            self.chunks.insert(c + 1, Arc::new(upper));
        }
        self.len += 1;
        true
    }

    /// Removes `value`; false if it was not there.
    pub fn remove(&mut self, value: &T) -> bool {
        if self.chunks.is_empty() {
            return false;
        }
        let c = self.chunk_of(value);
        let Ok(at) = self.chunks[c].binary_search(value) else {
            return false;
        };
        let chunk = Arc::make_mut(&mut self.chunks[c]);
        chunk.remove(at);
        if chunk.is_empty() {
            self.chunks.remove(c);
        }
        self.len -= 1;
        true
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

impl<T: Clone + Ord> Default for SharedSet<T> {
    fn default() -> Self {
        SharedSet::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SharedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.chunks.iter().flat_map(|c| c.iter()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn a_shared_vec_reads_as_a_vec_and_a_copy_keeps_its_values() {
        let mut v = SharedVec::new();
        let mut plain = Vec::new();
        for i in 0..(3 * CHUNK + 7) {
            v.push(i);
            plain.push(i);
        }
        let copy = v.clone();
        for i in (0..plain.len()).step_by(97) {
            *v.get_mut(i).unwrap() += 1_000_000;
            plain[i] += 1_000_000;
        }
        assert_eq!(v.len(), plain.len());
        assert!(v.iter().eq(plain.iter()));
        assert!(copy.iter().copied().eq(0..(3 * CHUNK + 7)), "the copy is untouched");
        assert_eq!(v.get(plain.len()), None);
        assert_eq!(v.get_mut(plain.len()), None);
    }

    #[test]
    fn a_shared_set_agrees_with_a_btree_set_through_inserts_and_removes() {
        let mut set = SharedSet::new();
        let mut model = BTreeSet::new();
        // A deterministic mix: ascending runs (timers armed later), a few
        // out of order, removals from the front (firing) and the middle.
        let mut x: u64 = 12345;
        let mut copies = Vec::new();
        for round in 0..6000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let value = if round % 5 == 0 { (x >> 40) % 50_000 } else { round * 10 };
            assert_eq!(set.insert(value), model.insert(value), "insert {value}");
            if round % 3 == 0 {
                let first = *model.iter().next().unwrap();
                assert!(set.remove(&first));
                model.remove(&first);
            }
            if round % 7 == 0 {
                let probe = (x >> 20) % 60_000;
                assert_eq!(set.remove(&probe), model.remove(&probe), "remove {probe}");
            }
            if round % 1500 == 0 {
                copies.push((set.clone(), model.clone()));
            }
        }
        assert_eq!(set.len(), model.len());
        assert!(set.iter().eq(model.iter()));
        for (copy, then) in copies {
            assert_eq!(copy.len(), then.len());
            assert!(copy.iter().eq(then.iter()), "a copy keeps the set as it was");
        }
    }
}
