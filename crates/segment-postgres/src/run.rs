//! Running one statement: inside a read-only transaction with a statement timeout and the
//! source's search path, every value bound, the parameters typed by their Rust value (so no
//! extra round trip to prepare), a cancellation flag watched while it runs (a cancel request
//! to the server stops it), and native types shaped in the FROM clause.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use segment_sql::{SqlValue, Statement};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result, Target};
use crate::KeyList;

/// A statement's parameters with the types they are sent as.
type Param = (Box<dyn ToSql + Sync + Send>, Type);

pub(crate) fn typed(params: &[SqlValue]) -> Vec<Param> {
    params
        .iter()
        .map(|p| -> Param {
            match p {
                SqlValue::Null => (Box::new(None::<String>), Type::TEXT),
                // int4 when it fits: functions such as right(text, integer) take no bigint,
                // and an int4 widens wherever a bigint is compared.
                SqlValue::Integer(i) => match i32::try_from(*i) {
                    Ok(small) => (Box::new(small), Type::INT4),
                    Err(_) => (Box::new(*i), Type::INT8),
                },
                SqlValue::Real(f) => (Box::new(*f), Type::FLOAT8),
                SqlValue::Text(s) => (Box::new(s.clone()), Type::TEXT),
            }
        })
        .collect()
}

/// The parameters as the driver borrows them, each with the type it is sent as.
fn borrowed(typed: &[Param]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    typed
        .iter()
        .map(|(v, t)| (v.as_ref() as &(dyn ToSql + Sync), t.clone()))
        .collect()
}

/// `$n` placeholders outside quotes moved up by `offset`, so statements built on their own can
/// be combined into one (their parameters appended in order).
pub(crate) fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '$'
                && !(previous.is_alphanumeric() || previous == '_')
                && chars.peek().is_some_and(char::is_ascii_digit) =>
            {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let n: usize = digits.parse().unwrap_or(0);
                out.push_str(&format!("${}", n + offset));
                previous = '0';
                continue;
            }
            None => out.push(c),
        }
        previous = c;
    }
    out
}

/// Statements combined into one: their texts (renumbered) and all their parameters.
pub(crate) fn combine(statements: &[Statement]) -> (Vec<String>, Vec<SqlValue>) {
    let mut texts = Vec::new();
    let mut params = Vec::new();
    for s in statements {
        texts.push(renumber(&s.sql, params.len()));
        params.extend(s.params.iter().cloned());
    }
    (texts, params)
}

/// How the connection runs statements.
pub(crate) struct Runner<'a> {
    pub client: &'a Client,
    pub target: &'a Target,
    pub search_path: &'a str,
    pub timeout: Duration,
    pub shaped: &'a [(String, String)],
    pub tls: Option<&'a MakeRustlsConnect>,
    /// Memory per sort or hash of a statement (`work_mem`).
    pub work_mem: &'static str,
}

/// `work_mem` of most statements.
pub(crate) const WORK_MEM: &str = "64MB";

/// `work_mem` of the per-node counts' statement: its joins hold the keys of several
/// related-record conditions (at 10M profiles, up to 9M keys each). With 64MB, the brief's
/// example (165) ran for over 18 minutes, its hash joins spilling batch after batch; with 256MB
/// it took 190 s (a statement of 4 joins used about 1.5 GB at most).
pub(crate) const COUNTS_WORK_MEM: &str = "256MB";

