//! One Spark Connect session: SQL with named arguments, answers as rows, interrupts.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use serde_json::Value;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::transport::{Channel, Endpoint};

use crate::error::{Error, Result};
use crate::proto::expression::literal::LiteralType;
use crate::proto::expression::{ExprType, Literal};
use crate::proto::spark_connect_service_client::SparkConnectServiceClient;
use crate::proto::{
    data_type, execute_plan_response::ResponseType, interrupt_request, plan, relation, DataType,
    ExecutePlanRequest, Expression, InterruptRequest, Plan, Relation, Sql, UserContext,
};
use crate::url::ConnectUrl;

/// Answers as large as a page of sample records fit easily; the default (4 MiB) does not.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a running query checks whether its caller gave up.
const CANCEL_POLL: Duration = Duration::from_millis(50);
const CLIENT_TYPE: &str = "segment-builder";

/// A value bound to a named parameter (`:name` in the SQL), sent as a literal expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Bool(bool),
    /// A 32-bit integer: what `LIMIT` requires.
    Int(i32),
    Long(i64),
    Double(f64),
    Text(String),
}

/// A query's answer: column names and rows of JSON values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// The single integer of a one-row, one-column answer (a count).
    pub fn single_integer(&self) -> Result<i64> {
        self.rows
            .first()
            .and_then(|row| row.first())
            .and_then(Value::as_i64)
            .ok_or_else(|| Error::Answer("expected one number".to_string()))
    }
}

/// A session on a Spark Connect server. Its methods block (a small runtime of its own drives
/// gRPC), so it is used from any thread, as the count service's backends are.
pub struct SparkClient {
    url: ConnectUrl,
    session_id: String,
    user_id: String,
    client: SparkConnectServiceClient<Channel>,
    runtime: tokio::runtime::Runtime,
}

