//! Encrypted connections, with libpq's `sslmode` meanings:
//!
//! - `disable`: never TLS.
//! - `prefer` (libpq's default): TLS when the server offers it, else plain; the certificate is
//!   not checked (as libpq without a root certificate).
//! - `require`: TLS or nothing; the certificate is not checked, unless a root certificate is
//!   given (`sslrootcert=`), when it is checked as `verify-ca` (as libpq does).
//! - `verify-ca`: TLS, and the server's certificate must chain to a trusted root.
//! - `verify-full`: `verify-ca`, and the certificate must name the host connected to.
//!
//! Trusted roots: the PEM file `sslrootcert=` (or `PGSSLROOTCERT`) names, else
//! `~/.postgresql/root.crt` when it exists, else the public web roots (`sslrootcert=system`
//! asks for them explicitly). Unix sockets never use TLS (as in libpq). rustls does the
//! handshake (no OpenSSL): TLS 1.2 and 1.3.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    /// Reads libpq's spelling (`allow` is read as `prefer`: both accept either).
    pub fn parse(text: &str) -> Result<TlsMode> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(Error::Location(format!(
                    "sslmode={other} is not a TLS mode: write disable, prefer, require, \
                     verify-ca or verify-full"
                )))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    /// What the driver negotiates (whether TLS is tried and whether it is a must).
    pub(crate) fn driver_mode(self) -> SslMode {
        match self {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        }
    }
}

/// The TLS part of a connection's settings (read from the address or the environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: TlsMode,
    /// `sslrootcert=`: a PEM file of trusted roots, or `system` for the public web roots.
    pub root_cert: Option<String>,
}

/// How the server's certificate is checked.
enum Check {
    /// Handshake signatures only (libpq's `prefer`/`require` without a root certificate).
    Signatures,
    /// The chain up to these roots; with `names`, also the host name.
    Chain { roots: RootCertStore, names: bool },
}

/// The connector for these settings; `None` under `disable` (and so on a Unix socket).
pub(crate) fn connector(settings: &TlsSettings) -> Result<Option<MakeRustlsConnect>> {
    if settings.mode == TlsMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_setup(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match check(settings)? {
        Check::Signatures => Arc::new(SignaturesOnly(provider)),
        Check::Chain { roots, names } => {
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| tls_setup(e.to_string()))?;
            if names {
                webpki
            } else {
                Arc::new(AnyName(webpki))
            }
        }
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(config)))
}

fn check(settings: &TlsSettings) -> Result<Check> {
    let explicit = settings.root_cert.as_deref().filter(|r| !r.is_empty());
    let names = settings.mode == TlsMode::VerifyFull;
    match settings.mode {
        TlsMode::Disable | TlsMode::Prefer => Ok(Check::Signatures),
        TlsMode::Require if explicit.is_none() => Ok(Check::Signatures),
        _ => Ok(Check::Chain {
            roots: roots(explicit)?,
            names,
        }),
    }
}

/// The trusted roots: the file given, `system` (the public web roots), else
/// `~/.postgresql/root.crt` when it exists, else the public web roots.
fn roots(explicit: Option<&str>) -> Result<RootCertStore> {
    let file = match explicit {
        Some("system") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => default_root_file().filter(|p| p.is_file()),
    };
    let mut store = RootCertStore::empty();
    match file {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            for cert in read_certificates(&path)? {
                store.add(cert).map_err(|e| {
                    tls_setup(format!(
                        "the root certificate file {} holds a certificate that cannot be used: {e}",
                        path.display()
                    ))
                })?;
            }
        }
    }
    Ok(store)
}

fn default_root_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql").join("root.crt"))
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let unreadable = |detail: String| {
        tls_setup(format!(
            "cannot read the root certificate file {} (sslrootcert): {detail}",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(e.to_string()))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if certs.is_empty() {
        return Err(unreadable("no PEM certificate in it".into()));
    }
    Ok(certs)
}

fn tls_setup(detail: String) -> Error {
    Error::TlsSetup(detail)
}

/// libpq's `require` without roots: encrypted, the peer's signatures checked, its certificate
/// not (anyone in the middle could present one; `verify-ca`/`verify-full` close that).
#[derive(Debug)]
struct SignaturesOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for SignaturesOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must reach a trusted root; the name in the certificate may differ
/// from the host (webpki checks the name only after the chain, so only that error is waived).
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Takes `sslmode` and `sslrootcert` out of an address (the driver knows only three modes and
/// no root file), returning the address without them and what they said. Both libpq forms:
/// `postgresql://…?sslmode=verify-full&sslrootcert=ca.pem` and `host=… sslmode=require`.
pub(crate) fn split_address(address: &str) -> (String, Option<TlsSettingsParts>) {
    let mut parts = TlsSettingsParts::default();
    let lower = address.trim_start().to_ascii_lowercase();
    let rest = if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        let Some((base, query)) = address.split_once('?') else {
            return (address.to_string(), None);
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !take(pair, &mut parts))
            .collect();
        if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else {
        let kept: Vec<&str> = address
            .split_whitespace()
            .filter(|pair| !take(pair, &mut parts))
            .collect();
        kept.join(" ")
    };
    let found = parts.mode.is_some() || parts.root_cert.is_some();
    (rest, found.then_some(parts))
}

#[derive(Debug, Default, Clone)]
pub(crate) struct TlsSettingsParts {
    pub mode: Option<String>,
    pub root_cert: Option<String>,
}

/// Takes one `key=value` pair when it is a TLS option.
fn take(pair: &str, parts: &mut TlsSettingsParts) -> bool {
    let Some((key, value)) = pair.split_once('=') else {
        return false;
    };
    let value = percent_decode(value.trim_matches('\''));
    match key.trim() {
        "sslmode" => parts.mode = Some(value),
        "sslrootcert" => parts.root_cert = Some(value),
        _ => return false,
    }
    true
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_options_leave_the_address_and_the_rest_stays() {
        let (rest, parts) = split_address(
            "postgresql://ann@db:5432/shop?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        );
        assert_eq!(rest, "postgresql://ann@db:5432/shop?application_name=x");
        let parts = parts.expect("found");
        assert_eq!(parts.mode.as_deref(), Some("verify-full"));
        assert_eq!(parts.root_cert.as_deref(), Some("/etc/ca.pem"));

        let (rest, parts) = split_address("host=db user=ann sslmode=require dbname=shop");
        assert_eq!(rest, "host=db user=ann dbname=shop");
        assert_eq!(parts.and_then(|p| p.mode).as_deref(), Some("require"));

        let (rest, parts) = split_address("postgresql://ann@db/shop");
        assert_eq!(rest, "postgresql://ann@db/shop");
        assert!(parts.is_none());
    }

    #[test]
    fn modes_read_as_libpq_spells_them() {
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert_eq!(TlsMode::parse(mode).map(TlsMode::as_str).ok(), Some(mode));
        }
        assert_eq!(TlsMode::parse("allow").ok(), Some(TlsMode::Prefer));
        let refused = TlsMode::parse("verify").expect_err("not a mode");
        assert_eq!(refused.kind(), "location");
    }

    #[test]
    fn a_missing_root_file_is_named() {
        let settings = TlsSettings {
            mode: TlsMode::VerifyFull,
            root_cert: Some("/nonexistent/ca.pem".into()),
        };
        let error = connector(&settings).err().expect("refused");
        assert_eq!(error.kind(), "tls");
        assert!(error.to_string().contains("/nonexistent/ca.pem"), "{error}");
    }
}
