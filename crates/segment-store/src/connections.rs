//! Connection profiles: warehouses the user connects to (a PostgreSQL or Spark Connect address
//! and the schema), listed beside the local files. Never a secret: an address carrying a
//! password or token is refused (the password comes from the environment, `~/.pgpass`, or is
//! asked once per session).

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::{stamp, Store};

/// A saved connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionProfile {
    /// The name the user gave it (unique).
    pub name: String,
    /// `postgresql://user@host:port/database` or `sc://host:port`, without a password.
    pub url: String,
    /// The PostgreSQL schema or Spark database.
    #[ts(optional)]
    pub schema: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn kind_of(url: &str) -> Result<&'static str> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        Ok("postgresql")
    } else if lower.starts_with("sc://") {
        Ok("spark")
    } else {
        Err(invalid(
            "url",
            "a connection is a postgresql://… or sc://… address",
        ))
    }
}

/// Whether the address carries a secret (`user:password@`, `password=`, `token=`).
fn has_secret(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let userinfo_password = authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'));
    let lower = url.to_ascii_lowercase();
    userinfo_password || lower.contains("password=") || lower.contains("token=")
}

impl Store {
    /// Saves (or replaces) a connection profile.
    pub fn save_connection(&mut self, profile: &ConnectionProfile) -> Result<ConnectionProfile> {
        let name = profile.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains('\0') {
            return Err(invalid(
                "name",
                "a connection needs a name (up to 200 characters)",
            ));
        }
        let kind = kind_of(&profile.url)?;
        if has_secret(&profile.url) {
            return Err(invalid(
                "url",
                "the address carries a password or token, which is never stored: remove it \
                 (the app asks for it once per session)",
            ));
        }
        let saved = ConnectionProfile {
            name: name.to_string(),
            url: profile.url.trim().to_string(),
            schema: profile.schema.clone().filter(|s| !s.trim().is_empty()),
        };
        self.write(|tx, now| {
            tx.execute(
                "INSERT INTO connections (name, kind, url, schema_name, date_created, date_modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (name) DO UPDATE SET kind = ?2, url = ?3, schema_name = ?4,
                   date_modified = ?5",
                params![saved.name, kind, saved.url, saved.schema, stamp(now)],
            )?;
            Ok(())
        })?;
        Ok(saved)
    }

    /// Every saved connection, by name.
    pub fn connections(&mut self) -> Result<Vec<ConnectionProfile>> {
        self.read(|tx, _| {
            let mut stmt =
                tx.prepare("SELECT name, url, schema_name FROM connections ORDER BY name")?;
            let rows = stmt.query_map([], |r| {
                Ok(ConnectionProfile {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    schema: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Forgets a connection; `false` when there was none of that name.
    pub fn delete_connection(&mut self, name: &str) -> Result<bool> {
        self.write(|tx, _| Ok(tx.execute("DELETE FROM connections WHERE name = ?1", [name])? > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::has_secret;

    #[test]
    fn secrets_are_recognised() {
        assert!(has_secret("postgresql://ann:pw@db/shop"));
        assert!(has_secret("postgresql://ann@db/shop?password=x"));
        assert!(has_secret("sc://spark:15002/;token=abc"));
        assert!(!has_secret("postgresql://ann@db:5432/shop?sslmode=disable"));
    }
}
