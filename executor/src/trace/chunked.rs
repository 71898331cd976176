//! An append-only list in fixed-size chunks.
//!
//! A `Vec` that doubles copies everything it holds and, for a moment, holds
//! it twice; for a trace of ten million events that moment is the run's
//! memory peak. Chunks never move: growth costs one chunk, never a copy.

/// Elements per chunk.
const CHUNK: usize = 1 << 16;

/// An append-only sequence stored in chunks of [`CHUNK`] elements.
#[derive(Clone, Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> Chunked<T> {
    pub(crate) fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            // The first chunk grows as a `Vec` does, so a small trace stays
            // small (and cheap to make); later ones are whole chunks at once.
            let chunk = if self.chunks.is_empty() {
                Vec::new()
            } else {
                Vec::with_capacity(CHUNK)
            };
            self.chunks.push(chunk);
        }
        self.chunks.last_mut().expect("a chunk was just ensured").push(value);
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// The elements from index `from` on (none if it is past the end).
    pub(crate) fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> + '_ {
        let skip = from % CHUNK;
        self.chunks
            .get(from / CHUNK..)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .flat_map(move |(i, chunk)| {
                if i == 0 {
                    chunk.get(skip..).unwrap_or_default()
                } else {
                    &chunk[..]
                }
            })
    }

    /// Elements the allocated chunks can hold.
    pub(crate) fn capacity(&self) -> usize {
        self.chunks.len() * CHUNK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_and_iterates_across_chunk_boundaries() {
        let mut c = Chunked::default();
        for i in 0..(CHUNK as u32 * 2 + 5) {
            c.push(i);
        }
        assert_eq!(c.len(), CHUNK * 2 + 5);
        assert_eq!(c.get(CHUNK), Some(&(CHUNK as u32)));
        assert_eq!(c.get(CHUNK * 2 + 5), None);
        assert!(c.iter_from(0).copied().eq(0..(CHUNK as u32 * 2 + 5)));
        assert_eq!(c.capacity(), CHUNK * 3);
        for from in [
            0,
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 7,
            CHUNK * 2 + 4,
            CHUNK * 2 + 5,
            CHUNK * 9,
        ] {
            assert!(
                c.iter_from(from)
                    .copied()
                    .eq((from as u32).min(CHUNK as u32 * 2 + 5)..(CHUNK as u32 * 2 + 5)),
                "from {from}"
            );
        }
    }
}