impl SparkClient {
    /// Connects (within 10 s) and starts a session.
    pub fn connect(url: &ConnectUrl) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("spark-connect")
            .enable_all()
            .build()
            .map_err(|e| Error::Answer(format!("no runtime for gRPC: {e}")))?;
        let unreachable = |detail: String| Error::Unreachable {
            endpoint: url.display(),
            detail,
        };
        let endpoint = Endpoint::from_shared(url.endpoint())
            .map_err(|e| unreachable(e.to_string()))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        let endpoint = tls(endpoint, url)?;
        let channel = runtime.block_on(endpoint.connect()).map_err(|e| {
            let detail = source_chain(&e);
            match tls_problem(&detail) {
                Some(problem) => Error::Tls {
                    endpoint: url.display(),
                    problem,
                },
                None => unreachable(detail),
            }
        })?;
        let client = SparkConnectServiceClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        Ok(SparkClient {
            session_id: url
                .session_id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            user_id: url
                .user_id
                .clone()
                .unwrap_or_else(|| CLIENT_TYPE.to_string()),
            url: url.clone(),
            client,
            runtime,
        })
    }

    pub fn url(&self) -> &ConnectUrl {
        &self.url
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// Runs `sql` with its `:name` parameters bound to `params`, collecting every row.
    pub fn query(&self, sql: &str, params: &[(String, Param)]) -> Result<Rows> {
        self.query_cancellable(sql, params, &|| false)
    }

    /// As [`SparkClient::query`]; when `cancelled()` turns true (checked every 50 ms) the
    /// operation is interrupted on the server and [`Error::Cancelled`] returned.
    pub fn query_cancellable(
        &self,
        sql: &str,
        params: &[(String, Param)],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Rows> {
        let (operation_id, request) = self.plan_request(sql, params)?;
        let run = self.execute(request, crate::arrow::decode);
        let outcome = self.runtime.block_on(until_cancelled(run, cancelled));
        self.finished(outcome, &operation_id)
            .map(|(columns, rows)| Rows { columns, rows })
    }

    /// As [`SparkClient::query_cancellable`], each value read from its Arrow column by `read`
    /// (typed cells rather than JSON).
    #[cfg(feature = "source")]
    pub(crate) fn query_read<T: Send + 'static>(
        &self,
        sql: &str,
        params: &[(String, Param)],
        cancelled: &dyn Fn() -> bool,
        read: crate::arrow::Read<T>,
    ) -> Result<Vec<Vec<T>>> {
        let (operation_id, request) = self.plan_request(sql, params)?;
        let run = self.execute(
            request,
            move |data: &[u8], columns: &mut Vec<String>, rows: &mut Vec<Vec<T>>| {
                crate::arrow::decode_with(data, columns, rows, read)
            },
        );
        let outcome = self.runtime.block_on(until_cancelled(run, cancelled));
        self.finished(outcome, &operation_id).map(|(_, rows)| rows)
    }

    /// As [`SparkClient::query_cancellable`], handing the rows of each Arrow batch to `take`
    /// as it arrives instead of collecting them (member lists of any size).
    pub fn query_each_batch(
        &self,
        sql: &str,
        params: &[(String, Param)],
        cancelled: &dyn Fn() -> bool,
        take: &mut dyn FnMut(Rows),
    ) -> Result<()> {
        let (operation_id, request) = self.plan_request(sql, params)?;
        let mut client = self.client.clone();
        let endpoint = self.url.display();
        let run = async move {
            let status = |s: tonic::Status| Error::from_status(&endpoint, &s);
            let mut stream = client
                .execute_plan(request)
                .await
                .map_err(status)?
                .into_inner();
            while let Some(message) = stream.message().await.map_err(status)? {
                if let Some(ResponseType::ArrowBatch(batch)) = message.response_type {
                    let mut rows = Rows::default();
                    crate::arrow::decode(&batch.data, &mut rows.columns, &mut rows.rows)?;
                    if !rows.rows.is_empty() {
                        take(rows);
                    }
                }
            }
            Ok(())
        };
        let outcome = self.runtime.block_on(until_cancelled(run, cancelled));
        self.finished(outcome, &operation_id)
    }

    /// A new operation id and the request running `sql` under it.
    fn plan_request(
        &self,
        sql: &str,
        params: &[(String, Param)],
    ) -> Result<(String, tonic::Request<ExecutePlanRequest>)> {
        let operation_id = uuid::Uuid::new_v4().to_string();
        let request = self.request(ExecutePlanRequest {
            session_id: self.session_id.clone(),
            user_context: Some(self.user_context()),
            operation_id: Some(operation_id.clone()),
            plan: Some(sql_plan(sql, params)),
            client_type: Some(CLIENT_TYPE.to_string()),
            ..Default::default()
        })?;
        Ok((operation_id, request))
    }

    /// The answer, or `Cancelled` after interrupting the operation.
    fn finished<T>(&self, outcome: Option<Result<T>>, operation_id: &str) -> Result<T> {
        match outcome {
            Some(result) => result,
            None => {
                // Best effort: the answer is no longer wanted whether or not this reaches it.
                let _ = self.interrupt(operation_id);
                Err(Error::Cancelled)
            }
        }
    }

    /// Interrupts one running operation of this session.
    pub fn interrupt(&self, operation_id: &str) -> Result<()> {
        let request = self.request(InterruptRequest {
            session_id: self.session_id.clone(),
            user_context: Some(self.user_context()),
            client_type: Some(CLIENT_TYPE.to_string()),
            interrupt_type: interrupt_request::InterruptType::OperationId as i32,
            interrupt: Some(interrupt_request::Interrupt::OperationId(
                operation_id.to_string(),
            )),
            ..Default::default()
        })?;
        let mut client = self.client.clone();
        self.runtime
            .block_on(async move { client.interrupt(request).await })
            .map_err(|s| Error::from_status(&self.url.display(), &s))?;
        Ok(())
    }

    /// Runs `request`, each Arrow batch appended to the answer by `decode`.
    fn execute<T, D>(
        &self,
        request: tonic::Request<ExecutePlanRequest>,
        decode: D,
    ) -> impl Future<Output = Result<(Vec<String>, Vec<Vec<T>>)>> + 'static
    where
        T: Send + 'static,
        D: Fn(&[u8], &mut Vec<String>, &mut Vec<Vec<T>>) -> Result<()> + Send + 'static,
    {
        let mut client = self.client.clone();
        let endpoint = self.url.display();
        async move {
            let status = |s: tonic::Status| Error::from_status(&endpoint, &s);
            let mut stream = client
                .execute_plan(request)
                .await
                .map_err(status)?
                .into_inner();
            let (mut columns, mut rows) = (Vec::new(), Vec::new());
            while let Some(message) = stream.message().await.map_err(status)? {
                if let Some(ResponseType::ArrowBatch(batch)) = message.response_type {
                    decode(&batch.data, &mut columns, &mut rows)?;
                }
            }
            Ok((columns, rows))
        }
    }

    fn user_context(&self) -> UserContext {
        UserContext {
            user_id: self.user_id.clone(),
            user_name: self.user_id.clone(),
            extensions: Vec::new(),
        }
    }

    /// A request with the token and the address's other options as headers.
    fn request<T>(&self, message: T) -> Result<tonic::Request<T>> {
        let mut request = tonic::Request::new(message);
        let bad = |key: &str| Error::BadUrl {
            url: self.url.display(),
            reason: format!("`{key}` cannot be sent as a header"),
        };
        let metadata = request.metadata_mut();
        if let Some(token) = &self.url.token {
            let value =
                MetadataValue::try_from(format!("Bearer {token}")).map_err(|_| bad("token"))?;
            metadata.insert("authorization", value);
        }
        for (key, value) in &self.url.headers {
            let name = MetadataKey::from_bytes(key.as_bytes()).map_err(|_| bad(key))?;
            let value = MetadataValue::try_from(value.as_str()).map_err(|_| bad(key))?;
            metadata.insert(name, value);
        }
        Ok(request)
    }
}

