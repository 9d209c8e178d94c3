//! The count service: one open data source ([`Backend`]) and the in-memory engine's copy of it
//! ([`EngineCache`]); counts by whichever can (the policy and its notices live here only),
//! per-node counts, samples, overlap and the member lists behind freeze and diffs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use segment_engine::explain::SampleOrder;
use segment_engine::{Dataset, Evaluator};
use segment_model::Schema;
use segment_source::CancelToken;
use serde::Serialize;
use serde_json::Value;

use crate::backend::{key_text, Backend};
use crate::checked::CheckedSegment;
use crate::engine_cache::{EngineCache, EngineStatus};
use crate::error::{Error, Result};
use crate::result_cache::{ResultCache, ResultKey};

/// How a count was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The in-memory columnar engine.
    Memory,
    /// The generated SQL, run where the data is.
    Sql,
}

/// Which method to use and how long to wait for the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The engine if it is loaded, else SQL at once (the app's live preview).
    EngineIfReady,
    /// The engine, waiting for it to load; SQL only if it cannot (the CLI).
    Engine,
    /// SQL only.
    Sql,
}

/// Which per-node counts to make with a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeCounts {
    None,
    /// In memory always; in SQL only when the whole count took less than this.
    WithinBudget(Duration),
    Always,
}

/// One node: records it matches alone, and records the segment matches without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeCount {
    /// JSON Pointer of the node (as problems use), e.g. `/root/children/0`.
    pub path: String,
    pub count: u64,
    pub without: u64,
}

/// Milliseconds spent, to two decimals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Waiting for the engine to load (when this count waited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_ms: Option<f64>,
    pub count_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes_ms: Option<f64>,
}

/// A count, by whichever method could make it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counted {
    pub count: u64,
    pub total: u64,
    pub method: Method,
    /// Why the count was made in SQL although the engine was asked for.
    pub notice: Option<String>,
    /// Per-node counts (absent when not asked for, or SQL was too slow to repeat per node).
    pub nodes: Option<Vec<NodeCount>>,
    pub timings: Timings,
    /// The engine's memory, when it counted.
    pub memory_bytes: Option<u64>,
    /// Remembered from an earlier count of the same definition on the same data this session
    /// (see [`crate::result_cache`]): no query was sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
}

/// A sample record: its key, the nodes it met on its own, and its fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRecord {
    pub key: Value,
    pub met: Vec<String>,
    pub record: Value,
}

pub use segment_engine::explain::{Overlap, Region};

/// `n` of `keys` chosen uniformly at random, repeatably for `seed`, in key order (a partial
/// Fisher–Yates shuffle driven by splitmix64).
fn pick(mut keys: Vec<Value>, n: usize, seed: u64) -> Vec<Value> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = n.min(keys.len());
    let mut chosen: Vec<usize> = (0..keys.len()).collect();
    for i in 0..n {
        let j = i + (next() % (keys.len() - i) as u64) as usize;
        chosen.swap(i, j);
    }
    chosen.truncate(n);
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| std::mem::take(&mut keys[i]))
        .collect()
}

