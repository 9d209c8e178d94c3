//! What can go wrong with a PostgreSQL source, each in words that name the server and say what
//! to do. `kind()` is the stable name the front ends map (the app's `AppError`, the CLI's exit).

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address is not a PostgreSQL connection string.
    #[error("not a PostgreSQL address ({0}): write postgresql://user@host:port/database")]
    Location(String),
    #[error("cannot reach the PostgreSQL server {server}: {detail}. Check the host and port, that the server runs, and that it accepts connections from this computer")]
    Unreachable { server: String, detail: String },
    #[error("PostgreSQL {server} needs a password for user {user}: set PGPASSWORD, add a line to ~/.pgpass, or enter it when the app asks")]
    PasswordNeeded { server: String, user: String },
    #[error("PostgreSQL {server} refused user {user}: {detail}. Check the user name and password")]
    Authentication {
        server: String,
        user: String,
        detail: String,
    },
    #[error("PostgreSQL {server}: user {user} may not read this: {detail}. Ask the database owner for SELECT on the tables and USAGE on the schema")]
    Permission {
        server: String,
        user: String,
        detail: String,
    },
    #[error(
        "PostgreSQL {server}: the encrypted connection (TLS, sslmode={mode}) failed: {detail}"
    )]
    Tls {
        server: String,
        mode: &'static str,
        detail: String,
    },
    #[error("PostgreSQL {server} accepts only encrypted connections: connect with sslmode=require, or verify-full with sslrootcert= naming the CA's certificate (PEM) to check the server too")]
    TlsRequired { server: String },
    #[error("PostgreSQL TLS settings: {0}")]
    TlsSetup(String),
    #[error("PostgreSQL {server} has no database {database}: check its name")]
    NoDatabase { server: String, database: String },
    #[error("PostgreSQL {server}: schema {schema} has no table this user can read. Check --schema (now {schema}) and the user's permissions")]
    NoTables { server: String, schema: String },
    #[error("PostgreSQL {server} stopped the query after {seconds} s (the statement timeout). Simplify the segment, or ask for an index on the columns it filters")]
    Timeout { server: String, seconds: u64 },
    #[error("a newer request replaced this one")]
    Cancelled,
    #[error("PostgreSQL {server}: {message}")]
    Query { server: String, message: String },
    #[error("cannot compile the segment to PostgreSQL SQL: {0}")]
    Sql(#[from] segment_sql::Error),
    #[error("PostgreSQL: unknown table {0}")]
    UnknownEntity(String),
}

impl Error {
    /// A short stable name of the failure: `location`, `unreachable`, `password_needed`,
    /// `authentication`, `permission`, `tls`, `no_database`, `no_tables`, `timeout`,
    /// `cancelled`, `query`, `sql`, `unknown_entity`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Location(_) => "location",
            Error::Unreachable { .. } => "unreachable",
            Error::PasswordNeeded { .. } => "password_needed",
            Error::Authentication { .. } => "authentication",
            Error::Permission { .. } => "permission",
            Error::Tls { .. } | Error::TlsRequired { .. } | Error::TlsSetup(_) => "tls",
            Error::NoDatabase { .. } => "no_database",
            Error::NoTables { .. } => "no_tables",
            Error::Timeout { .. } => "timeout",
            Error::Cancelled => "cancelled",
            Error::Query { .. } => "query",
            Error::Sql(_) => "sql",
            Error::UnknownEntity(_) => "unknown_entity",
        }
    }
}

/// Who and where, for the messages.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub server: String,
    pub user: String,
    pub database: String,
    pub tls_mode: crate::TlsMode,
    pub root_cert: Option<String>,
}

impl Target {
    /// A driver error in the user's words.
    pub(crate) fn error(&self, e: tokio_postgres::Error, timeout_seconds: u64) -> Error {
        use tokio_postgres::error::SqlState;
        let server = self.server.clone();
        if let Some(db) = e.as_db_error() {
            let detail = db.message().to_string();
            let code = db.code();
            // pg_hba.conf's `hostnossl … reject` (or no entry without encryption).
            let unencrypted = detail.contains("no encryption") || detail.contains("SSL off");
            return if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION && unencrypted {
                Error::TlsRequired { server }
            } else if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                Error::Authentication {
                    server,
                    user: self.user.clone(),
                    detail,
                }
            } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                Error::Permission {
                    server,
                    user: self.user.clone(),
                    detail,
                }
            } else if *code == SqlState::INVALID_CATALOG_NAME {
                Error::NoDatabase {
                    server,
                    database: self.database.clone(),
                }
            } else if *code == SqlState::QUERY_CANCELED && detail.contains("statement timeout") {
                // The same code stands for a cancel from elsewhere (an administrator's
                // `pg_cancel_backend`): that one keeps the server's words.
                Error::Timeout {
                    server,
                    seconds: timeout_seconds,
                }
            } else {
                Error::Query {
                    server,
                    message: one_line(&detail),
                }
            };
        }
        let text = e.to_string();
        let source = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let detail = if source.is_empty() {
            text.clone()
        } else {
            format!("{text}: {source}")
        };
        if text.contains("password missing") {
            Error::PasswordNeeded {
                server,
                user: self.user.clone(),
            }
        } else if text.contains("TLS") || text.contains("tls") || detail.contains("SSL") {
            Error::Tls {
                server,
                mode: self.tls_mode.as_str(),
                detail: self.tls_words(&detail),
            }
        } else if text.contains("error connecting")
            || text.contains("timeout")
            || text.contains("closed")
            || detail.contains("os error")
        {
            Error::Unreachable { server, detail }
        } else {
            Error::Query {
                server,
                message: one_line(&detail),
            }
        }
    }
}

impl Target {
    /// A failed handshake in words: what is wrong with the certificate, and what to change.
    fn tls_words(&self, detail: &str) -> String {
        let roots = match self.root_cert.as_deref() {
            Some("system") | None => "the public web roots".to_string(),
            Some(file) => format!("the CA in {file}"),
        };
        let why = if detail.contains("UnknownIssuer") || detail.contains("BadSignature") {
            format!(
                "the server's certificate is not signed by a trusted root (checked against \
                 {roots}); name the CA's certificate (PEM) with sslrootcert="
            )
        } else if detail.contains("not valid for name") || detail.contains("NotValidForName") {
            "the server's certificate does not name this host (verify-full checks it): connect \
             by the name in the certificate, or use sslmode=verify-ca"
                .to_string()
        } else if detail.contains("Expired") {
            "the server's certificate has expired".to_string()
        } else if detail.contains("server does not support TLS") {
            "the server does not accept encrypted connections: ask for TLS on the server, or \
             use sslmode=prefer or disable"
                .to_string()
        } else {
            return one_line(detail);
        };
        format!("{why} ({})", one_line(detail))
    }
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_string()
    }
}
