//! The Spark Connect address: `sc://host[:port][/;key=value;…]`, as Spark's clients read it.

use crate::error::{Error, Result};

/// The port Spark Connect listens on by default.
pub const DEFAULT_PORT: u16 = 15002;

/// A parsed `sc://` address.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectUrl {
    pub host: String,
    pub port: u16,
    /// A bearer token (`token=`); sent as `authorization: Bearer …`, and implies TLS.
    pub token: Option<String>,
    /// `use_ssl=true`, or a token.
    pub use_ssl: bool,
    pub user_id: Option<String>,
    /// A session to join (`session_id=`, a UUID); a new one otherwise.
    pub session_id: Option<String>,
    /// Every other `key=value`, sent as a gRPC header (e.g. `x-databricks-cluster-id`).
    pub headers: Vec<(String, String)>,
}

impl ConnectUrl {
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |reason: &str| Error::BadUrl {
            url: redact(url),
            reason: reason.to_string(),
        };
        let rest = url
            .strip_prefix("sc://")
            .ok_or_else(|| bad("it does not start with sc://"))?;
        let (authority, params) = match rest.split_once('/') {
            Some((a, p)) => (a, p),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| bad(&format!("the port `{p}` is not a number")))?,
            ),
            None => (authority, DEFAULT_PORT),
        };
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        let mut out = ConnectUrl {
            host: host.to_string(),
            port,
            token: None,
            use_ssl: false,
            user_id: None,
            session_id: None,
            headers: Vec::new(),
        };
        for pair in params.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad(&format!("`{}` is not key=value", redact_pair(pair))))?;
            match key {
                "token" => {
                    out.token = Some(value.to_string());
                    out.use_ssl = true;
                }
                "use_ssl" => out.use_ssl = value.eq_ignore_ascii_case("true"),
                "user_id" => out.user_id = Some(value.to_string()),
                "session_id" => out.session_id = Some(value.to_string()),
                "user_agent" => {}
                _ => out
                    .headers
                    .push((key.to_ascii_lowercase(), value.to_string())),
            }
        }
        Ok(out)
    }

    /// `http(s)://host:port`, for the channel.
    pub fn endpoint(&self) -> String {
        let scheme = if self.use_ssl { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.host, self.port)
    }

    /// The address without secrets, for people: `sc://host:port`.
    pub fn display(&self) -> String {
        format!("sc://{}:{}", self.host, self.port)
    }
}

impl std::fmt::Debug for ConnectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("use_ssl", &self.use_ssl)
            .field("headers", &self.headers)
            .finish()
    }
}

/// The URL with its token hidden (errors are shown and logged).
fn redact(url: &str) -> String {
    url.split(';')
        .map(redact_pair)
        .collect::<Vec<_>>()
        .join(";")
}

fn redact_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some(("token", _)) => "token=…".to_string(),
        _ => pair.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_host_port_and_options() {
        let url = ConnectUrl::parse(
            "sc://dbc-1.cloud.databricks.com:443/;token=dapi123;x-databricks-cluster-id=0301-abc",
        )
        .unwrap();
        assert_eq!(url.host, "dbc-1.cloud.databricks.com");
        assert_eq!(url.port, 443);
        assert_eq!(url.token.as_deref(), Some("dapi123"));
        assert!(url.use_ssl);
        assert_eq!(
            url.headers,
            vec![(
                "x-databricks-cluster-id".to_string(),
                "0301-abc".to_string()
            )]
        );
        assert_eq!(url.endpoint(), "https://dbc-1.cloud.databricks.com:443");
        assert!(!format!("{url:?}").contains("dapi123"));
    }

    #[test]
    fn port_defaults_and_errors_hide_the_token() {
        let url = ConnectUrl::parse("sc://localhost").unwrap();
        assert_eq!((url.port, url.use_ssl), (DEFAULT_PORT, false));
        assert_eq!(url.endpoint(), "http://localhost:15002");
        let e = ConnectUrl::parse("sc://h:x/;token=secret")
            .unwrap_err()
            .to_string();
        assert!(e.contains("port `x`") && !e.contains("secret"), "{e}");
        assert!(ConnectUrl::parse("http://h:1").is_err());
    }
}
