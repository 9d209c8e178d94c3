//! PostgreSQL as a [`Backend`]: every count pushed down (no in-memory copy), per-node counts
//! in one statement, the driver's failures turned into [`Error::Warehouse`](crate::Error). The
//! calls handed to the client as they are come from [`crate::warehouse`].

use segment_model::ir::Query;
use segment_postgres::{PostgresSource, Settings};
use segment_source::CancelToken;
use serde_json::Value;

use crate::backend::Backend;
use crate::error::Result;
use crate::warehouse::{
    confirmed_links_from_store, forward_backend_to_client, forward_profiled_to_client,
    warehouse_error_from,
};

pub struct PostgresBackend {
    source: PostgresSource,
    location: String,
}

impl PostgresBackend {
    /// Connects and reads the schema; `location` is the address without its password.
    pub fn connect(settings: &Settings, location: String) -> Result<Self> {
        Ok(PostgresBackend {
            source: PostgresSource::connect(settings)?,
            location,
        })
    }

    pub fn source(&self) -> &PostgresSource {
        &self.source
    }

    confirmed_links_from_store!();
}

warehouse_error_from!(segment_postgres, "PostgreSQL");

impl Backend for PostgresBackend {
    forward_backend_to_client!();

    fn sql_dialect(&self) -> crate::registry::SqlDialect {
        crate::registry::SqlDialect::Postgres
    }

    /// Keys through a cursor, `batch` rows per fetch.
    fn each_key_batch(
        &self,
        query: &Query,
        batch: usize,
        token: &CancelToken,
        take: &mut dyn FnMut(Vec<Value>),
    ) -> Result<()> {
        Ok(self
            .source
            .each_key_batch(query, batch, token.flag(), take)?)
    }
}

impl crate::warehouse_stats::Profiled for PostgresBackend {
    forward_profiled_to_client!();

    /// The planner's estimate (`reltuples`), free to read.
    fn estimated_rows(&self, table: &str) -> Result<Option<u64>> {
        Ok(self.source.estimated_rows(table)?)
    }

    fn spelling(&self) -> crate::warehouse_stats::Spelling {
        crate::warehouse_stats::Spelling::Postgres
    }
}
