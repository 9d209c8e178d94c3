//! Encrypted connections against a real server that accepts only TLS on TCP
//! (`bash scripts/with-postgres.sh --tls cargo test -p segment-postgres --test tls`): its
//! certificate is signed by a throwaway CA and names `localhost` only. Without the server
//! (SEGMENT_PG_TLS_URL unset) each test says so and passes.

use std::sync::Once;

use segment_postgres::{PostgresSource, Settings, TlsMode};

struct Server {
    /// `postgresql://postgres@127.0.0.1:PORT/postgres`
    url: String,
    ca: String,
    other_ca: String,
}

fn server() -> Option<Server> {
    let Ok(url) = std::env::var("SEGMENT_PG_TLS_URL") else {
        eprintln!("SEGMENT_PG_TLS_URL is not set: run under scripts/with-postgres.sh --tls");
        return None;
    };
    let server = Server {
        url,
        ca: std::env::var("SEGMENT_PG_TLS_CA").expect("the CA beside the URL"),
        other_ca: std::env::var("SEGMENT_PG_TLS_OTHER_CA").expect("the other CA"),
    };
    static TABLE: Once = Once::new();
    TABLE.call_once(|| create_table(&server));
    Some(server)
}

/// One small table in schema `tls_check`, made over an encrypted connection.
fn create_table(server: &Server) {
    // The source runs only its own read-only SELECTs: the table is made with psql.
    let status = std::process::Command::new("psql")
        .arg(format!("{}?sslmode=require", server.url))
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(
            "CREATE SCHEMA IF NOT EXISTS tls_check; \
             CREATE TABLE IF NOT EXISTS tls_check.people (id integer PRIMARY KEY, plan text); \
             INSERT INTO tls_check.people VALUES (1, 'pro'), (2, 'free'), (3, 'pro') \
             ON CONFLICT DO NOTHING;",
        )
        .status()
        .expect("psql runs");
    assert!(status.success(), "psql made the test table");
}

fn connect(url: String) -> segment_postgres::Result<PostgresSource> {
    PostgresSource::connect(&Settings {
        url,
        schema: Some("tls_check".into()),
        ..Settings::default()
    })
}

fn localhost(url: &str) -> String {
    url.replace("127.0.0.1", "localhost")
}

#[test]
fn require_encrypts_without_checking_the_certificate() {
    let Some(server) = server() else { return };
    let source = connect(format!("{}?sslmode=require", server.url)).expect("connects");
    assert_eq!(source.tls_mode(), TlsMode::Require);
    assert_eq!(source.total("people").expect("counts"), 3);
}

#[test]
fn prefer_takes_the_encrypted_connection_the_server_insists_on() {
    let Some(server) = server() else { return };
    let source = connect(server.url.clone()).expect("connects");
    assert_eq!(source.tls_mode(), TlsMode::Prefer);
    assert_eq!(source.total("people").expect("counts"), 3);
}

#[test]
fn verify_full_passes_with_the_ca_and_the_name_in_the_certificate() {
    let Some(server) = server() else { return };
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        localhost(&server.url),
        server.ca
    );
    let source = connect(url).expect("connects to localhost, the name the certificate holds");
    assert_eq!(source.tls_mode(), TlsMode::VerifyFull);
    assert_eq!(source.total("people").expect("counts"), 3);
}

#[test]
fn verify_full_refuses_a_host_the_certificate_does_not_name_and_verify_ca_accepts_it() {
    let Some(server) = server() else { return };
    let error = connect(format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        server.url, server.ca
    ))
    .err()
    .expect("127.0.0.1 is not in the certificate");
    assert_eq!(error.kind(), "tls");
    let message = error.to_string();
    assert!(message.contains("does not name this host"), "{message}");
    assert!(message.contains("sslmode=verify-full"), "{message}");

    let source = connect(format!(
        "{}?sslmode=verify-ca&sslrootcert={}",
        server.url, server.ca
    ))
    .expect("verify-ca checks the chain, not the name");
    assert_eq!(source.total("people").expect("counts"), 3);
}

#[test]
fn a_certificate_from_another_ca_is_refused_by_name() {
    let Some(server) = server() else { return };
    for mode in ["verify-full", "verify-ca", "require"] {
        let error = connect(format!(
            "{}?sslmode={mode}&sslrootcert={}",
            localhost(&server.url),
            server.other_ca
        ))
        .err()
        .unwrap_or_else(|| panic!("{mode} with the wrong CA connects"));
        assert_eq!(error.kind(), "tls", "{mode}: {error}");
        let message = error.to_string();
        assert!(
            message.contains("not signed by a trusted root")
                && message.contains(&server.other_ca)
                && message.contains("UnknownIssuer"),
            "{mode}: {message}"
        );
    }
}

#[test]
fn without_encryption_the_server_refuses_and_the_error_says_to_encrypt() {
    let Some(server) = server() else { return };
    let error = connect(format!("{}?sslmode=disable", server.url))
        .err()
        .expect("the server takes only TLS");
    assert_eq!(error.kind(), "tls");
    assert!(error.to_string().contains("sslmode=require"), "{error}");
}

#[test]
fn a_root_file_that_is_not_there_is_named_before_connecting() {
    let Some(server) = server() else { return };
    let error = connect(format!(
        "{}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        server.url
    ))
    .err()
    .expect("refused");
    assert_eq!(error.kind(), "tls");
    assert!(error.to_string().contains("/nonexistent/ca.pem"), "{error}");
}
