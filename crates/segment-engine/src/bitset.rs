//! A fixed-length set of row numbers, 64 rows per word.

use rayon::prelude::*;

use crate::buf::Buf;

/// Records per parallel task in [`Bitset::from_fn_par`] (a multiple of 64): large enough that a
/// task outweighs its scheduling, small enough to share a million records among cores.
pub const PARALLEL_CHUNK_ROWS: usize = 1 << 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitset {
    words: Buf<u64>,
    len: usize,
}

/// Builds a [`Bitset`] one record at a time (one bit per record while loading, not a byte).
#[derive(Debug, Default)]
pub struct BitsetBuilder {
    words: Vec<u64>,
    len: usize,
}

impl BitsetBuilder {
    pub fn push(&mut self, bit: bool) {
        if self.len % 64 == 0 {
            self.words.push(0);
        }
        if bit {
            if let Some(last) = self.words.last_mut() {
                *last |= 1u64 << (self.len % 64);
            }
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn finish(mut self) -> Bitset {
        self.words.shrink_to_fit();
        Bitset {
            words: self.words.into(),
            len: self.len,
        }
    }
}

impl Bitset {
    pub fn empty(len: usize) -> Self {
        Bitset {
            words: vec![0; len.div_ceil(64)].into(),
            len,
        }
    }

    pub fn full(len: usize) -> Self {
        let mut set = Bitset {
            words: vec![u64::MAX; len.div_ceil(64)].into(),
            len,
        };
        set.clear_tail();
        set
    }

    /// The rows for which `f` is true.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let mut words = vec![0u64; len.div_ceil(64)];
        for (w, word) in words.iter_mut().enumerate() {
            let base = w * 64;
            let end = (base + 64).min(len);
            let mut bits = 0u64;
            for row in base..end {
                bits |= u64::from(f(row)) << (row - base);
            }
            *word = bits;
        }
        Bitset {
            words: words.into(),
            len,
        }
    }

    /// [`Bitset::from_fn`] on all cores, chunk by chunk of [`PARALLEL_CHUNK_ROWS`] records, for
    /// sets over more than one chunk; the same set either way.
    pub fn from_fn_par(len: usize, f: impl Fn(usize) -> bool + Sync) -> Self {
        if len <= PARALLEL_CHUNK_ROWS {
            return Self::from_fn(len, f);
        }
        let mut words = vec![0u64; len.div_ceil(64)];
        words
            .par_chunks_mut(PARALLEL_CHUNK_ROWS / 64)
            .enumerate()
            .for_each(|(chunk, words)| {
                let first = chunk * PARALLEL_CHUNK_ROWS;
                for (w, word) in words.iter_mut().enumerate() {
                    let base = first + w * 64;
                    let end = (base + 64).min(len);
                    let mut bits = 0u64;
                    for row in base..end {
                        bits |= u64::from(f(row)) << (row - base);
                    }
                    *word = bits;
                }
            });
        Bitset {
            words: words.into(),
            len,
        }
    }

    /// [`Bitset::from_fn_par`] with a state per task made by `init` (buffers reused from one
    /// record to the next); the same set whatever the split.
    pub fn from_fn_par_with<S>(
        len: usize,
        init: impl Fn() -> S + Sync + Send,
        f: impl Fn(&mut S, usize) -> bool + Sync,
    ) -> Self {
        let mut words = vec![0u64; len.div_ceil(64)];
        words
            .par_chunks_mut(PARALLEL_CHUNK_ROWS / 64)
            .enumerate()
            .for_each_init(init, |state, (chunk, words)| {
                let first = chunk * PARALLEL_CHUNK_ROWS;
                for (w, word) in words.iter_mut().enumerate() {
                    let base = first + w * 64;
                    let end = (base + 64).min(len);
                    let mut bits = 0u64;
                    for row in base..end {
                        bits |= u64::from(f(state, row)) << (row - base);
                    }
                    *word = bits;
                }
            });
        Bitset {
            words: words.into(),
            len,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The set's words, 64 records each (bits past `len` are 0).
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// A set of `len` records from its words; `None` unless there is one word per 64 records
    /// and no bit past `len` is set.
    pub(crate) fn from_words(words: Buf<u64>, len: usize) -> Option<Bitset> {
        let rem = len % 64;
        let tail_clear = rem == 0 || words.last().copied().unwrap_or(0) >> rem == 0;
        (words.len() == len.div_ceil(64) && tail_clear).then_some(Bitset { words, len })
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0 {
            if let Some(last) = self.words.to_mut().last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    #[inline]
    pub fn contains(&self, row: usize) -> bool {
        self.words[row / 64] >> (row % 64) & 1 == 1
    }

    #[inline]
    pub fn insert(&mut self, row: usize) {
        self.words.to_mut()[row / 64] |= 1u64 << (row % 64);
    }

    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub fn and_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.to_mut().iter_mut().zip(other.words.iter()) {
            *a &= b;
        }
    }

    pub fn or_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.to_mut().iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
    }

    pub fn and_not_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.to_mut().iter_mut().zip(other.words.iter()) {
            *a &= !b;
        }
    }

    pub fn invert(&mut self) {
        for w in self.words.to_mut().iter_mut() {
            *w = !*w;
        }
        self.clear_tail();
    }

    /// Rows in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let tz = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + tz)
            })
        })
    }

    /// Whether the words are borrowed from a mapped snapshot.
    pub fn is_borrowed(&self) -> bool {
        self.words.is_borrowed()
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_build_equals_the_sequential_one_at_chunk_edges() {
        for len in [
            0,
            1,
            PARALLEL_CHUNK_ROWS - 1,
            PARALLEL_CHUNK_ROWS,
            PARALLEL_CHUNK_ROWS + 1,
            2 * PARALLEL_CHUNK_ROWS - 63,
            2 * PARALLEL_CHUNK_ROWS + 64,
            3 * PARALLEL_CHUNK_ROWS + 7,
        ] {
            let test = |r: usize| (r.wrapping_mul(2_654_435_761) >> 7) % 3 == 0 || r + 1 == len;
            let parallel = Bitset::from_fn_par(len, test);
            assert_eq!(parallel, Bitset::from_fn(len, test), "length {len}");
            let with_state = Bitset::from_fn_par_with(len, || 0usize, |_, r| test(r));
            assert_eq!(with_state, parallel, "length {len}");
            assert!(len == 0 || parallel.contains(len - 1));
        }
    }

    #[test]
    fn set_operations_respect_the_length() {
        let evens = Bitset::from_fn(130, |r| r % 2 == 0);
        assert_eq!(evens.count(), 65);
        let mut odds = evens.clone();
        odds.invert();
        assert_eq!(odds.count(), 65);
        assert!(odds.contains(129) && !odds.contains(128));
        let mut none = evens.clone();
        none.and_with(&odds);
        assert_eq!(none.count(), 0);
        assert_eq!(Bitset::full(130).count(), 130);
        assert_eq!(odds.iter().take(3).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(odds.iter().last(), Some(129));
    }
}
