//! Where the data is: a parsed data location (a SQLite file, a PostgreSQL server, a Spark
//! Connect endpoint) and the ONE function that opens a [`Backend`] for it. The CLI's every
//! `--data` and the app's data sources go through [`open_location`]; a new kind of source is one
//! arm in [`open_backend`] (and a variant here), and nothing else in either front end changes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::{Backend, SqliteBackend};
use crate::engine_cache::EngineCache;
use crate::error::{Error, Result};
use crate::service::Service;

/// A data location as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local SQLite file.
    Sqlite(PathBuf),
    /// `postgresql://user@host:port/database[?options]` (or `postgres://`), kept as written:
    /// the driver reads the options (libpq's forms).
    Postgres(String),
    /// `sc://host:port[/;option=value;…]` (Spark Connect's standard form).
    Spark(String),
}

impl Location {
    /// Reads a location: a URL by its scheme, anything else a file path.
    pub fn parse(text: &str) -> Result<Location> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
            return Ok(Location::Postgres(trimmed.to_string()));
        }
        if lower.starts_with("sc://") {
            return Ok(Location::Spark(trimmed.to_string()));
        }
        if let Some((scheme, _)) = lower.split_once("://") {
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Error::request(format!(
                    "unknown kind of data location {scheme}://: give a SQLite file, a \
                     postgresql://user@host:port/database address or an sc://host:port address"
                )));
            }
        }
        if trimmed.is_empty() {
            return Err(Error::request("no data location given"));
        }
        Ok(Location::Sqlite(PathBuf::from(text)))
    }

    /// `sqlite`, `postgresql` or `spark`.
    pub fn kind(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgresql",
            Location::Spark(_) => "spark",
        }
    }

    /// The location for people and for keys (caches, the sidecar, a segment's data source):
    /// a URL without its password or token.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) | Location::Spark(url) => without_secrets(url),
        }
    }

    /// The SQL dialect the source runs (a `Backend`'s `sql_dialect` once opened).
    pub fn sql_dialect(&self) -> crate::registry::SqlDialect {
        match self {
            Location::Sqlite(_) => crate::registry::SqlDialect::Sqlite,
            Location::Postgres(_) => crate::registry::SqlDialect::Postgres,
            Location::Spark(_) => crate::registry::SqlDialect::Spark,
        }
    }

    /// The local file, when the data is one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            _ => None,
        }
    }
}

/// `scheme://user:password@host…` without the password, and no `token=`/`password=` option.
pub fn without_secrets(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let tail: Vec<String> = tail
        .split_inclusive(['?', '&', ';'])
        .filter(|part| {
            let key = part
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            !["password", "token"].contains(&key.as_str())
        })
        .map(str::to_string)
        .collect();
    let tail = tail.concat();
    let tail = tail.trim_end_matches(['&', ';', '?']);
    format!("{scheme}://{authority}{tail}")
}

/// What opening a location may need besides the location.
#[derive(Default, Clone, Copy)]
pub struct OpenOptions<'a> {
    /// The PostgreSQL schema or the Spark database (`--schema`).
    pub schema: Option<&'a str>,
    /// A password or token typed in for this session (kept in memory only).
    pub password: Option<&'a str>,
    /// The sidecar store (confirmed relationships, time columns, labels), for files and
    /// warehouses alike.
    pub store: Option<&'a segment_import::Store>,
}

/// Opens the [`Backend`] of a location: the registration point of every kind of source.
pub fn open_backend(location: &Location, options: &OpenOptions) -> Result<Arc<dyn Backend>> {
    match location {
        Location::Sqlite(path) => Ok(Arc::new(SqliteBackend::open(path, options.store)?)),
        Location::Postgres(url) => {
            let settings = segment_postgres::Settings {
                url: url.clone(),
                schema: options.schema.map(str::to_string),
                password: options.password.map(str::to_string),
                statement_timeout: None,
            };
            Ok(Arc::new(
                crate::postgres::PostgresBackend::connect(&settings, location.display())?
                    .confirmed_in(options.store)?,
            ))
        }
        Location::Spark(url) => Ok(Arc::new(
            crate::spark::SparkBackend::connect(
                &with_token(url, options.password),
                options.schema,
                location.display(),
            )?
            .confirmed_in(options.store)?,
        )),
    }
}

/// A Spark Connect address with the session's token added when it has none of its own.
fn with_token(url: &str, token: Option<&str>) -> String {
    match token {
        Some(token) if !url.contains(";token=") => {
            let separator = if url.contains("/;") { ";" } else { "/;" };
            format!(
                "{}{separator}token={token}",
                url.trim_end_matches(['/', ';'])
            )
        }
        _ => url.to_string(),
    }
}

/// The count service on a location (see [`open_backend`]), sharing `engine` with whoever
/// opened the same data before.
pub fn open_location(
    location: &Location,
    options: &OpenOptions,
    engine: EngineCache,
) -> Result<Service> {
    Ok(Service::new(open_backend(location, options)?, engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_by_their_scheme() {
        assert_eq!(
            Location::parse("postgres://ann@db:5432/shop")
                .map(|l| l.kind())
                .ok(),
            Some("postgresql")
        );
        assert_eq!(
            Location::parse("sc://spark:15002/;token=abc")
                .map(|l| l.kind())
                .ok(),
            Some("spark")
        );
        assert_eq!(
            Location::parse("data/demo.sqlite").ok(),
            Some(Location::Sqlite(PathBuf::from("data/demo.sqlite")))
        );
        assert!(Location::parse("mysql://x@y/z").is_err());
    }

    #[test]
    fn a_source_shows_its_own_sql_dialect() {
        use crate::registry::SqlDialect;
        let dialect = |text: &str| Location::parse(text).map(|l| l.sql_dialect()).ok();
        assert_eq!(
            dialect("postgresql://ann@db/shop"),
            Some(SqlDialect::Postgres)
        );
        assert_eq!(dialect("sc://spark:15002"), Some(SqlDialect::Spark));
        assert_eq!(dialect("demo.sqlite"), Some(SqlDialect::Sqlite));
        assert_eq!(SqlDialect::Postgres.database(), "PostgreSQL");
        assert_eq!(SqlDialect::Spark.entry().name, "sql-spark");
        assert_eq!(SqlDialect::named("postgresql"), Ok(SqlDialect::Postgres));
        assert_eq!(SqlDialect::named("sql-spark"), Ok(SqlDialect::Spark));
        assert!(SqlDialect::named("mysql")
            .unwrap_err()
            .contains("sqlite, postgres"));
    }

    #[test]
    fn displayed_locations_carry_no_secret() {
        assert_eq!(
            without_secrets("postgresql://ann:s3cret@db:5432/shop?sslmode=disable&password=x"),
            "postgresql://ann@db:5432/shop?sslmode=disable"
        );
        assert_eq!(
            without_secrets("sc://spark:15002/;token=abc;user_id=ann"),
            "sc://spark:15002/;user_id=ann"
        );
    }
}
