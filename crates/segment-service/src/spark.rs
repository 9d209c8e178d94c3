//! Apache Spark (Spark Connect) as a [`Backend`]: every count pushed down (no in-memory copy),
//! per-node counts in one statement, the client's failures turned into
//! [`Error::Warehouse`](crate::Error). The calls handed to the client as they are come from
//! [`crate::warehouse`].

use segment_model::ir::Query;
use segment_source::CancelToken;
use segment_spark::{ConnectUrl, SparkSource};
use serde_json::Value;

use crate::backend::Backend;
use crate::error::Result;
use crate::warehouse::{
    confirmed_links_from_store, forward_backend_to_client, forward_profiled_to_client,
    warehouse_error_from,
};

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

    confirmed_links_from_store!();
}

warehouse_error_from!(segment_spark, "Spark");

impl Backend for SparkBackend {
    forward_backend_to_client!();

    fn sql_dialect(&self) -> crate::registry::SqlDialect {
        crate::registry::SqlDialect::Spark
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
}

impl crate::warehouse_stats::Profiled for SparkBackend {
    forward_profiled_to_client!();

    fn estimated_rows(&self, table: &str) -> Result<Option<u64>> {
        // Spark counts a Parquet table from its metadata: the exact count is cheap.
        Ok(Some(self.source.total(table)?))
    }

    fn spelling(&self) -> crate::warehouse_stats::Spelling {
        crate::warehouse_stats::Spelling::Spark
    }
}
