//! Apache Spark (Spark Connect) as a [`Backend`]: every count pushed down (no in-memory copy),
//! per-node counts in one statement, the client's failures turned into [`Error::Warehouse`].

use segment_engine::explain::Overlap;
use segment_model::ir::Query;
use segment_model::Schema;
use segment_source::{CancelToken, CountResult};
use segment_spark::{ConnectUrl, SparkSource};
use serde_json::Value;

use crate::backend::Backend;
use crate::error::{Error, Result};

pub struct SparkBackend {
    source: SparkSource,
    location: String,
}

impl SparkBackend {
    /// Connects to `url` (`sc://host:port[/;options]`), uses `database` (else the server's
    /// current one) and reads the schema; `location` is the address without its token.
    pub fn connect(url: &str, database: Option<&str>, location: String) -> Result<Self> {
        let url = ConnectUrl::parse(url)?;
        Ok(SparkBackend {
            source: SparkSource::connect(&url, database)?,
            location,
        })
    }

    pub fn source(&self) -> &SparkSource {
        &self.source
    }
}

impl From<segment_spark::Error> for Error {
    fn from(e: segment_spark::Error) -> Self {
        match e {
            segment_spark::Error::Cancelled => Error::Cancelled,
            segment_spark::Error::Sql(e) => Error::Sql(e),
            e => Error::Warehouse {
                source_kind: "Spark",
                kind: e.kind(),
                message: e.to_string(),
            },
        }
    }
}

impl Backend for SparkBackend {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn sql_dialect(&self) -> crate::registry::SqlDialect {
        crate::registry::SqlDialect::Spark
    }

    fn schema(&self) -> &Schema {
        self.source.schema()
    }

    fn count(&self, query: &Query, token: &CancelToken) -> Result<CountResult> {
        let (count, total) = self.source.count(query, token.flag())?;
        Ok(CountResult { count, total })
    }

    fn counts(&self, queries: &[Query], token: &CancelToken) -> Result<Vec<u64>> {
        Ok(self.source.counts(queries, token.flag())?)
    }

    fn matching_keys(&self, query: &Query, limit: u64, token: &CancelToken) -> Result<Vec<Value>> {
        Ok(self.source.matching_keys(query, limit, token.flag())?)
    }

    fn each_key_batch(
        &self,
        query: &Query,
        _batch: usize,
        token: &CancelToken,
        take: &mut dyn FnMut(Vec<Value>),
    ) -> Result<()> {
        // Spark decides the batches (Arrow batches of a few MB each).
        Ok(self.source.each_key_batch(query, token.flag(), take)?)
    }

    fn stats(
        &self,
        limits: crate::warehouse_stats::SampleLimits,
        _token: &CancelToken,
    ) -> Result<Vec<segment_import::stats::EntityStats>> {
        crate::warehouse_stats::compute(self, self.source.schema(), limits)
    }

    fn total(&self, entity: &str) -> Result<u64> {
        Ok(self.source.total(entity)?)
    }

    fn records(&self, entity: &str, key: &str, keys: &[Value]) -> Result<Vec<Value>> {
        Ok(self.source.records(entity, key, keys)?)
    }

    fn keys_matching(
        &self,
        query: &Query,
        keys: &[Value],
        token: &CancelToken,
    ) -> Result<Vec<bool>> {
        Ok(self.source.keys_matching(query, keys, token.flag())?)
    }

    fn overlap(&self, queries: &[Query], token: &CancelToken) -> Result<Overlap> {
        Ok(self.source.overlap(queries, token.flag())?)
    }

    fn select_rows(
        &self,
        statement: &segment_sql::Statement,
        token: &CancelToken,
    ) -> Result<Vec<Vec<segment_sql::SqlCell>>> {
        Ok(self.source.select_cells(statement, token.flag())?)
    }
}

impl crate::warehouse_stats::Profiled for SparkBackend {
    fn estimated_rows(&self, table: &str) -> Result<Option<u64>> {
        // Spark counts a Parquet table from its metadata: the exact count is cheap.
        Ok(Some(self.source.total(table)?))
    }

    fn exact_rows(&self, table: &str) -> Result<u64> {
        Ok(self.source.total(table)?)
    }

    fn sampled_from(&self, table: &str, percent: Option<f64>) -> String {
        self.source.sampled_from(table, percent)
    }

    fn select_values(&self, sql: &str) -> Result<Vec<Vec<Value>>> {
        Ok(self.source.select_values(sql)?)
    }

    fn spelling(&self) -> crate::warehouse_stats::Spelling {
        crate::warehouse_stats::Spelling::Spark
    }
}