/// `Some(answer)`, or `None` once `cancelled()` is true.
async fn until_cancelled<T>(
    run: impl Future<Output = T>,
    cancelled: &dyn Fn() -> bool,
) -> Option<T> {
    tokio::pin!(run);
    loop {
        tokio::select! {
            out = &mut run => return Some(out),
            () = tokio::time::sleep(CANCEL_POLL) => {
                if cancelled() {
                    return None;
                }
            }
        }
    }
}

fn sql_plan(sql: &str, params: &[(String, Param)]) -> Plan {
    let named_arguments: HashMap<String, Expression> = params
        .iter()
        .map(|(name, value)| (name.clone(), literal(value)))
        .collect();
    Plan {
        op_type: Some(plan::OpType::Root(Relation {
            common: None,
            rel_type: Some(relation::RelType::Sql(Sql {
                query: sql.to_string(),
                named_arguments,
                ..Default::default()
            })),
        })),
    }
}

fn literal(value: &Param) -> Expression {
    let literal_type = match value {
        Param::Null => LiteralType::Null(DataType {
            kind: Some(data_type::Kind::Null(data_type::Null::default())),
        }),
        Param::Bool(b) => LiteralType::Boolean(*b),
        Param::Int(i) => LiteralType::Integer(*i),
        Param::Long(i) => LiteralType::Long(*i),
        Param::Double(f) => LiteralType::Double(*f),
        Param::Text(s) => LiteralType::String(s.clone()),
    };
    Expression {
        expr_type: Some(ExprType::Literal(Literal {
            literal_type: Some(literal_type),
            ..Default::default()
        })),
        ..Default::default()
    }
}

#[cfg(feature = "tls")]
fn tls(endpoint: Endpoint, url: &ConnectUrl) -> Result<Endpoint> {
    if !url.use_ssl {
        return Ok(endpoint);
    }
    // The system's roots first: an organisation's own CA is trusted there (or named by
    // `SSL_CERT_FILE`); the public web roots for hosted services such as Databricks.
    let config = tonic::transport::ClientTlsConfig::new()
        .with_native_roots()
        .with_webpki_roots();
    endpoint.tls_config(config).map_err(|e| Error::Tls {
        endpoint: url.display(),
        problem: source_chain(&e),
    })
}

const TRUST_ADVICE: &str = "if your organisation signs its own certificates, add its authority \
    to this computer's trusted certificates or name its PEM file in SSL_CERT_FILE";

/// A connection that failed in its TLS handshake, in plain words with what to do (`None` when
/// it failed otherwise), from rustls's and tonic's wording in `detail`.
fn tls_problem(detail: &str) -> Option<String> {
    let (words, advice) = if detail.contains("UnknownIssuer") {
        (
            "its certificate is signed by an authority this computer does not trust",
            TRUST_ADVICE,
        )
    } else if detail.contains("NotValidForName") {
        (
            "its certificate is for another host name",
            "connect with the host name the certificate names",
        )
    } else if detail.contains("Expired") || detail.contains("NotValidYet") {
        (
            "its certificate has expired or is not valid yet",
            "ask the server's administrators to renew it",
        )
    } else if detail.contains("received corrupt message") {
        (
            "the server does not answer in TLS",
            "if it does not use TLS, leave out use_ssl=true and the token",
        )
    } else if detail.contains("certificate") || detail.contains("HTTP/2 was not negotiated") {
        ("the server's TLS is not accepted", TRUST_ADVICE)
    } else {
        return None;
    };
    Some(format!("{words} ({detail}); {advice}"))
}

#[cfg(not(feature = "tls"))]
fn tls(endpoint: Endpoint, url: &ConnectUrl) -> Result<Endpoint> {
    if url.use_ssl {
        return Err(Error::BadUrl {
            url: url.display(),
            reason: "TLS (a token or use_ssl=true) needs a build with the `tls` feature of segment-spark".to_string(),
        });
    }
    Ok(endpoint)
}

/// A transport error with its causes ("connection refused" is a cause of "transport error").
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        // rustls's error is often wrapped by one that repeats its words.
        let words = cause.to_string();
        if !out.ends_with(&words) {
            out.push_str(": ");
            out.push_str(&words);
        }
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_failures_are_told_apart_in_plain_words() {
        let problem = |detail: &str| tls_problem(detail).unwrap_or_default();
        let untrusted = problem("transport error: invalid peer certificate: UnknownIssuer");
        assert!(untrusted.contains("does not trust") && untrusted.contains("SSL_CERT_FILE"));
        let other_host = problem("invalid peer certificate: NotValidForName");
        assert!(other_host.contains("another host name"), "{other_host}");
        let plain = problem("received corrupt message of type InvalidContentType");
        assert!(plain.contains("does not answer in TLS") && plain.contains("use_ssl"));
        assert_eq!(tls_problem("tcp connect error: Connection refused"), None);
    }
}