impl Runner<'_> {
    /// Tables with native types read through their shaping sub-select.
    pub(crate) fn shape(&self, sql: &str) -> String {
        let mut sql = sql.to_string();
        for (table, select) in self.shaped {
            let from = format!("FROM {} AS t", crate::introspect::quote(table));
            sql = sql.replace(&from, &format!("FROM {select} AS t"));
        }
        sql
    }

    /// Every row of `sql` with `params`, read-only, bounded, cancellable through `cancel`.
    pub(crate) async fn rows(
        &self,
        sql: &str,
        params: &[SqlValue],
        cancel: Option<&AtomicBool>,
    ) -> Result<Vec<Row>> {
        self.run(sql, typed(params), cancel).await
    }

    /// The same, the last parameter being a list of keys (one array parameter).
    pub(crate) async fn rows_with_list(
        &self,
        sql: &str,
        params: &[SqlValue],
        keys: KeyList,
        cancel: Option<&AtomicBool>,
    ) -> Result<Vec<Row>> {
        let mut typed = typed(&params[..params.len().saturating_sub(1)]);
        typed.push(match keys {
            KeyList::Integers(v) => (Box::new(v), Type::INT8_ARRAY),
            KeyList::Texts(v) => (Box::new(v), Type::TEXT_ARRAY),
        });
        self.run(sql, typed, cancel).await
    }

    async fn run(
        &self,
        sql: &str,
        typed: Vec<Param>,
        cancel: Option<&AtomicBool>,
    ) -> Result<Vec<Row>> {
        let sql = self.shape(sql);
        let args = borrowed(&typed);
        if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            // already cancelled: nothing is sent
            return Err(Error::Cancelled);
        }
        self.begin().await?;
        let query = self.client.query_typed(&sql, &args);
        let result = watch(self.client, self.tls, query, cancel).await;
        // The transaction only read; whatever happened, nothing is kept.
        let _ = self.client.batch_execute("ROLLBACK").await;
        result.map_err(|e| self.failed(e, cancel))
    }

    /// Every row of `sql` handed to `take` `batch` rows at a time, read through a cursor in
    /// one read-only transaction: the whole answer is never in memory at once.
    pub(crate) async fn each_batch(
        &self,
        sql: &str,
        params: &[SqlValue],
        batch: usize,
        cancel: Option<&AtomicBool>,
        take: &mut dyn FnMut(Vec<Row>),
    ) -> Result<()> {
        let typed = typed(params);
        let args = borrowed(&typed);
        if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            return Err(Error::Cancelled);
        }
        self.begin().await?;
        let declare = format!(
            "DECLARE segment_rows NO SCROLL CURSOR FOR {}",
            self.shape(sql)
        );
        let fetch = format!("FETCH {} FROM segment_rows", batch.max(1));
        let result = async {
            watch(
                self.client,
                self.tls,
                self.client.query_typed(&declare, &args),
                cancel,
            )
            .await?;
            loop {
                let rows = watch(
                    self.client,
                    self.tls,
                    self.client.query(&fetch, &[]),
                    cancel,
                )
                .await?;
                let last = rows.len() < batch.max(1);
                if !rows.is_empty() {
                    take(rows);
                }
                if last {
                    return Ok(());
                }
            }
        }
        .await;
        let _ = self.client.batch_execute("ROLLBACK").await;
        result.map_err(|e: tokio_postgres::Error| self.failed(e, cancel))
    }

    /// A statement's failure: `Cancelled` when the caller gave up, else in the user's words.
    fn failed(&self, e: tokio_postgres::Error, cancel: Option<&AtomicBool>) -> Error {
        if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            Error::Cancelled
        } else {
            self.target.error(e, self.timeout.as_secs())
        }
    }

    async fn begin(&self) -> Result<()> {
        let begin = format!(
            "BEGIN READ ONLY; SET LOCAL statement_timeout = {}; SET LOCAL search_path TO {}; \
             SET LOCAL work_mem = '{}'",
            self.timeout.as_millis(),
            crate::introspect::quote(self.search_path),
            self.work_mem
        );
        self.client
            .batch_execute(&begin)
            .await
            .map_err(|e| self.target.error(e, self.timeout.as_secs()))
    }
}

/// Runs `query`, sending the server a cancel request as soon as `cancel` is raised, and waits
/// for it to end (it then fails with "canceling statement").
async fn watch<T>(
    client: &Client,
    tls: Option<&MakeRustlsConnect>,
    query: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    cancel: Option<&AtomicBool>,
) -> Result<T, tokio_postgres::Error> {
    let Some(flag) = cancel else {
        return query.await;
    };
    tokio::pin!(query);
    let mut sent = false;
    loop {
        tokio::select! {
            result = &mut query => return result,
            _ = tokio::time::sleep(Duration::from_millis(20)), if !sent => {
                if flag.load(Ordering::SeqCst) {
                    sent = true;
                    let token = client.cancel_token();
                    let _ = match tls {
                        Some(tls) => token.cancel_query(tls.clone()).await,
                        None => token.cancel_query(tokio_postgres::NoTls).await,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_move_but_quoted_text_does_not() {
        assert_eq!(
            renumber(
                r#"SELECT "a$1" FROM t WHERE x = $1 AND y = CAST($12 AS double precision) AND z = '$3'"#,
                4
            ),
            r#"SELECT "a$1" FROM t WHERE x = $5 AND y = CAST($16 AS double precision) AND z = '$3'"#
        );
    }
}