fn millis(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

/// One open data source and its engine copy. Cheap to share behind an `Arc`.
pub struct Service {
    backend: Arc<dyn Backend>,
    engine: EngineCache,
    /// Counts made in SQL this session, by definition, source and as-of time.
    results: ResultCache,
    /// The source's location and schema, part of every remembered count's key.
    source_id: String,
}

impl Service {
    /// A service over `backend`; `engine` may be shared with an earlier service on the same data,
    /// so that reopening unchanged data does not reload it.
    pub fn new(backend: Arc<dyn Backend>, engine: EngineCache) -> Self {
        let source_id = format!(
            "{}#{:x}",
            backend.location(),
            crate::backend::schema_hash(backend.schema())
        );
        Service {
            backend,
            engine,
            results: ResultCache::default(),
            source_id,
        }
    }

    /// Forgets the counts remembered this session (see [`crate::result_cache`]).
    pub fn forget_results(&self) {
        self.results.clear();
    }

    /// How many counts are remembered this session.
    pub fn remembered_results(&self) -> usize {
        self.results.len()
    }

    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    pub fn schema(&self) -> &Schema {
        self.backend.schema()
    }

    /// The SQL dialect of this data source: PostgreSQL's on a PostgreSQL server, Spark's on
    /// Spark, SQLite's on a file.
    pub fn sql_dialect(&self) -> crate::registry::SqlDialect {
        self.backend.sql_dialect()
    }

    /// The segment's SQL for reading (values inlined) in `chosen`, else in this source's own
    /// dialect; with the dialect written.
    pub fn readable_sql(
        &self,
        query: &segment_model::ir::Query,
        chosen: Option<crate::registry::SqlDialect>,
    ) -> Result<(crate::registry::SqlDialect, String)> {
        let dialect = chosen.unwrap_or_else(|| self.sql_dialect());
        Ok((dialect, segment_sql::display(query, dialect.dialect())?))
    }

    /// Checks a segment against this data's schema.
    pub fn check(
        &self,
        segment: segment_model::Segment,
        entity: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<CheckedSegment> {
        CheckedSegment::check(segment, self.schema(), entity, now).map_err(Error::Invalid)
    }

    /// The engine's status, starting a background load if needed; never blocks. A backend that
    /// keeps its data where it is has no engine.
    pub fn engine_status(&self) -> EngineStatus {
        match self.backend.engine_load() {
            Some(load) => self.engine.status(load),
            None => EngineStatus::Unsupported("this data source counts where the data is".into()),
        }
    }

    /// The engine's status, waiting while it loads. Blocking.
    pub fn wait_for_engine(&self) -> EngineStatus {
        match self.backend.engine_load() {
            Some(load) => self.engine.wait(load),
            None => EngineStatus::Unsupported("this data source counts where the data is".into()),
        }
    }

    /// [`wait_for_engine`](Self::wait_for_engine), handing `report` the load's progress every
    /// `every` while it runs (the CLI's "loading into memory: …" lines).
    pub fn wait_for_engine_reporting(
        &self,
        every: std::time::Duration,
        report: &mut dyn FnMut(segment_source::load_progress::Progress),
    ) -> EngineStatus {
        match self.backend.engine_load() {
            Some(load) => self.engine.wait_reporting(load, every, report),
            None => EngineStatus::Unsupported("this data source counts where the data is".into()),
        }
    }

    /// How the engine's last load went: from the source or from a snapshot of an earlier one.
    pub fn engine_load_report(&self) -> Option<crate::snapshots::LoadReport> {
        self.engine.last_load()
    }

    /// How far the engine's load of the data has come, while it loads.
    pub fn engine_progress(&self) -> Option<segment_source::load_progress::Progress> {
        self.engine.progress()
    }

    /// The engine's dataset, waiting for it; an error when it cannot hold the data.
    pub fn dataset(&self) -> Result<Arc<Dataset>> {
        match self.wait_for_engine() {
            EngineStatus::Ready(data) => Ok(data),
            EngineStatus::Unsupported(why) => Err(Error::EngineUnavailable(why)),
            EngineStatus::Loading => Err(Error::EngineUnavailable(
                "the count engine is still loading".into(),
            )),
        }
    }

    /// Counts `checked` (and its nodes, as asked) in memory when `prefer` allows and the engine
    /// can, else in SQL, saying why. `token` cancels either.
    pub fn count(
        &self,
        checked: &CheckedSegment,
        prefer: Prefer,
        nodes: NodeCounts,
        token: &CancelToken,
    ) -> Result<Counted> {
        let started = Instant::now();
        let status = match prefer {
            Prefer::Sql => None,
            Prefer::EngineIfReady => Some(self.engine_status()),
            Prefer::Engine => Some(self.wait_for_engine()),
        };
        let load_ms = (prefer == Prefer::Engine).then(|| millis(started));
        let notice = match status {
            None => None,
            Some(EngineStatus::Ready(data)) => {
                match self.count_in_memory(&data, checked, nodes, token) {
                    Ok(mut counted) => {
                        counted.timings.load_ms = load_ms;
                        return Ok(counted);
                    }
                    Err(Error::Cancelled) => return Err(Error::Cancelled),
                    Err(e) => Some(e.to_string()),
                }
            }
            Some(EngineStatus::Loading) => Some(match self.engine.progress() {
                Some(progress) => format!(
                    "the count engine is still loading the data ({progress}); counted with SQL"
                ),
                None => "the count engine is still loading the data; counted with SQL".to_string(),
            }),
            Some(EngineStatus::Unsupported(why)) => Some(why),
        };
        let key = ResultKey::new(checked, &self.source_identity());
        let mut counted = match self.results.get(&key) {
            // A superseded request stays cancelled, remembered or not.
            Some(_) if token.is_cancelled() => return Err(Error::Cancelled),
            Some(remembered) => self.with_node_counts(key, remembered, checked, nodes, token)?,
            None => {
                let counted = self.count_in_sql(checked, nodes, token).map_err(|e| {
                    crate::raw_failure::attribute(self.backend.as_ref(), checked, e, token)
                })?;
                self.results.put(key, counted.clone());
                counted
            }
        };
        counted.notice = notice;
        Ok(counted)
    }

    /// A remembered count, with per-node counts added (one round trip, remembered too) when
    /// they are asked for and it has none: within a budget, the count itself now cost nothing.
    fn with_node_counts(
        &self,
        key: ResultKey,
        remembered: Counted,
        checked: &CheckedSegment,
        nodes: NodeCounts,
        token: &CancelToken,
    ) -> Result<Counted> {
        let mut counted = Counted {
            cached: true,
            ..remembered
        };
        if counted.nodes.is_none() && nodes != NodeCounts::None {
            let started = Instant::now();
            counted.nodes = Some(self.sql_node_counts(checked, token)?);
            counted.timings.nodes_ms = Some(millis(started));
            self.results.put(key, counted.clone());
        }
        Ok(counted)
    }

    /// The source's identity for remembered counts: location, schema and the data's version
    /// (a file's modification time), so a file changed in place is counted again.
    fn source_identity(&self) -> String {
        match self.backend.data_version() {
            Some(version) => format!("{}@{version}", self.source_id),
            None => self.source_id.clone(),
        }
    }

    fn count_in_memory(
        &self,
        data: &Dataset,
        checked: &CheckedSegment,
        nodes: NodeCounts,
        token: &CancelToken,
    ) -> Result<Counted> {
        let evaluator = Evaluator::with_cancel(data, token.flag());
        let started = Instant::now();
        let rows = evaluator.matching(&checked.query)?;
        let count_ms = millis(started);
        let started = Instant::now();
        let node_counts = match nodes {
            NodeCounts::None => None,
            _ => Some(
                checked
                    .variants(self.schema())
                    .into_iter()
                    .map(|v| {
                        Ok(NodeCount {
                            path: v.path,
                            count: evaluator.matching(&v.alone)?.count(),
                            without: evaluator.matching(&v.without)?.count(),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        Ok(Counted {
            count: rows.count(),
            total: rows.len() as u64,
            method: Method::Memory,
            notice: None,
            timings: Timings {
                load_ms: None,
                count_ms,
                nodes_ms: node_counts.as_ref().map(|_| millis(started)),
            },
            nodes: node_counts,
            memory_bytes: Some(data.heap_bytes() as u64),
            cached: false,
        })
    }

    fn count_in_sql(
        &self,
        checked: &CheckedSegment,
        nodes: NodeCounts,
        token: &CancelToken,
    ) -> Result<Counted> {
        let started = Instant::now();
        let result = self.backend.count(&checked.query, token)?;
        let count_ms = millis(started);
        let wanted = match nodes {
            NodeCounts::None => false,
            NodeCounts::Always => true,
            NodeCounts::WithinBudget(budget) => started.elapsed() < budget,
        };
        let started = Instant::now();
        let node_counts = if wanted {
            Some(self.sql_node_counts(checked, token)?)
        } else {
            None
        };
        Ok(Counted {
            count: result.count,
            total: result.total,
            method: Method::Sql,
            notice: None,
            timings: Timings {
                load_ms: None,
                count_ms,
                nodes_ms: node_counts.as_ref().map(|_| millis(started)),
            },
            nodes: node_counts,
            memory_bytes: None,
            cached: false,
        })
    }

    fn sql_node_counts(
        &self,
        checked: &CheckedSegment,
        token: &CancelToken,
    ) -> Result<Vec<NodeCount>> {
        let variants = checked.variants(self.schema());
        let queries: Vec<_> = variants
            .iter()
            .flat_map(|v| [v.alone.clone(), v.without.clone()])
            .collect();
        let counts = self.backend.counts(&queries, token)?;
        Ok(variants
            .into_iter()
            .zip(counts.chunks(2))
            .map(|(v, pair)| NodeCount {
                path: v.path,
                count: pair.first().copied().unwrap_or_default(),
                without: pair.get(1).copied().unwrap_or_default(),
            })
            .collect())
    }

    /// Up to `n` matching records (first by key, or at random with a seed), each with the nodes
    /// it met on its own and its fields. In memory when the engine can (waiting for it), else
    /// in SQL (a raw SQL condition, data beyond the memory budget, a warehouse).
    pub fn samples(
        &self,
        checked: &CheckedSegment,
        n: usize,
        order: SampleOrder,
        token: &CancelToken,
    ) -> Result<Vec<SampleRecord>> {
        let picked = match self.samples_in_memory(checked, n, order) {
            Err(Error::EngineUnavailable(_)) => self.samples_in_sql(checked, n, order, token)?,
            other => other?,
        };
        let entity = &checked.query.entity;
        let keys: Vec<Value> = picked.iter().map(|(key, _)| key.clone()).collect();
        let records = self.backend.records(&entity.name, &entity.key, &keys)?;
        Ok(picked
            .into_iter()
            .zip(records)
            .map(|((key, met), record)| SampleRecord { key, met, record })
            .collect())
    }

    fn samples_in_memory(
        &self,
        checked: &CheckedSegment,
        n: usize,
        order: SampleOrder,
    ) -> Result<Vec<(Value, Vec<String>)>> {
        let data = self.dataset()?;
        let samples = segment_engine::explain::samples(
            &data,
            self.schema(),
            &checked.segment,
            checked.entity(),
            checked.now,
            n,
            order,
        )?;
        Ok(samples
            .into_iter()
            .map(|s| (serde_json::to_value(&s.key).unwrap_or(Value::Null), s.met))
            .collect())
    }

    fn samples_in_sql(
        &self,
        checked: &CheckedSegment,
        n: usize,
        order: SampleOrder,
        token: &CancelToken,
    ) -> Result<Vec<(Value, Vec<String>)>> {
        let keys = match order {
            SampleOrder::First => self
                .backend
                .matching_keys(&checked.query, n as u64, token)?,
            SampleOrder::Random(seed) => {
                let all = self
                    .backend
                    .matching_keys(&checked.query, i64::MAX as u64, token)?;
                pick(all, n, seed)
            }
        };
        let mut met = vec![Vec::new(); keys.len()];
        for variant in checked.variants(self.schema()) {
            let matched = self.backend.keys_matching(&variant.alone, &keys, token)?;
            for (i, _) in matched.iter().enumerate().filter(|(_, m)| **m) {
                met[i].push(variant.path.clone());
            }
        }
        Ok(keys.into_iter().zip(met).collect())
    }

    /// Exact overlap of 2–3 segments: each count, every Venn region, Jaccard of each pair. In
    /// memory when the engine can, else in SQL.
    pub fn overlap(&self, segments: &[CheckedSegment], token: &CancelToken) -> Result<Overlap> {
        if !(2..=3).contains(&segments.len()) {
            return Err(Error::request(format!(
                "compare 2 or 3 segments, not {}",
                segments.len()
            )));
        }
        let queries: Vec<_> = segments.iter().map(|s| s.query.clone()).collect();
        let in_memory = self
            .dataset()
            .and_then(|data| Ok(segment_engine::explain::overlap(&data, &queries)?));
        match in_memory {
            Err(Error::EngineUnavailable(_)) => self.backend.overlap(&queries, token),
            other => other,
        }
    }

    /// Every matching record's key as a member identifier (freeze, evaluations, member diffs),
    /// with the entity's total. Counted in SQL: exact on any data the backend holds. The keys
    /// arrive in batches ([`MEMBER_BATCH`] from PostgreSQL's cursor, Spark's Arrow batches),
    /// each turned into identifiers at once: only the identifiers are ever held whole.
    pub fn members(&self, checked: &CheckedSegment, token: &CancelToken) -> Result<Members> {
        let mut ids = Vec::new();
        self.backend
            .each_key_batch(&checked.query, MEMBER_BATCH, token, &mut |keys| {
                ids.extend(keys.iter().filter_map(key_text))
            })?;
        let total = self.backend.total(&checked.query.entity.name)?;
        Ok(Members { ids, total })
    }
}

impl Service {
    /// Statistics of every table of a warehouse, read where the data is (large tables from a
    /// sample: see `warehouse_stats`). A local file's come from `segment_import::stats`.
    pub fn stats(
        &self,
        limits: crate::warehouse_stats::SampleLimits,
        token: &CancelToken,
    ) -> Result<Vec<segment_import::stats::EntityStats>> {
        self.backend.stats(limits, token)
    }
}

/// Keys per batch of a member list read from a warehouse.
pub const MEMBER_BATCH: usize = 10_000;

/// The members of a segment on the data, and the entity's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Members {
    pub ids: Vec<String>,
    pub total: u64,
}
