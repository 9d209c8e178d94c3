//! What the PostgreSQL and Spark backends share. Their clients (`PostgresSource`,
//! `SparkSource`) answer the same calls with the same signatures, so the [`Backend`] and
//! [`Profiled`] methods that only hand a call to the client are written once here; each backend
//! module keeps what differs (connecting, its dialect, key batches, row estimates).
//!
//! [`Backend`]: crate::backend::Backend
//! [`Profiled`]: crate::warehouse_stats::Profiled

/// The [`Backend`](crate::backend::Backend) methods a warehouse's client answers as they are,
/// for a backend holding its client in `self.source` and its address in `self.location`:
/// every count, key and row pushed down, cancelled through the token's flag.
macro_rules! forward_backend_to_client {
    () => {
        fn location(&self) -> String {
            self.location.clone()
        }

        fn schema(&self) -> &segment_model::Schema {
            self.source.schema()
        }

        fn count(
            &self,
            query: &segment_model::ir::Query,
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<segment_source::CountResult> {
            let (count, total) = self.source.count(query, token.flag())?;
            Ok(segment_source::CountResult { count, total })
        }

        fn counts(
            &self,
            queries: &[segment_model::ir::Query],
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<Vec<u64>> {
            Ok(self.source.counts(queries, token.flag())?)
        }

        fn matching_keys(
            &self,
            query: &segment_model::ir::Query,
            limit: u64,
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<Vec<serde_json::Value>> {
            Ok(self.source.matching_keys(query, limit, token.flag())?)
        }

        fn stats(
            &self,
            limits: crate::warehouse_stats::SampleLimits,
            _token: &segment_source::CancelToken,
        ) -> crate::error::Result<Vec<segment_import::stats::EntityStats>> {
            crate::warehouse_stats::compute(self, self.source.schema(), limits)
        }

        fn link_match(&self, link: &segment_import::Link) -> crate::error::Result<(u64, f64)> {
            crate::warehouse_stats::link_match(self, link)
        }

        fn warehouse_key(&self) -> Option<segment_import::WarehouseKey> {
            Some(self.key())
        }

        fn total(&self, entity: &str) -> crate::error::Result<u64> {
            Ok(self.source.total(entity)?)
        }

        fn records(
            &self,
            entity: &str,
            key: &str,
            keys: &[serde_json::Value],
        ) -> crate::error::Result<Vec<serde_json::Value>> {
            Ok(self.source.records(entity, key, keys)?)
        }

        fn keys_matching(
            &self,
            query: &segment_model::ir::Query,
            keys: &[serde_json::Value],
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<Vec<bool>> {
            Ok(self.source.keys_matching(query, keys, token.flag())?)
        }

        fn overlap(
            &self,
            queries: &[segment_model::ir::Query],
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<segment_engine::explain::Overlap> {
            Ok(self.source.overlap(queries, token.flag())?)
        }

        fn select_rows(
            &self,
            statement: &segment_sql::Statement,
            token: &segment_source::CancelToken,
        ) -> crate::error::Result<Vec<Vec<segment_sql::SqlCell>>> {
            Ok(self.source.select_cells(statement, token.flag())?)
        }
    };
}

/// The [`Profiled`](crate::warehouse_stats::Profiled) methods a warehouse's client answers as
/// they are (exact counts, sampled reads, plain statements).
macro_rules! forward_profiled_to_client {
    () => {
        fn exact_rows(&self, table: &str) -> crate::error::Result<u64> {
            Ok(self.source.total(table)?)
        }

        fn sampled_from(&self, table: &str, percent: Option<f64>) -> String {
            self.source.sampled_from(table, percent)
        }

        fn select_values(&self, sql: &str) -> crate::error::Result<Vec<Vec<serde_json::Value>>> {
            Ok(self.source.select_values(sql)?)
        }
    };
}

/// A warehouse client's error as the service's: cancellation and SQL compilation errors keep
/// their meaning, everything else is a [`Warehouse`](crate::error::Error::Warehouse) failure
/// naming the kind of source and what went wrong.
macro_rules! warehouse_error_from {
    ($client:ident, $source_kind:literal) => {
        impl From<$client::Error> for crate::error::Error {
            fn from(e: $client::Error) -> Self {
                match e {
                    $client::Error::Cancelled => crate::error::Error::Cancelled,
                    $client::Error::Sql(e) => crate::error::Error::Sql(e),
                    e => crate::error::Error::Warehouse {
                        source_kind: $source_kind,
                        kind: e.kind(),
                        message: e.to_string(),
                    },
                }
            }
        }
    };
}

/// A warehouse backend's key in the sidecar store (its address and its client's schema or
/// database) and the relationships and time columns confirmed there applied to its schema.
macro_rules! confirmed_links_from_store {
    () => {
        /// Applies the relationships and time columns confirmed for these tables in `store`.
        pub fn confirmed_in(
            mut self,
            store: Option<&segment_import::Store>,
        ) -> crate::error::Result<Self> {
            if let Some(store) = store {
                let key = self.key();
                let schema = crate::relations::confirmed_schema(self.source.schema(), store, &key)?;
                self.source.set_schema(schema);
            }
            Ok(self)
        }

        fn key(&self) -> segment_import::WarehouseKey {
            segment_import::WarehouseKey {
                address: self.location.clone(),
                schema: self.source.namespace().to_string(),
            }
        }
    };
}

pub(crate) use {
    confirmed_links_from_store, forward_backend_to_client, forward_profiled_to_client,
    warehouse_error_from,
};
