//! Read-only arrays of the engine's structures: owned (built by a load), or borrowed from the
//! bytes of a snapshot shared by every array read from it (a memory-mapped file), so a start
//! from a snapshot hands out its columns without copying them.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use bytemuck::Pod;

/// Bytes that stay where they are and unchanged for as long as they live: the backing of
/// arrays borrowed by [`Buf`].
///
/// # Safety
/// [`StableBytes::bytes`] must return the same slice on every call, and its contents must not
/// change while the value lives (a `Vec<u8>` never touched again; a memory map of a file that
/// is replaced by renaming, never written in place).
pub unsafe trait StableBytes: Send + Sync {
    fn bytes(&self) -> &[u8];
}

// SAFETY: behind an `Arc` the vector is never mutated, moved or reallocated.
unsafe impl StableBytes for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// Shared bytes arrays can borrow from.
pub type SharedBytes = Arc<dyn StableBytes>;

/// A read-only array of `T`: a `Vec<T>`, or `len` values borrowed from [`SharedBytes`].
pub struct Buf<T: Pod>(Repr<T>);

enum Repr<T> {
    Owned(Vec<T>),
    Shared {
        /// Keeps the values alive.
        _bytes: SharedBytes,
        ptr: *const T,
        len: usize,
    },
}

// SAFETY: the shared values are plain data that nothing mutates, kept alive by a `Send + Sync`
// owner; an owned vector is as `Send`/`Sync` as `Vec<T>`.
unsafe impl<T: Pod + Send> Send for Buf<T> {}
unsafe impl<T: Pod + Sync> Sync for Buf<T> {}

impl<T: Pod> Buf<T> {
    /// `len` values at byte `offset` of `bytes`: borrowed when they are aligned for `T`,
    /// else copied; `None` when they run past the end.
    pub fn borrow(bytes: &SharedBytes, offset: usize, len: usize) -> Option<Buf<T>> {
        let size = len.checked_mul(std::mem::size_of::<T>())?;
        let end = offset.checked_add(size)?;
        let raw = bytes.bytes().get(offset..end)?;
        Some(match bytemuck::try_cast_slice::<u8, T>(raw) {
            Ok(values) => Buf(Repr::Shared {
                _bytes: Arc::clone(bytes),
                ptr: values.as_ptr(),
                len,
            }),
            Err(_) => {
                let mut values = vec![T::zeroed(); len];
                bytemuck::cast_slice_mut::<T, u8>(&mut values).copy_from_slice(raw);
                Buf(Repr::Owned(values))
            }
        })
    }

    /// Whether the values are borrowed from shared bytes (not on this array's own heap).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Repr::Shared { .. })
    }

    /// The values to change in place, copied out of the shared bytes first if borrowed.
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Repr::Shared { .. } = self.0 {
            self.0 = Repr::Owned(self.to_vec());
        }
        match &mut self.0 {
            Repr::Owned(values) => values,
            Repr::Shared { .. } => unreachable!("made owned just above"),
        }
    }

    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Repr::Owned(values) => values,
            Repr::Shared { .. } => self.to_vec(),
        }
    }
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::Owned(values) => values,
            // SAFETY: `ptr` and `len` were a valid, aligned slice of the shared bytes when the
            // array was made, and those bytes are kept alive and unchanged by `_bytes`
            // (`StableBytes`' contract).
            Repr::Shared { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

impl<T: Pod> From<Vec<T>> for Buf<T> {
    fn from(values: Vec<T>) -> Self {
        Buf(Repr::Owned(values))
    }
}

impl<T: Pod> FromIterator<T> for Buf<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Buf(Repr::Owned(iter.into_iter().collect()))
    }
}

impl<T: Pod> Default for Buf<T> {
    fn default() -> Self {
        Buf(Repr::Owned(Vec::new()))
    }
}

impl<T: Pod> Clone for Buf<T> {
    fn clone(&self) -> Self {
        Buf(match &self.0 {
            Repr::Owned(values) => Repr::Owned(values.clone()),
            Repr::Shared { _bytes, ptr, len } => Repr::Shared {
                _bytes: Arc::clone(_bytes),
                ptr: *ptr,
                len: *len,
            },
        })
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Pod + PartialEq> PartialEq for Buf<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Pod + Eq> Eq for Buf<T> {}

impl<T: Pod + PartialEq> PartialEq<Vec<T>> for Buf<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        **self == **other
    }
}

impl<'a, T: Pod> IntoIterator for &'a Buf<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(words: &[u64]) -> SharedBytes {
        Arc::new(bytemuck::cast_slice::<u64, u8>(words).to_vec())
    }

    #[test]
    fn aligned_values_are_borrowed_and_misaligned_ones_copied() {
        let bytes = shared(&[1, 2, 3]);
        let aligned = Buf::<u32>::borrow(&bytes, 8, 2).unwrap();
        assert_eq!(&*aligned, &[2, 0]);
        // A Vec<u8>'s bytes may start anywhere: borrowed only where aligned.
        let offset = (8 - bytes.bytes().as_ptr() as usize % 8) % 8 + 1;
        let copied = Buf::<u32>::borrow(&bytes, offset, 1).unwrap();
        assert!(!copied.is_borrowed());
        assert_eq!(copied.len(), 1);
    }

    #[test]
    fn arrays_past_the_end_are_refused() {
        let bytes = shared(&[1, 2]);
        assert!(Buf::<u64>::borrow(&bytes, 8, 2).is_none());
        assert!(Buf::<u64>::borrow(&bytes, usize::MAX, 1).is_none());
        assert!(Buf::<u64>::borrow(&bytes, 0, usize::MAX).is_none());
    }

    #[test]
    fn a_borrowed_array_is_copied_before_it_changes() {
        let bytes = shared(&[7, 8]);
        let mut values = Buf::<u64>::borrow(&bytes, 0, 2).unwrap();
        let before = values.clone();
        values.to_mut()[0] = 9;
        assert_eq!(&*values, &[9, 8]);
        assert_eq!(&*before, &[7, 8]);
        assert_eq!(&bytes.bytes()[..8], &7u64.to_le_bytes());
    }
}
