//! Counts made in SQL, remembered for the session: a bounded least-recently-used map keyed by
//! the definition (the tree, whose paths name the per-node counts, and its checked query, which
//! holds the resolved references), the source's identity and the as-of instant. A warehouse
//! count takes a round trip of a second or more; going back to a segment (undo, switching
//! segments, a re-render) then shows it at once. It lives in a [`crate::Service`], so reopening
//! or reconnecting a data source starts afresh.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::checked::CheckedSegment;
use crate::service::Counted;

/// How many counts a session keeps (each a few hundred bytes, plus its per-node counts).
pub const DEFAULT_CAPACITY: usize = 256;

/// What a count is remembered by: a digest of the definition, the source and the as-of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResultKey([u8; 32]);

impl ResultKey {
    /// The key of `checked` counted on the source identified by `source` (its location, schema
    /// and, for a file, its version).
    pub fn new(checked: &CheckedSegment, source: &str) -> Self {
        let mut hash = Sha256::new();
        for part in [
            serde_json::to_string(&checked.segment).unwrap_or_default(),
            serde_json::to_string(&checked.query).unwrap_or_default(),
            checked.entity.clone().unwrap_or_default(),
            checked.now.timestamp().to_string(),
            source.to_string(),
        ] {
            // Length-prefixed, so that no two different sequences of parts hash alike.
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        ResultKey(hash.finalize().into())
    }
}

/// The remembered counts. Shared by a service's threads.
pub struct ResultCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    /// Each count with the tick it was last used at.
    map: HashMap<ResultKey, (u64, Counted)>,
    tick: u64,
}

impl Default for ResultCache {
    fn default() -> Self {
        ResultCache::new(DEFAULT_CAPACITY)
    }
}

impl ResultCache {
    /// A cache of at most `capacity` counts (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        ResultCache {
            capacity,
            inner: Mutex::new(Entries::default()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The count remembered for `key`, marked as just used.
    pub fn get(&self, key: &ResultKey) -> Option<Counted> {
        let mut entries = self.entries();
        entries.tick += 1;
        let tick = entries.tick;
        let (used, counted) = entries.map.get_mut(key)?;
        *used = tick;
        Some(counted.clone())
    }

    /// Remembers `counted` for `key`, forgetting the least recently used count when full.
    pub fn put(&self, key: ResultKey, counted: Counted) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries();
        entries.tick += 1;
        let tick = entries.tick;
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            let oldest = entries
                .map
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                entries.map.remove(&oldest);
            }
        }
        entries.map.insert(key, (tick, counted));
    }

    /// Forgets every count (the data changed).
    pub fn clear(&self) {
        self.entries().map.clear();
    }

    /// How many counts are remembered.
    pub fn len(&self) -> usize {
        self.entries().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{Method, Timings};

    fn counted(count: u64) -> Counted {
        Counted {
            count,
            total: 100,
            method: Method::Sql,
            notice: None,
            nodes: None,
            timings: Timings::default(),
            memory_bytes: None,
            cached: false,
        }
    }

    fn key(n: u8) -> ResultKey {
        ResultKey([n; 32])
    }

    #[test]
    fn the_least_recently_used_count_is_forgotten_first() {
        let cache = ResultCache::new(2);
        cache.put(key(1), counted(1));
        cache.put(key(2), counted(2));
        // Using 1 makes 2 the least recently used.
        assert_eq!(cache.get(&key(1)).map(|c| c.count), Some(1));
        cache.put(key(3), counted(3));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key(2)).is_none());
        assert_eq!(cache.get(&key(1)).map(|c| c.count), Some(1));
        assert_eq!(cache.get(&key(3)).map(|c| c.count), Some(3));
        // Replacing a key evicts nothing.
        cache.put(key(3), counted(30));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&key(3)).map(|c| c.count), Some(30));
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn a_cache_of_no_capacity_keeps_nothing() {
        let cache = ResultCache::new(0);
        cache.put(key(1), counted(1));
        assert!(cache.get(&key(1)).is_none());
    }
}
