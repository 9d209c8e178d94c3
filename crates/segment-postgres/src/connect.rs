//! Connecting: the settings (a `postgresql://` address, the schema, a password given for the
//! session), the password's sources (given, the address, `PGPASSWORD`, `~/.pgpass`), and the
//! one small runtime that drives the connection.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::Config;

use crate::error::{Error, Result, Target};
use crate::tls::{TlsMode, TlsSettings};

/// How to reach the data. Holds no secret unless the app was given one for this session.
#[derive(Clone, Default)]
pub struct Settings {
    /// `postgresql://user@host:port/database[?options]` (also `postgres://`, or `key=value`
    /// pairs as libpq reads them).
    pub url: String,
    /// The PostgreSQL schema whose tables are the entities (default `public`).
    pub schema: Option<String>,
    /// A password typed in for this session (kept in memory only, never written).
    pub password: Option<String>,
    /// Every statement's limit (default 60 s).
    pub statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("schema", &self.schema)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The driver's configuration with every default filled in, who it is for the messages, and
/// how to encrypt (`sslmode`/`sslrootcert` from the address, else `PGSSLMODE`/`PGSSLROOTCERT`).
pub(crate) fn config(settings: &Settings) -> Result<(Config, Target, TlsSettings)> {
    let (address, tls_parts) = crate::tls::split_address(&settings.url);
    let mut config = Config::from_str(&address).map_err(|e| Error::Location(e.to_string()))?;
    let tls_parts = tls_parts.unwrap_or_default();
    let mode = tls_parts
        .mode
        .or_else(|| std::env::var("PGSSLMODE").ok())
        .map(|m| TlsMode::parse(&m))
        .transpose()?
        .unwrap_or_default();
    let root_cert = tls_parts
        .root_cert
        .or_else(|| std::env::var("PGSSLROOTCERT").ok());
    if config.get_hosts().is_empty() {
        let host = std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into());
        if host.starts_with('/') {
            config.host_path(host);
        } else {
            config.host(&host);
        }
    }
    if config.get_ports().is_empty() {
        let port = std::env::var("PGPORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432);
        config.port(port);
    }
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "postgres".into());
        config.user(&user);
    }
    let user = config.get_user().unwrap_or_default().to_string();
    if config.get_dbname().is_none() {
        let db = std::env::var("PGDATABASE").unwrap_or_else(|_| user.clone());
        config.dbname(&db);
    }
    let database = config.get_dbname().unwrap_or_default().to_string();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    // A Unix socket is never encrypted (libpq ignores sslmode there too).
    let mode = if host.starts_with('/') {
        TlsMode::Disable
    } else {
        mode
    };
    config.ssl_mode(mode.driver_mode());
    if config.get_password().is_none() {
        let password = settings
            .password
            .clone()
            .or_else(|| std::env::var("PGPASSWORD").ok())
            .or_else(|| pgpass(&host, port, &database, &user));
        if let Some(password) = password {
            config.password(password);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.application_name("segment-builder");
    let target = Target {
        server: format!("{user}@{host}:{port}/{database}"),
        user,
        database,
        tls_mode: mode,
        root_cert: root_cert.clone(),
    };
    Ok((config, target, TlsSettings { mode, root_cert }))
}

/// Connects (encrypted as the settings say: `tls` is `None` for `disable` and on a Unix
/// socket, where the connector is not even built, as it would refuse a path as a host name)
/// and starts driving the connection.
pub(crate) async fn open(
    config: &Config,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    target: &Target,
    timeout_seconds: u64,
) -> Result<tokio_postgres::Client> {
    let failed = |e| target.error(e, timeout_seconds);
    match tls {
        Some(tls) => {
            let (client, connection) = config.connect(tls).await.map_err(failed)?;
            tokio::spawn(connection);
            Ok(client)
        }
        None => {
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(failed)?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

/// The password `~/.pgpass` (or `PGPASSFILE`) gives for this server, as libpq reads it:
/// `host:port:database:user:password`, `*` matching anything, `\` escaping `:` and `\`.
fn pgpass(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    // A socket directory matches the entry `localhost`, as in libpq.
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            let fits = |pattern: &String, value: &str| pattern == "*" || pattern == value;
            (fits(h, host) && fits(p, &port) && fits(d, database) && fits(u, user))
                .then(|| password.clone())
        })
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), fields.last_mut()) {
                    last.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// The runtime that drives the connection: one worker thread, so any thread may block on it.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("segment-postgres")
        .enable_all()
        .build()
        .map_err(|e| Error::Query {
            server: "(local)".into(),
            message: format!("cannot start the PostgreSQL client: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_unescape_and_split_on_five_fields() {
        assert_eq!(
            pgpass_fields(r"db.example:5432:*:ann:pa\:ss:word"),
            vec!["db.example", "5432", "*", "ann", "pa:ss:word"]
        );
    }

    #[test]
    fn defaults_fill_in_and_the_label_has_no_password() {
        let settings = Settings {
            url: "postgresql://ann:secret@db.example:6543/shop".into(),
            ..Settings::default()
        };
        let (config, target, tls) = config(&settings).expect("parses");
        assert_eq!(target.server, "ann@db.example:6543/shop");
        assert_eq!(config.get_password(), Some(&b"secret"[..]));
        assert_eq!(tls.mode, TlsMode::Prefer);
    }

    #[test]
    fn tls_modes_past_the_drivers_three_are_read() {
        let settings = Settings {
            url: "postgresql://ann@db.example/shop?sslmode=verify-full&sslrootcert=ca.pem".into(),
            ..Settings::default()
        };
        let (driver, _, tls) = super::config(&settings).expect("parses");
        assert_eq!(tls.mode, TlsMode::VerifyFull);
        assert_eq!(tls.root_cert.as_deref(), Some("ca.pem"));
        assert_eq!(
            driver.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );

        let socket = Settings {
            url: "postgresql://ann@%2Fvar%2Frun%2Fpostgresql/shop?sslmode=require".into(),
            ..Settings::default()
        };
        let (driver, _, tls) = super::config(&socket).expect("parses");
        assert_eq!(tls.mode, TlsMode::Disable);
        assert_eq!(
            driver.get_ssl_mode(),
            tokio_postgres::config::SslMode::Disable
        );
    }
}
