#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use segment_store::{SegmentDraft, Store};
use serde_json::json;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub fn definition(country: &str) -> segment_model::Segment {
    serde_json::from_value(json!({
        "version": 1,
        "entity": "profiles",
        "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": country}
        ]}
    }))
    .unwrap()
}

pub fn draft(id: &str, country: &str) -> SegmentDraft {
    SegmentDraft {
        id: id.to_string(),
        definition: Some(definition(country)),
        ..Default::default()
    }
}

pub fn static_draft(id: &str) -> SegmentDraft {
    SegmentDraft {
        id: id.to_string(),
        segment_type: Some(segment_store::SegmentType::Static),
        ..Default::default()
    }
}

/// A store in a temp dir with a clock the test moves by hand.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: Arc<AtomicI64>,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap()
}

pub fn open() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("library.sqlite")).unwrap();
    let clock = Arc::new(AtomicI64::new(t0().timestamp_millis()));
    let c = clock.clone();
    store.set_clock(move || DateTime::from_timestamp_millis(c.load(Ordering::SeqCst)).unwrap());
    TestStore { dir, store, clock }
}

impl TestStore {
    /// Moves the clock forward.
    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.fetch_add(minutes * 60_000, Ordering::SeqCst);
    }
}
