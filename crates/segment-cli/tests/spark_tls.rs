//! `--data sc://host:port/;use_ssl=true;token=…` (how Databricks and other hosted Spark Connect
//! endpoints are reached): the CLI counts through TLS exactly as in plain text, trusts a CA
//! named by `SSL_CERT_FILE` (an organisation's own authority), and says what to do when the
//! certificate is not trusted or the server does not speak TLS. The TLS end is a terminator in
//! this test (a throwaway CA, HTTP/2 by ALPN) in front of the Spark Connect server
//! `scripts/with-spark.sh` starts (`SEGMENT_SPARK_URL`); skipped without it.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use segment_spark::{ConnectUrl, SparkClient};
use segment_testkit::{Cli, Workdir};
use serde_json::Value;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn server() -> Option<String> {
    let url = std::env::var("SEGMENT_SPARK_URL").ok();
    if url.is_none() {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
    }
    url
}

/// A throwaway certificate authority and a server certificate it signed for `localhost`.
struct Certificates {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
}

fn certificates() -> Certificates {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();
    Certificates {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivatePkcs8KeyDer::from(server_key.serialize_der()).into(),
    }
}

/// Accepts TLS (HTTP/2 by ALPN, as gRPC asks) on a free loopback port and passes the bytes on
/// to `upstream` in plain text, on a thread of its own for the rest of the test run.
fn tls_terminator(upstream: SocketAddr, certificates: &Certificates) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            certificates.server_chain.clone(),
            certificates.server_key.clone_key(),
        )
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that gives up in the handshake (an untrusted certificate) ends here.
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut spark) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut spark).await;
                });
            }
        });
    });
    port
}

fn spark_address(url: &str) -> SocketAddr {
    let url = ConnectUrl::parse(url).unwrap();
    (url.host.as_str(), url.port)
        .to_socket_addrs()
        .unwrap()
        .next()
        .unwrap()
}

#[test]
fn counts_through_tls_equal_plain_counts_and_tls_failures_say_what_to_do() {
    let Some(url) = server() else { return };
    let file = segment_testkit::demo(&bin(), 3000, None)
        .path_str()
        .to_string();
    let database = format!("cli_tls_{}", std::process::id());
    let scratch = tempfile::tempdir().unwrap();
    let client = SparkClient::connect(&ConnectUrl::parse(&url).unwrap()).unwrap();
    segment_spark::load::copy_sqlite(
        std::path::Path::new(&file),
        &client,
        &database,
        scratch.path(),
    )
    .unwrap();

    let certificates = certificates();
    let port = tls_terminator(spark_address(&url), &certificates);
    let dir = Workdir::new();
    let ca_file = dir.file("ca.pem", &certificates.ca_pem);
    let segment = segment_testkit::corpus::corpus_dir("demo").join("003-country-is-us.json");
    let segment = segment.to_str().unwrap();
    let count = |cli: Cli, data: &str| -> (Value, String, bool) {
        cli.outcome(&[
            "count",
            "--data",
            data,
            "--schema",
            &database,
            "--segment",
            segment,
            "--now",
            "2026-11-01",
        ])
    };
    let tls_url = format!("sc://localhost:{port}/;use_ssl=true;token=not-checked-here");

    let (plain, _, ok) = count(bin(), &url);
    assert!(ok, "plain text: {plain}");
    let (over_tls, err, ok) = count(bin().env("SSL_CERT_FILE", &ca_file), &tls_url);
    assert!(ok, "through TLS: {err}");
    assert_eq!(over_tls["count"], plain["count"]);
    assert_eq!(over_tls["total"], plain["total"]);
    assert!(plain["count"].as_u64().unwrap() > 0);

    // The throwaway CA is in no trusted store unless named.
    let (_, err, ok) = count(bin(), &tls_url);
    assert!(!ok);
    assert!(
        err.contains("TLS") && err.contains("does not trust"),
        "{err}"
    );
    assert!(err.contains("SSL_CERT_FILE"), "{err}");
    eprintln!("untrusted: {err}");

    // use_ssl=true against the plain-text server.
    let plain_host = spark_address(&url);
    let (_, err, ok) = count(
        bin().env("SSL_CERT_FILE", &ca_file),
        &format!("sc://{plain_host}/;use_ssl=true"),
    );
    assert!(!ok);
    assert!(
        err.contains("does not answer in TLS") && err.contains("use_ssl"),
        "{err}"
    );
    eprintln!("not TLS: {err}");
}
