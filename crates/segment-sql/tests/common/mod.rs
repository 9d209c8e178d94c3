//! Shared fixtures for the SQL tests: a small database with tricky values, IR builders, and a
//! reference evaluator written independently of the compiler (plain Rust over the same rows).

#![allow(dead_code)]

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::Connection;
use segment_model::ir::*;
use segment_model::schema::{Cardinality, DataType, Storage};
use segment_model::tree::AggregateFunction;
use segment_sql::{SqlValue, Statement};

/// 2024-03-10T00:00:00Z: the day boundary the time data clusters around.
pub const T0: i64 = 1_710_028_800;
pub const DAY: i64 = 86_400;

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl V {
    fn sql(&self) -> rusqlite::types::Value {
        match self {
            V::Null => rusqlite::types::Value::Null,
            V::Int(i) => rusqlite::types::Value::Integer(*i),
            V::Real(f) => rusqlite::types::Value::Real(*f),
            V::Text(s) => rusqlite::types::Value::Text(s.clone()),
        }
    }
    fn f64(&self) -> Option<f64> {
        match self {
            V::Int(i) => Some(*i as f64),
            V::Real(f) => Some(*f),
            V::Null | V::Text(_) => None,
        }
    }
    fn text(&self) -> Option<&str> {
        match self {
            V::Text(s) => Some(s),
            V::Null | V::Int(_) | V::Real(_) => None,
        }
    }
}

fn t(s: &str) -> V {
    V::Text(s.to_string())
}

pub struct Table {
    pub name: String,
    pub key: String,
    /// (name, declared type, data type, storage)
    pub columns: Vec<(String, &'static str, DataType, Storage)>,
    pub rows: Vec<Vec<V>>,
}

impl Table {
    pub fn index(&self, column: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.0 == column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }
    pub fn column(&self, name: &str) -> ColumnRef {
        let c = &self.columns[self.index(name)];
        ColumnRef {
            entity: self.name.clone(),
            name: c.0.clone(),
            data_type: c.2,
            storage: c.3,
        }
    }
    pub fn entity(&self) -> EntityRef {
        EntityRef {
            name: self.name.clone(),
            key: self.key.clone(),
        }
    }
}

pub struct Db {
    pub conn: Connection,
    pub tables: HashMap<String, Table>,
}

const NAMES: &[&str] = &[
    "Alice",
    "alice",
    "ALICE",
    "Bob",
    "bob%",
    "b_b",
    "O'Brien",
    "back\\slash",
    "Zoë",
    "ÀLICE",
    "ünïcödé",
    "100%",
    "50_50",
    "a\"b",
    "x'); DROP TABLE profiles; --",
    "",
    " alice ",
    "al",
    "ice",
    "Al%ce",
    "ALI_E",
    "tab\there",
    "line\nbreak",
    "ß",
    "aLiCe@Example.COM",
    "a[*?]%b",
];

pub fn profile_table() -> Table {
    use DataType as D;
    use Storage as S;
    let columns = vec![
        (
            "id".to_string(),
            "INTEGER PRIMARY KEY",
            D::Number,
            S::Integer,
        ),
        ("name".to_string(), "TEXT", D::Text, S::Text),
        ("country".to_string(), "TEXT", D::Text, S::Text),
        ("age".to_string(), "INTEGER", D::Number, S::Integer),
        ("score".to_string(), "REAL", D::Number, S::Real),
        ("is_paid".to_string(), "INTEGER", D::Boolean, S::Boolean),
        (
            "signed_up".to_string(),
            "INTEGER",
            D::Datetime,
            S::UnixSeconds,
        ),
        ("birth_date".to_string(), "TEXT", D::Datetime, S::IsoDate),
        ("last_seen".to_string(), "TEXT", D::Datetime, S::IsoDateTime),
        (
            "created".to_string(),
            "TEXT",
            D::Datetime,
            S::IsoDateTimeSpace,
        ),
        ("tags".to_string(), "TEXT", D::Array, S::JsonArray),
        ("company_id".to_string(), "INTEGER", D::Number, S::Integer),
        (
            "signed_up_ms".to_string(),
            "INTEGER",
            D::Datetime,
            S::UnixMillis,
        ),
    ];
    let countries = [V::Null, t("US"), t("us"), t("CA"), t("FR"), t(""), t("Us")];
    let ages = [
        V::Null,
        V::Int(17),
        V::Int(18),
        V::Int(30),
        V::Int(65),
        V::Int(-1),
        V::Int(0),
    ];
    let scores = [
        V::Real(0.5),
        V::Null,
        V::Real(-2.25),
        V::Real(10.0),
        V::Real(99.75),
    ];
    let paid = [V::Int(1), V::Int(0), V::Null];
    let signed = [
        V::Int(T0 - DAY),
        V::Int(T0 - 1),
        V::Int(T0),
        V::Int(T0 + 1),
        V::Int(T0 + DAY / 2),
        V::Int(T0 + DAY - 1),
        V::Int(T0 + DAY),
        V::Null,
        V::Int(0),
    ];
    let births = [
        t("2024-03-09"),
        t("2024-03-10"),
        t("2024-03-11"),
        V::Null,
        t("1990-02-28"),
        t("2000-02-29"),
        t("1969-12-31"),
        t("2024-03-12"),
    ];
    let seen = [
        t("2024-03-10T00:00:00"),
        t("2024-03-10T00:00:00Z"),
        t("2024-03-09T23:59:59"),
        t("2024-03-10T00:00:01Z"),
        V::Null,
        t("2024-03-10T12:00:00"),
        t("2024-03-11T00:00:00Z"),
        t("1999-12-31T23:59:59"),
    ];
    let created = [
        t("2024-03-10 00:00:00"),
        t("2024-03-09 23:59:59"),
        t("2024-03-10 00:00:01"),
        V::Null,
        t("2024-03-11 00:00:00"),
        t("2024-03-10 23:59:59"),
    ];
    let tags = [
        t("[]"),
        t("[\"vip\"]"),
        t("[\"vip\",\"beta\"]"),
        t("[\"VIP\"]"),
        V::Null,
        t("[1,2,3]"),
        t("[\"a%b\",\"it's\"]"),
        t("[2.5,\"x\",\"beta\"]"),
        t("[\"beta\",\"beta\"]"),
    ];
    let companies = [
        V::Int(1),
        V::Int(2),
        V::Null,
        V::Int(3),
        V::Int(1),
        V::Int(4),
    ];
    // Milliseconds on both sides of second, day and epoch edges (floored to their second).
    let signed_ms = [
        V::Int(T0 * 1000),
        V::Int(T0 * 1000 - 1),
        V::Int(T0 * 1000 + 999),
        V::Int((T0 + 1) * 1000),
        V::Null,
        V::Int((T0 + DAY / 2) * 1000 + 500),
        V::Int((T0 + DAY) * 1000 - 1),
        V::Int(-1),
        V::Int(0),
        V::Int((T0 - DAY) * 1000 + 1),
        V::Int(946_684_800_000),
    ];
    let rows = (0..75)
        .map(|i: usize| {
            vec![
                V::Int(i as i64 + 1),
                if i % 13 == 12 {
                    V::Null
                } else {
                    t(NAMES[i % NAMES.len()])
                },
                countries[i % countries.len()].clone(),
                ages[i % ages.len()].clone(),
                scores[i % scores.len()].clone(),
                paid[i % paid.len()].clone(),
                signed[i % signed.len()].clone(),
                births[i % births.len()].clone(),
                seen[i % seen.len()].clone(),
                created[i % created.len()].clone(),
                tags[i % tags.len()].clone(),
                companies[i % companies.len()].clone(),
                signed_ms[i % signed_ms.len()].clone(),
            ]
        })
        .collect();
    Table {
        name: "profiles".into(),
        key: "id".into(),
        columns,
        rows,
    }
}

pub fn event_table() -> Table {
    use DataType as D;
    use Storage as S;
    let columns = vec![
        (
            "id".to_string(),
            "INTEGER PRIMARY KEY",
            D::Number,
            S::Integer,
        ),
        ("profile_id".to_string(), "INTEGER", D::Number, S::Integer),
        ("name".to_string(), "TEXT", D::Text, S::Text),
        ("ts".to_string(), "INTEGER", D::Datetime, S::UnixSeconds),
        ("amount".to_string(), "REAL", D::Number, S::Real),
        ("product".to_string(), "TEXT", D::Text, S::Text),
        ("day".to_string(), "TEXT", D::Datetime, S::IsoDate),
    ];
    let names = ["purchase", "view", "purchase", "signup", "Purchase", "view"];
    let amounts = [
        V::Real(10.0),
        V::Real(2.5),
        V::Null,
        V::Real(100.25),
        V::Real(0.0),
        V::Real(-5.0),
        V::Real(10.0),
    ];
    let products = [t("shoe"), t("hat"), V::Null, t("shoe"), t("sock")];
    let mut rows = Vec::new();
    let mut id = 1;
    for profile in 1..=75i64 {
        let n = (profile * 7 % 6) as usize;
        for k in 0..n {
            let seed = (profile as usize) * 31 + k * 17;
            let ts = T0 - 40 * DAY + (seed as i64 % 60) * DAY + (seed as i64 % 5) * 3600;
            let day =
                NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new((ts / DAY) as u64);
            rows.push(vec![
                V::Int(id),
                if seed.is_multiple_of(23) {
                    V::Null
                } else {
                    V::Int(profile)
                },
                t(names[seed % names.len()]),
                if seed.is_multiple_of(19) {
                    V::Null
                } else {
                    V::Int(ts)
                },
                amounts[seed % amounts.len()].clone(),
                products[seed % products.len()].clone(),
                t(&day.format("%Y-%m-%d").to_string()),
            ]);
            id += 1;
        }
    }
    Table {
        name: "events".into(),
        key: "id".into(),
        columns,
        rows,
    }
}

pub fn company_table() -> Table {
    use DataType as D;
    use Storage as S;
    let columns = vec![
        (
            "id".to_string(),
            "INTEGER PRIMARY KEY",
            D::Number,
            S::Integer,
        ),
        ("name".to_string(), "TEXT", D::Text, S::Text),
        ("plan".to_string(), "TEXT", D::Text, S::Text),
    ];
    let rows = vec![
        vec![V::Int(1), t("Acme"), t("paid")],
        vec![V::Int(2), t("Globex"), t("free")],
        vec![V::Int(3), t("Initech"), V::Null],
        vec![V::Int(4), t("Umbrella"), t("paid")],
        vec![V::Int(5), t("Nobody"), t("paid")],
    ];
    Table {
        name: "companies".into(),
        key: "id".into(),
        columns,
        rows,
    }
}

/// A table whose names try to break out of their quotes.
pub fn hostile_table() -> Table {
    let columns = vec![
        (
            "i\"d".to_string(),
            "INTEGER PRIMARY KEY",
            DataType::Number,
            Storage::Integer,
        ),
        (
            "co\"l; DROP TABLE profiles; --".to_string(),
            "TEXT",
            DataType::Text,
            Storage::Text,
        ),
        (
            "'quoted'".to_string(),
            "INTEGER",
            DataType::Number,
            Storage::Integer,
        ),
    ];
    let rows = (0..10)
        .map(|i| {
            vec![
                V::Int(i + 1),
                if i == 3 {
                    V::Null
                } else {
                    t(NAMES[i as usize])
                },
                V::Int(i % 3),
            ]
        })
        .collect();
    Table {
        name: "we\"ird\"; DROP TABLE profiles; --".into(),
        key: "i\"d".into(),
        columns,
        rows,
    }
}

pub fn regexp(ctx: &rusqlite::functions::Context<'_>) -> rusqlite::Result<Option<bool>> {
    let pattern: Option<String> = ctx.get(0)?;
    let value: Option<String> = ctx.get(1)?;
    match (pattern, value) {
        (Some(p), Some(v)) => {
            let re = regex::Regex::new(&p)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            Ok(Some(re.is_match(&v)))
        }
        _ => Ok(None),
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub fn database() -> Db {
    let conn = Connection::open_in_memory().unwrap();
    conn.create_scalar_function(
        "regexp",
        2,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        regexp,
    )
    .unwrap();
    let mut tables = HashMap::new();
    for table in [
        profile_table(),
        event_table(),
        company_table(),
        hostile_table(),
    ] {
        let cols: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.0), c.1))
            .collect();
        conn.execute(
            &format!("CREATE TABLE {} ({})", quote(&table.name), cols.join(", ")),
            [],
        )
        .unwrap();
        let marks = vec!["?"; table.columns.len()].join(", ");
        let mut insert = conn
            .prepare(&format!(
                "INSERT INTO {} VALUES ({marks})",
                quote(&table.name)
            ))
            .unwrap();
        for row in &table.rows {
            insert
                .execute(rusqlite::params_from_iter(row.iter().map(V::sql)))
                .unwrap();
        }
        drop(insert);
        tables.insert(table.name.clone(), table);
    }
    Db { conn, tables }
}

fn bind(value: &SqlValue) -> rusqlite::types::Value {
    match value {
        SqlValue::Null => rusqlite::types::Value::Null,
        SqlValue::Integer(i) => rusqlite::types::Value::Integer(*i),
        SqlValue::Real(f) => rusqlite::types::Value::Real(*f),
        SqlValue::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

impl Db {
    pub fn table(&self, name: &str) -> &Table {
        &self.tables[name]
    }

    pub fn count(&self, statement: &Statement) -> i64 {
        let placeholders = statement.sql.matches('?').count();
        assert_eq!(placeholders, statement.params.len(), "{}", statement.sql);
        self.conn
            .query_row(
                &statement.sql,
                rusqlite::params_from_iter(statement.params.iter().map(bind)),
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e}\n{}", statement.sql))
    }

    pub fn keys(&self, statement: &Statement) -> Vec<i64> {
        let mut stmt = self
            .conn
            .prepare(&statement.sql)
            .unwrap_or_else(|e| panic!("{e}\n{}", statement.sql));
        let rows = stmt
            .query_map(
                rusqlite::params_from_iter(statement.params.iter().map(bind)),
                |r| r.get(0),
            )
            .unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    pub fn count_plain(&self, sql: &str) -> i64 {
        self.conn
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}\n{sql}"))
    }

    /// Keys of the records of `entity` matching `filter`, by the reference evaluator.
    pub fn reference(&self, entity: &str, filter: &Expr) -> Vec<i64> {
        let table = self.table(entity);
        let key = table.index(&table.key);
        table
            .rows
            .iter()
            .filter(|row| self.eval(table, row, filter))
            .map(|row| match row[key] {
                V::Int(i) => i,
                _ => panic!("non-integer key"),
            })
            .collect()
    }

    fn eval(&self, table: &Table, row: &[V], expr: &Expr) -> bool {
        match expr {
            Expr::True => true,
            Expr::False => false,
            Expr::And(items) => items.iter().all(|e| self.eval(table, row, e)),
            Expr::Or(items) => items.iter().any(|e| self.eval(table, row, e)),
            Expr::Not(inner) => !self.eval(table, row, inner),
            Expr::Column { column, predicate } => {
                assert_eq!(column.entity, table.name);
                predicate_holds(&row[table.index(&column.name)], column.storage, predicate)
            }
            Expr::RawSql(sql) => {
                // Evaluated by SQLite itself, one record at a time.
                let key = &row[table.index(&table.key)];
                let q = format!(
                    "SELECT COUNT(*) FROM {} WHERE {} = ?1 AND COALESCE(({sql}\n), 0)",
                    quote(&table.name),
                    quote(&table.key)
                );
                let n: i64 = self.conn.query_row(&q, [key.sql()], |r| r.get(0)).unwrap();
                n > 0
            }
            Expr::Related(related) => self.related_holds(table, row, related),
            Expr::Compare(c) => columns_compare(table, row, c),
            Expr::Members(members) => {
                let key = &row[table.index(&members.column.name)];
                members.keys.iter().any(|k| match (k, key) {
                    (ArrayElement::Number(Number::Int(a)), V::Int(b)) => a == b,
                    (ArrayElement::Number(n), V::Int(b)) => n.as_f64() == *b as f64,
                    (ArrayElement::Number(n), V::Real(b)) => n.as_f64() == *b,
                    (ArrayElement::Text(a), V::Text(b)) => a == b,
                    _ => false,
                })
            }
        }
    }

    fn related_holds(&self, table: &Table, row: &[V], related: &Related) -> bool {
        assert_eq!(related.from_entity.name, table.name);
        let from = &row[table.index(&related.from_column)];
        let target = self.table(&related.to_entity.name);
        let to = target.index(&related.to_column);
        let matching: Vec<&Vec<V>> = if *from == V::Null {
            Vec::new()
        } else {
            target
                .rows
                .iter()
                .filter(|r| r[to] == *from)
                .filter(|r| match &related.window {
                    None => true,
                    Some((column, range)) => {
                        instant(&r[target.index(&column.name)], column.storage)
                            .is_some_and(|at| in_range(at, range))
                    }
                })
                .filter(|r| self.eval(target, r, &related.filter))
                .collect()
        };
        let n = matching.len() as u64;
        match &related.constraint {
            RelatedConstraint::Count { min, max } => n >= *min && max.is_none_or(|m| n <= m),
            RelatedConstraint::CountNot(k) => n != *k,
            RelatedConstraint::Aggregate {
                function,
                column,
                comparison,
            } => {
                let i = target.index(&column.name);
                let values: Vec<&V> = matching
                    .iter()
                    .map(|r| &r[i])
                    .filter(|v| **v != V::Null)
                    .collect();
                if values.is_empty() {
                    return false;
                }
                if matches!(function, AggregateFunction::Sum | AggregateFunction::Avg) {
                    return decimal_holds(*function, &values, comparison);
                }
                let nums: Vec<f64> = values.iter().filter_map(|v| v.f64()).collect();
                let value = match function {
                    AggregateFunction::Sum | AggregateFunction::Avg => unreachable!(),
                    AggregateFunction::Min => nums.iter().copied().fold(f64::INFINITY, f64::min),
                    AggregateFunction::Max => {
                        nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                    }
                    AggregateFunction::CountDistinct => {
                        let mut distinct: Vec<&V> = Vec::new();
                        for v in values {
                            if !distinct.contains(&v) {
                                distinct.push(v);
                            }
                        }
                        distinct.len() as f64
                    }
                };
                number_holds(value, comparison)
            }
            RelatedConstraint::TimeOf {
                which,
                column,
                predicate,
            } => {
                let i = target.index(&column.name);
                let timed = timed_rows(&matching, i, column.storage);
                let extreme = match which {
                    Extreme::First => timed.iter().min_by_key(|(at, _)| *at),
                    Extreme::Last => timed.iter().max_by_key(|(at, _)| *at),
                };
                extreme.is_some_and(|(_, r)| predicate_holds(&r[i], column.storage, predicate))
            }
            RelatedConstraint::RecordOf {
                which,
                column,
                test,
            } => {
                let i = target.index(&column.name);
                let timed = timed_rows(&matching, i, column.storage);
                let extreme = match which {
                    Extreme::First => timed.iter().map(|(at, _)| *at).min(),
                    Extreme::Last => timed.iter().map(|(at, _)| *at).max(),
                };
                timed
                    .iter()
                    .any(|(at, r)| Some(*at) == extreme && self.eval(target, r, test))
            }
            RelatedConstraint::DistinctPeriods {
                unit,
                column,
                count,
            } => {
                let i = target.index(&column.name);
                let mut periods: Vec<i64> = timed_rows(&matching, i, column.storage)
                    .iter()
                    .map(|(at, _)| period_of(*at, *unit))
                    .collect();
                periods.sort_unstable();
                periods.dedup();
                count.passes(periods.len() as u64)
            }
            RelatedConstraint::Sequence {
                column,
                steps,
                within,
            } => {
                let i = target.index(&column.name);
                let timed = timed_rows(&matching, i, column.storage);
                self.chain(target, &timed, steps, None, *within)
            }
        }
    }

    /// The definition of a sequence, tried record by record: a record for `steps[0]` after
    /// `previous` (time, start) with the gap, exclusion and whole span kept, then the rest.
    fn chain(
        &self,
        target: &Table,
        timed: &[(i64, &Vec<V>)],
        steps: &[segment_model::ir::SequenceStep],
        previous: Option<(i64, i64)>,
        within: Option<i64>,
    ) -> bool {
        let Some((step, rest)) = steps.split_first() else {
            return true;
        };
        timed.iter().any(|(at, r)| {
            let follows = match previous {
                None => true,
                Some((before, start)) => {
                    *at > before
                        && step.gap.is_none_or(|g| at - before <= g)
                        && within.is_none_or(|w| at - start <= w)
                        && !step.excluding.as_ref().is_some_and(|x| {
                            timed
                                .iter()
                                .any(|(c, cr)| *c > before && c < at && self.eval(target, cr, x))
                        })
                }
            };
            follows
                && self.eval(target, r, &step.test)
                && self.chain(
                    target,
                    timed,
                    rest,
                    Some((*at, previous.map_or(*at, |p| p.1))),
                    within,
                )
        })
    }
}

/// The rows with a time in column `i`, with that instant.
fn timed_rows<'r>(rows: &[&'r Vec<V>], i: usize, storage: Storage) -> Vec<(i64, &'r Vec<V>)> {
    rows.iter()
        .filter_map(|r| instant(&r[i], storage).map(|at| (at, *r)))
        .collect()
}

/// One number per UTC day, week from Monday, month or year.
fn period_of(at: i64, unit: segment_model::tree::TimeUnit) -> i64 {
    use segment_model::tree::TimeUnit as U;
    let day = at.div_euclid(86_400);
    let date = chrono::DateTime::from_timestamp(at, 0).unwrap();
    match unit {
        U::Day => day,
        U::Week => (day + 3).div_euclid(7),
        U::Month => i64::from(date.year()) * 12 + i64::from(date.month0()),
        U::Year => i64::from(date.year()),
        U::Minute | U::Hour => panic!("no distinct minutes or hours"),
    }
}

fn compare(op: CompareOp, a: f64, b: f64) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}

/// A sum or an average as decimal amounts (`segment_model::decimal`): each value read to
/// millionths, summed exactly; the average compared as the sum against threshold × count.
fn decimal_holds(
    function: AggregateFunction,
    values: &[&V],
    comparison: &NumberComparison,
) -> bool {
    use segment_model::decimal::Amount;
    let amount = |v: &V| match v {
        V::Int(i) => Amount::of_number(Number::Int(*i)),
        V::Real(f) => Amount::of_real(*f),
        _ => None,
    };
    let sum: i128 = values
        .iter()
        .filter_map(|v| amount(v))
        .map(Amount::units)
        .sum();
    let scale = match function {
        AggregateFunction::Avg => values.len() as i128,
        _ => 1,
    };
    let against = |n: &Number| {
        let t = Amount::of_number(*n).map(Amount::units).unwrap_or(0);
        sum.cmp(&(t * scale))
    };
    use std::cmp::Ordering::*;
    let holds = |op: CompareOp, n: &Number| {
        let o = against(n);
        match op {
            CompareOp::Eq => o == Equal,
            CompareOp::Ne => o != Equal,
            CompareOp::Lt => o == Less,
            CompareOp::Le => o != Greater,
            CompareOp::Gt => o == Greater,
            CompareOp::Ge => o != Less,
        }
    };
    match comparison {
        NumberComparison::Compare(op, n) => holds(*op, n),
        NumberComparison::Between { low, high, negated } => {
            (holds(CompareOp::Ge, low) && holds(CompareOp::Le, high)) != *negated
        }
        NumberComparison::In { values, negated } => {
            values.iter().any(|n| holds(CompareOp::Eq, n)) != *negated
        }
    }
}

fn number_holds(x: f64, comparison: &NumberComparison) -> bool {
    match comparison {
        NumberComparison::Compare(op, n) => compare(*op, x, n.as_f64()),
        NumberComparison::Between { low, high, negated } => {
            (x >= low.as_f64() && x <= high.as_f64()) != *negated
        }
        NumberComparison::In { values, negated } => {
            values.iter().any(|n| n.as_f64() == x) != *negated
        }
    }
}

/// The instant a stored time value stands for.
pub fn instant(value: &V, storage: Storage) -> Option<i64> {
    match (storage, value) {
        (_, V::Null) => None,
        (Storage::UnixSeconds, V::Int(i)) => Some(*i),
        // Floored to the whole second.
        (Storage::UnixMillis, V::Int(i)) => Some(i.div_euclid(1000)),
        (Storage::IsoDate, V::Text(s)) => Some(
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)?
                .and_utc()
                .timestamp(),
        ),
        (Storage::IsoDateTime, V::Text(s)) => Some(
            NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
                .ok()?
                .and_utc()
                .timestamp(),
        ),
        (Storage::IsoDateTimeSpace, V::Text(s)) => Some(
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .ok()?
                .and_utc()
                .timestamp(),
        ),
        (storage, value) => panic!("no instant for {value:?} stored as {storage:?}"),
    }
}

fn in_range(at: i64, range: &TimeRange) -> bool {
    let after = range
        .start
        .is_none_or(|b| if b.inclusive { at >= b.at } else { at > b.at });
    let before = range
        .end
        .is_none_or(|b| if b.inclusive { at <= b.at } else { at < b.at });
    after && before
}

/// SQL LIKE with `\` escapes, ASCII case folded unless `cs`; a trailing lone escape matches
/// nothing.
fn like(text: &[char], pattern: &[char], cs: bool) -> bool {
    let same = |t: &char, c: &char| {
        if cs {
            t == c
        } else {
            t.eq_ignore_ascii_case(c)
        }
    };
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('%', rest)) => (0..=text.len()).any(|i| like(&text[i..], rest, cs)),
        Some(('_', rest)) => !text.is_empty() && like(&text[1..], rest, cs),
        Some(('\\', rest)) => match rest.split_first() {
            None => false,
            Some((c, rest)) => {
                text.first().is_some_and(|t| same(t, c)) && like(&text[1..], rest, cs)
            }
        },
        Some((c, rest)) => text.first().is_some_and(|t| same(t, c)) && like(&text[1..], rest, cs),
    }
}

fn element_matches(json: &serde_json::Value, element: &ArrayElement) -> bool {
    match (json, element) {
        (serde_json::Value::String(s), ArrayElement::Text(e)) => s == e,
        (serde_json::Value::Number(n), ArrayElement::Number(e)) => n.as_f64() == Some(e.as_f64()),
        _ => false,
    }
}

pub fn predicate_holds(value: &V, storage: Storage, predicate: &Predicate) -> bool {
    let fold = |s: &str, cs: bool| {
        if cs {
            s.to_string()
        } else {
            s.to_ascii_lowercase()
        }
    };
    let text = value.text();
    let array = || -> Option<Vec<serde_json::Value>> {
        match serde_json::from_str(text?).ok()? {
            serde_json::Value::Array(items) => Some(items),
            _ => None,
        }
    };
    match predicate {
        Predicate::IsNull => *value == V::Null,
        Predicate::IsNotNull => *value != V::Null,
        Predicate::IsBlank => *value == V::Null || text == Some(""),
        Predicate::IsNotBlank => text.is_some_and(|s| !s.is_empty()),
        Predicate::TextEquals {
            value: v,
            case_sensitive: cs,
            negated,
        } => text.is_some_and(|s| (fold(s, *cs) == fold(v, *cs)) != *negated),
        Predicate::TextIn {
            values,
            case_sensitive: cs,
            negated,
        } => text.is_some_and(|s| values.iter().any(|v| fold(s, *cs) == fold(v, *cs)) != *negated),
        Predicate::Contains {
            value: v,
            case_sensitive: cs,
            negated,
        } => text.is_some_and(|s| fold(s, *cs).contains(&fold(v, *cs)) != *negated),
        Predicate::StartsWith {
            value: v,
            case_sensitive: cs,
            negated,
        } => text.is_some_and(|s| fold(s, *cs).starts_with(&fold(v, *cs)) != *negated),
        Predicate::EndsWith {
            value: v,
            case_sensitive: cs,
            negated,
        } => text.is_some_and(|s| fold(s, *cs).ends_with(&fold(v, *cs)) != *negated),
        Predicate::Like {
            pattern,
            case_sensitive,
            negated,
        } => text.is_some_and(|s| {
            let s: Vec<char> = s.chars().collect();
            let p: Vec<char> = pattern.chars().collect();
            like(&s, &p, *case_sensitive) != *negated
        }),
        Predicate::Regex { pattern, negated } => {
            text.is_some_and(|s| regex::Regex::new(pattern).unwrap().is_match(s) != *negated)
        }
        Predicate::TextLength(op, n) => {
            text.is_some_and(|s| compare(*op, s.chars().count() as f64, *n as f64))
        }
        // Byte order of UTF-8 = code point order.
        Predicate::TextOrder(op, v) => text.is_some_and(|s| {
            let ord = s.as_bytes().cmp(v.as_bytes());
            match op {
                CompareOp::Lt => ord.is_lt(),
                CompareOp::Le => ord.is_le(),
                CompareOp::Gt => ord.is_gt(),
                CompareOp::Ge => ord.is_ge(),
                CompareOp::Eq => ord.is_eq(),
                CompareOp::Ne => ord.is_ne(),
            }
        }),
        Predicate::Number(comparison) => value.f64().is_some_and(|x| number_holds(x, comparison)),
        Predicate::Boolean(b) => *value == V::Int(i64::from(*b)),
        Predicate::Time { range, negated } => {
            instant(value, storage).is_some_and(|at| in_range(at, range) != *negated)
        }
        Predicate::DatePart { part, values } => instant(value, storage).is_some_and(|at| {
            let date = chrono::DateTime::from_timestamp(at, 0).unwrap();
            let x = match part {
                DatePart::Year => i64::from(date.year()),
                DatePart::Month => i64::from(date.month()),
                DatePart::DayOfMonth => i64::from(date.day()),
                DatePart::Weekday => i64::from(date.weekday().num_days_from_sunday()),
                DatePart::Hour => i64::from(chrono::Timelike::hour(&date)),
            };
            values.contains(&x)
        }),
        Predicate::ArrayContainsAny(elements) => array().is_some_and(|items| {
            elements
                .iter()
                .any(|e| items.iter().any(|j| element_matches(j, e)))
        }),
        Predicate::ArrayContainsAll(elements) => array().is_some_and(|items| {
            elements
                .iter()
                .all(|e| items.iter().any(|j| element_matches(j, e)))
        }),
        Predicate::ArrayContainsNone(elements) => array().is_some_and(|items| {
            !elements
                .iter()
                .any(|e| items.iter().any(|j| element_matches(j, e)))
        }),
        Predicate::ArrayIsEmpty => array().is_some_and(|items| items.is_empty()),
        Predicate::ArrayIsNotEmpty => array().is_some_and(|items| !items.is_empty()),
        Predicate::ArraySize(op, n) => {
            array().is_some_and(|items| compare(*op, items.len() as f64, *n as f64))
        }
        Predicate::ArrayItems { every, test } => array().is_some_and(|items| {
            let passes = |j: &serde_json::Value| j.as_str().is_some_and(|s| test.passes(s));
            if *every {
                items.iter().all(passes)
            } else {
                items.iter().any(passes)
            }
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// IR builders

pub fn query(table: &Table, filter: Expr) -> Query {
    Query {
        entity: table.entity(),
        filter,
        now: T0,
    }
}

pub fn on(column: ColumnRef, predicate: Predicate) -> Expr {
    Expr::Column { column, predicate }
}

pub fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

pub fn text_eq(value: &str, case_sensitive: bool, negated: bool) -> Predicate {
    Predicate::TextEquals {
        value: value.into(),
        case_sensitive,
        negated,
    }
}

pub fn range(start: Option<(i64, bool)>, end: Option<(i64, bool)>) -> TimeRange {
    TimeRange {
        start: start.map(|(at, inclusive)| TimeBound { at, inclusive }),
        end: end.map(|(at, inclusive)| TimeBound { at, inclusive }),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn related(
    from: &Table,
    name: &str,
    from_column: &str,
    to: &Table,
    to_column: &str,
    cardinality: Cardinality,
    window: Option<(ColumnRef, TimeRange)>,
    filter: Expr,
    constraint: RelatedConstraint,
) -> Expr {
    Expr::Related(Box::new(Related {
        relationship_id: 1,
        relationship: name.into(),
        cardinality,
        from_entity: from.entity(),
        from_column: from_column.into(),
        to_entity: to.entity(),
        to_column: to_column.into(),
        window,
        filter,
        constraint,
    }))
}

pub fn count(min: u64, max: Option<u64>) -> RelatedConstraint {
    RelatedConstraint::Count { min, max }
}

// ---------------------------------------------------------------------------------------------
// The corpus: every predicate, every related-constraint shape, nesting, NOT, both cardinalities
// and every time storage. Named for snapshots; every case is also executed and checked.

pub fn predicate_cases(db: &Db) -> Vec<(String, Expr)> {
    let p = db.table("profiles");
    let name = || p.column("name");
    let mut cases: Vec<(String, Expr)> = Vec::new();
    let mut add = |label: &str, e: Expr| cases.push((label.to_string(), e));

    add("is_null", on(p.column("country"), Predicate::IsNull));
    add("is_not_null", on(p.column("country"), Predicate::IsNotNull));
    add("is_blank", on(p.column("country"), Predicate::IsBlank));
    add(
        "is_not_blank",
        on(p.column("country"), Predicate::IsNotBlank),
    );
    add(
        "text_equals",
        on(p.column("country"), text_eq("US", true, false)),
    );
    add(
        "text_equals_fold",
        on(p.column("country"), text_eq("uS", false, false)),
    );
    add(
        "text_not_equals",
        on(p.column("country"), text_eq("US", true, true)),
    );
    add(
        "text_not_equals_fold",
        on(p.column("country"), text_eq("us", false, true)),
    );
    add(
        "text_equals_quote",
        on(name(), text_eq("O'Brien", true, false)),
    );
    add(
        "text_equals_hostile",
        on(name(), text_eq("x'); DROP TABLE profiles; --", true, false)),
    );
    add(
        "text_equals_unicode_fold",
        on(name(), text_eq("àlice", false, false)),
    );
    add(
        "text_equals_backslash",
        on(name(), text_eq("back\\slash", true, false)),
    );
    add(
        "text_in",
        on(
            p.column("country"),
            Predicate::TextIn {
                values: vec!["US".into(), "CA".into()],
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "text_in_fold",
        on(
            p.column("country"),
            Predicate::TextIn {
                values: vec!["us".into(), "fr".into()],
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "text_not_in",
        on(
            p.column("country"),
            Predicate::TextIn {
                values: vec!["US".into(), "".into()],
                case_sensitive: true,
                negated: true,
            },
        ),
    );
    add(
        "text_in_empty",
        on(
            p.column("country"),
            Predicate::TextIn {
                values: vec![],
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "text_not_in_empty",
        on(
            p.column("country"),
            Predicate::TextIn {
                values: vec![],
                case_sensitive: false,
                negated: true,
            },
        ),
    );
    add(
        "contains",
        on(
            name(),
            Predicate::Contains {
                value: "lic".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "contains_fold",
        on(
            name(),
            Predicate::Contains {
                value: "LIC".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "contains_percent",
        on(
            name(),
            Predicate::Contains {
                value: "%".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "contains_underscore",
        on(
            name(),
            Predicate::Contains {
                value: "_".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "not_contains",
        on(
            name(),
            Predicate::Contains {
                value: "li".into(),
                case_sensitive: false,
                negated: true,
            },
        ),
    );
    add(
        "starts_with",
        on(
            name(),
            Predicate::StartsWith {
                value: "Al".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "starts_with_fold",
        on(
            name(),
            Predicate::StartsWith {
                value: "al".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "not_starts_with",
        on(
            name(),
            Predicate::StartsWith {
                value: "b".into(),
                case_sensitive: false,
                negated: true,
            },
        ),
    );
    add(
        "starts_with_unicode",
        on(
            name(),
            Predicate::StartsWith {
                value: "Zo".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "starts_with_empty",
        on(
            name(),
            Predicate::StartsWith {
                value: "".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "ends_with",
        on(
            name(),
            Predicate::EndsWith {
                value: "ice".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "ends_with_fold",
        on(
            name(),
            Predicate::EndsWith {
                value: "ICE".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "ends_with_unicode",
        on(
            name(),
            Predicate::EndsWith {
                value: "oë".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "not_ends_with",
        on(
            name(),
            Predicate::EndsWith {
                value: "%".into(),
                case_sensitive: true,
                negated: true,
            },
        ),
    );
    add(
        "ends_with_empty_negated",
        on(
            name(),
            Predicate::EndsWith {
                value: "".into(),
                case_sensitive: true,
                negated: true,
            },
        ),
    );
    add(
        "like",
        on(
            name(),
            Predicate::Like {
                pattern: "al%".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "like_escaped_percent",
        on(
            name(),
            Predicate::Like {
                pattern: "%\\%%".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "like_escaped_underscore",
        on(
            name(),
            Predicate::Like {
                pattern: "%\\_%".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "like_underscore",
        on(
            name(),
            Predicate::Like {
                pattern: "b_b".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "like_backslash",
        on(
            name(),
            Predicate::Like {
                pattern: "back\\\\slash".into(),
                case_sensitive: false,
                negated: false,
            },
        ),
    );
    add(
        "like_case_sensitive",
        on(
            name(),
            Predicate::Like {
                pattern: "Al%".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "like_case_sensitive_glob_characters",
        on(
            name(),
            Predicate::Like {
                pattern: "%[*?]\\%_".into(),
                case_sensitive: true,
                negated: false,
            },
        ),
    );
    add(
        "not_like_case_sensitive",
        on(
            name(),
            Predicate::Like {
                pattern: "%a%".into(),
                case_sensitive: true,
                negated: true,
            },
        ),
    );
    add(
        "not_like",
        on(
            name(),
            Predicate::Like {
                pattern: "%a%".into(),
                case_sensitive: false,
                negated: true,
            },
        ),
    );
    add(
        "regex",
        on(
            name(),
            Predicate::Regex {
                pattern: "^[A-Z][a-z]+$".into(),
                negated: false,
            },
        ),
    );
    add(
        "not_regex",
        on(
            name(),
            Predicate::Regex {
                pattern: "(?i)alice".into(),
                negated: true,
            },
        ),
    );
    add(
        "length",
        on(name(), Predicate::TextLength(CompareOp::Le, 3)),
    );
    add(
        "length_unicode",
        on(name(), Predicate::TextLength(CompareOp::Eq, 7)),
    );
    add(
        "text_order_after",
        on(name(), Predicate::TextOrder(CompareOp::Gt, "Bob".into())),
    );
    add(
        "text_order_at_most",
        on(name(), Predicate::TextOrder(CompareOp::Le, "alice".into())),
    );
    add(
        "number_gt",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::Compare(CompareOp::Gt, Number::Int(18))),
        ),
    );
    add(
        "number_ne",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::Compare(CompareOp::Ne, Number::Int(30))),
        ),
    );
    add(
        "number_le_float",
        on(
            p.column("score"),
            Predicate::Number(NumberComparison::Compare(CompareOp::Le, Number::Float(0.5))),
        ),
    );
    add(
        "number_eq_negative",
        on(
            p.column("score"),
            Predicate::Number(NumberComparison::Compare(
                CompareOp::Eq,
                Number::Float(-2.25),
            )),
        ),
    );
    add(
        "number_between",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::Between {
                low: Number::Int(18),
                high: Number::Int(65),
                negated: false,
            }),
        ),
    );
    add(
        "number_not_between",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::Between {
                low: Number::Int(0),
                high: Number::Float(29.5),
                negated: true,
            }),
        ),
    );
    add(
        "number_in",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::In {
                values: vec![Number::Int(17), Number::Int(65)],
                negated: false,
            }),
        ),
    );
    add(
        "number_not_in",
        on(
            p.column("score"),
            Predicate::Number(NumberComparison::In {
                values: vec![Number::Float(0.5), Number::Int(10)],
                negated: true,
            }),
        ),
    );
    add(
        "number_in_empty",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::In {
                values: vec![],
                negated: false,
            }),
        ),
    );
    add(
        "number_not_in_empty",
        on(
            p.column("age"),
            Predicate::Number(NumberComparison::In {
                values: vec![],
                negated: true,
            }),
        ),
    );
    add(
        "boolean_true",
        on(p.column("is_paid"), Predicate::Boolean(true)),
    );
    add(
        "boolean_false",
        on(p.column("is_paid"), Predicate::Boolean(false)),
    );
    for (column, storage) in [
        ("signed_up", "unix"),
        ("birth_date", "date"),
        ("last_seen", "datetime"),
        ("created", "space"),
        ("signed_up_ms", "millis"),
    ] {
        let c = || p.column(column);
        let time = |r: TimeRange, negated: bool| on(c(), Predicate::Time { range: r, negated });
        add(
            &format!("time_{storage}_on_day"),
            time(range(Some((T0, true)), Some((T0 + DAY, false))), false),
        );
        add(
            &format!("time_{storage}_after"),
            time(range(Some((T0, false)), None), false),
        );
        add(
            &format!("time_{storage}_on_or_after_noon"),
            time(range(Some((T0 + DAY / 2, true)), None), false),
        );
        add(
            &format!("time_{storage}_after_noon"),
            time(range(Some((T0 + DAY / 2, false)), None), false),
        );
        add(
            &format!("time_{storage}_before"),
            time(range(None, Some((T0, false))), false),
        );
        add(
            &format!("time_{storage}_on_or_before"),
            time(range(None, Some((T0, true))), false),
        );
        add(
            &format!("time_{storage}_before_noon"),
            time(range(None, Some((T0 + DAY / 2, false))), false),
        );
        add(
            &format!("time_{storage}_on_or_before_noon"),
            time(range(None, Some((T0 + DAY / 2, true))), false),
        );
        add(
            &format!("time_{storage}_second"),
            time(range(Some((T0 + 1, true)), Some((T0 + 1, true))), false),
        );
        add(
            &format!("time_{storage}_not_on_day"),
            time(range(Some((T0, true)), Some((T0 + DAY, false))), true),
        );
        add(
            &format!("time_{storage}_not_before"),
            time(range(None, Some((T0 - 1, true))), true),
        );
        add(
            &format!("time_{storage}_any"),
            time(range(None, None), false),
        );
        add(
            &format!("time_{storage}_none"),
            time(range(None, None), true),
        );
        add(
            &format!("time_{storage}_far_future"),
            time(range(Some((i64::MAX - 5, false)), None), false),
        );
        add(
            &format!("time_{storage}_not_far_past"),
            time(range(None, Some((i64::MIN + 5, true))), true),
        );
        add(
            &format!("time_{storage}_year_2000_on"),
            time(range(Some((946_684_800, true)), None), false),
        );
        add(
            &format!("date_part_{storage}_month"),
            on(
                c(),
                Predicate::DatePart {
                    part: DatePart::Month,
                    values: vec![2, 3],
                },
            ),
        );
        add(
            &format!("date_part_{storage}_weekday"),
            on(
                c(),
                Predicate::DatePart {
                    part: DatePart::Weekday,
                    values: vec![0, 6],
                },
            ),
        );
        add(
            &format!("date_part_{storage}_hour"),
            on(
                c(),
                Predicate::DatePart {
                    part: DatePart::Hour,
                    values: vec![0, 13],
                },
            ),
        );
    }
    add(
        "date_part_year",
        on(
            p.column("birth_date"),
            Predicate::DatePart {
                part: DatePart::Year,
                values: vec![2000, 1969],
            },
        ),
    );
    add(
        "date_part_day",
        on(
            p.column("birth_date"),
            Predicate::DatePart {
                part: DatePart::DayOfMonth,
                values: vec![29, 10],
            },
        ),
    );
    add(
        "date_part_empty",
        on(
            p.column("birth_date"),
            Predicate::DatePart {
                part: DatePart::DayOfMonth,
                values: vec![],
            },
        ),
    );
    let tags = || p.column("tags");
    let txt = |s: &str| ArrayElement::Text(s.into());
    add(
        "array_any",
        on(
            tags(),
            Predicate::ArrayContainsAny(vec![txt("vip"), txt("x")]),
        ),
    );
    add(
        "array_any_number",
        on(
            tags(),
            Predicate::ArrayContainsAny(vec![
                ArrayElement::Number(Number::Float(2.5)),
                ArrayElement::Number(Number::Int(3)),
            ]),
        ),
    );
    add(
        "array_any_quote",
        on(
            tags(),
            Predicate::ArrayContainsAny(vec![txt("it's"), txt("a%b")]),
        ),
    );
    add(
        "array_any_empty",
        on(tags(), Predicate::ArrayContainsAny(vec![])),
    );
    add(
        "array_all",
        on(
            tags(),
            Predicate::ArrayContainsAll(vec![txt("vip"), txt("beta")]),
        ),
    );
    add(
        "array_all_one",
        on(tags(), Predicate::ArrayContainsAll(vec![txt("beta")])),
    );
    add(
        "array_all_empty",
        on(tags(), Predicate::ArrayContainsAll(vec![])),
    );
    add(
        "array_none",
        on(
            tags(),
            Predicate::ArrayContainsNone(vec![txt("vip"), txt("VIP")]),
        ),
    );
    add(
        "array_none_empty",
        on(tags(), Predicate::ArrayContainsNone(vec![])),
    );
    add("array_is_empty", on(tags(), Predicate::ArrayIsEmpty));
    add("array_is_not_empty", on(tags(), Predicate::ArrayIsNotEmpty));
    add(
        "array_size",
        on(tags(), Predicate::ArraySize(CompareOp::Ge, 2)),
    );
    add(
        "array_any_item_starts_with",
        on(
            tags(),
            Predicate::ArrayItems {
                every: false,
                test: ItemTest::StartsWith("v".into()),
            },
        ),
    );
    add(
        "array_any_item_ends_with",
        on(
            tags(),
            Predicate::ArrayItems {
                every: false,
                test: ItemTest::EndsWith("ta".into()),
            },
        ),
    );
    add(
        "array_any_item_contains",
        on(
            tags(),
            Predicate::ArrayItems {
                every: false,
                test: ItemTest::Contains("%b".into()),
            },
        ),
    );
    add(
        "array_every_item_is",
        on(
            tags(),
            Predicate::ArrayItems {
                every: true,
                test: ItemTest::Is("vip".into()),
            },
        ),
    );
    cases.extend(comparison_cases(p));
    cases
}

/// Two attributes of one record compared: text, numbers of both storages, instants and dates
/// across time storages.
pub fn comparison_cases(p: &Table) -> Vec<(String, Expr)> {
    let cmp = |left: &str, op: CompareOp, right: &str, date_only: bool| {
        Expr::Compare(Box::new(ColumnComparison {
            left: p.column(left),
            op,
            right: p.column(right),
            date_only,
        }))
    };
    vec![
        (
            "columns_text_same".into(),
            cmp("country", CompareOp::Eq, "country", false),
        ),
        (
            "columns_text_equal".into(),
            cmp("name", CompareOp::Eq, "country", false),
        ),
        (
            "columns_text_differ".into(),
            cmp("name", CompareOp::Ne, "country", false),
        ),
        (
            "columns_number_less".into(),
            cmp("age", CompareOp::Lt, "score", false),
        ),
        (
            "columns_number_equal".into(),
            cmp("company_id", CompareOp::Eq, "age", false),
        ),
        (
            "columns_time_before".into(),
            cmp("signed_up", CompareOp::Lt, "last_seen", false),
        ),
        (
            "columns_time_on".into(),
            cmp("birth_date", CompareOp::Eq, "created", false),
        ),
        (
            "columns_time_at_or_after".into(),
            cmp("signed_up_ms", CompareOp::Ge, "signed_up", false),
        ),
        (
            "columns_date_same".into(),
            cmp("signed_up_ms", CompareOp::Eq, "last_seen", true),
        ),
        (
            "columns_date_differ".into(),
            cmp("birth_date", CompareOp::Ne, "created", true),
        ),
        (
            "columns_date_before".into(),
            cmp("signed_up", CompareOp::Lt, "birth_date", true),
        ),
    ]
}

fn columns_compare(table: &Table, row: &[V], c: &ColumnComparison) -> bool {
    let value = |column: &ColumnRef| &row[table.index(&column.name)];
    let (a, b) = (value(&c.left), value(&c.right));
    if *a == V::Null || *b == V::Null {
        return false;
    }
    match c.left.data_type {
        DataType::Text => {
            let equal = a.text() == b.text();
            match c.op {
                CompareOp::Eq => equal,
                CompareOp::Ne => !equal,
                op => panic!("text ordered with {op:?}"),
            }
        }
        DataType::Datetime => {
            let at = |v: &V, storage: Storage| {
                let s = instant(v, storage).expect("a time");
                if c.date_only {
                    s.div_euclid(DAY)
                } else {
                    s
                }
            };
            compare(
                c.op,
                at(a, c.left.storage) as f64,
                at(b, c.right.storage) as f64,
            )
        }
        _ => compare(c.op, a.f64().expect("a number"), b.f64().expect("a number")),
    }
}

pub fn related_cases(db: &Db) -> Vec<(String, Query)> {
    let p = db.table("profiles");
    let e = db.table("events");
    let c = db.table("companies");
    let purchase = || on(e.column("name"), text_eq("purchase", true, false));
    let last_30 = || {
        Some((
            e.column("ts"),
            range(Some((T0 - 30 * DAY, true)), Some((T0, true))),
        ))
    };
    let events = |window, filter, constraint| {
        related(
            p,
            "events",
            "id",
            e,
            "profile_id",
            Cardinality::OneToMany,
            window,
            filter,
            constraint,
        )
    };
    let company = |filter, constraint| {
        related(
            p,
            "company",
            "company_id",
            c,
            "id",
            Cardinality::ManyToOne,
            None,
            filter,
            constraint,
        )
    };
    let mut cases: Vec<(String, Query)> = Vec::new();
    let mut add = |label: &str, q: Query| cases.push((label.to_string(), q));
    add("did", query(p, events(None, purchase(), count(1, None))));
    add(
        "did_any_event",
        query(p, events(None, Expr::True, count(1, None))),
    );
    add(
        "at_least_3_in_last_30_days",
        query(p, events(last_30(), purchase(), count(3, None))),
    );
    add(
        "exactly_2",
        query(p, events(None, purchase(), count(2, Some(2)))),
    );
    add(
        "between_1_and_2",
        query(p, events(None, Expr::True, count(1, Some(2)))),
    );
    add(
        "did_not",
        query(p, events(None, purchase(), count(0, Some(0)))),
    );
    add(
        "at_most_1",
        query(p, events(last_30(), Expr::True, count(0, Some(1)))),
    );
    add(
        "fewer_than_zero_folded",
        query(p, events(None, Expr::True, count(3, Some(2)))),
    );
    add(
        "count_any_folded",
        query(p, events(None, Expr::True, count(0, None))),
    );
    add(
        "count_not_0",
        query(p, events(None, purchase(), RelatedConstraint::CountNot(0))),
    );
    add(
        "count_not_2",
        query(p, events(None, Expr::True, RelatedConstraint::CountNot(2))),
    );
    let aggregate = |function, comparison| RelatedConstraint::Aggregate {
        function,
        column: e.column("amount"),
        comparison,
    };
    add(
        "sum_gt",
        query(
            p,
            events(
                None,
                purchase(),
                aggregate(
                    AggregateFunction::Sum,
                    NumberComparison::Compare(CompareOp::Gt, Number::Int(15)),
                ),
            ),
        ),
    );
    add(
        "avg_between",
        query(
            p,
            events(
                None,
                Expr::True,
                aggregate(
                    AggregateFunction::Avg,
                    NumberComparison::Between {
                        low: Number::Float(2.5),
                        high: Number::Int(40),
                        negated: false,
                    },
                ),
            ),
        ),
    );
    add(
        "min_le",
        query(
            p,
            events(
                last_30(),
                Expr::True,
                aggregate(
                    AggregateFunction::Min,
                    NumberComparison::Compare(CompareOp::Le, Number::Int(0)),
                ),
            ),
        ),
    );
    add(
        "max_not_in",
        query(
            p,
            events(
                None,
                Expr::True,
                aggregate(
                    AggregateFunction::Max,
                    NumberComparison::In {
                        values: vec![Number::Int(10)],
                        negated: true,
                    },
                ),
            ),
        ),
    );
    add(
        "max_in_empty",
        query(
            p,
            events(
                None,
                Expr::True,
                aggregate(
                    AggregateFunction::Max,
                    NumberComparison::In {
                        values: vec![],
                        negated: false,
                    },
                ),
            ),
        ),
    );
    add(
        "count_distinct_products",
        query(
            p,
            events(
                None,
                Expr::True,
                RelatedConstraint::Aggregate {
                    function: AggregateFunction::CountDistinct,
                    column: e.column("product"),
                    comparison: NumberComparison::Compare(CompareOp::Ge, Number::Int(2)),
                },
            ),
        ),
    );
    add(
        "count_distinct_lt_1",
        query(
            p,
            events(
                None,
                Expr::True,
                RelatedConstraint::Aggregate {
                    function: AggregateFunction::CountDistinct,
                    column: e.column("product"),
                    comparison: NumberComparison::Compare(CompareOp::Le, Number::Int(1)),
                },
            ),
        ),
    );
    add(
        "window_on_date_column",
        query(
            p,
            events(
                Some((
                    e.column("day"),
                    range(Some((T0 - 10 * DAY + 1, true)), Some((T0 - DAY / 2, false))),
                )),
                Expr::True,
                count(1, None),
            ),
        ),
    );
    add(
        "filter_or_not",
        query(
            p,
            events(
                None,
                Expr::And(vec![
                    Expr::Or(vec![
                        purchase(),
                        on(e.column("product"), text_eq("hat", true, false)),
                    ]),
                    not(on(
                        e.column("amount"),
                        Predicate::Number(NumberComparison::Compare(CompareOp::Lt, Number::Int(5))),
                    )),
                ]),
                count(1, None),
            ),
        ),
    );
    add(
        "many_to_one",
        query(
            p,
            company(
                on(c.column("plan"), text_eq("paid", true, false)),
                count(1, None),
            ),
        ),
    );
    add(
        "many_to_one_not",
        query(
            p,
            company(
                on(c.column("plan"), text_eq("paid", true, false)),
                count(0, Some(0)),
            ),
        ),
    );
    add(
        "many_to_one_negated_group",
        query(
            p,
            not(company(
                on(c.column("plan"), text_eq("paid", true, false)),
                count(1, None),
            )),
        ),
    );
    add(
        "one_to_many_nullable_fk",
        query(
            c,
            related(
                c,
                "profiles",
                "id",
                p,
                "company_id",
                Cardinality::OneToMany,
                None,
                on(p.column("age"), Predicate::IsNotNull),
                count(2, None),
            ),
        ),
    );
    add(
        "one_to_many_none",
        query(
            c,
            related(
                c,
                "profiles",
                "id",
                p,
                "company_id",
                Cardinality::OneToMany,
                None,
                Expr::True,
                count(0, Some(0)),
            ),
        ),
    );
    // Nested: profiles who made a purchase of a product that companies... (events -> profile -> company)
    let event_profile_company = related(
        e,
        "profile",
        "profile_id",
        p,
        "id",
        Cardinality::ManyToOne,
        None,
        company(
            on(c.column("plan"), text_eq("free", true, false)),
            count(1, None),
        ),
        count(1, None),
    );
    add(
        "nested_events_of_free_company_profiles",
        query(e, event_profile_company.clone()),
    );
    add(
        "nested_two_levels_from_companies",
        query(
            c,
            related(
                c,
                "profiles",
                "id",
                p,
                "company_id",
                Cardinality::OneToMany,
                None,
                events(last_30(), purchase(), count(2, None)),
                count(1, None),
            ),
        ),
    );
    add(
        "nested_not_in_inside",
        query(
            p,
            events(
                None,
                related(
                    e,
                    "profile",
                    "profile_id",
                    p,
                    "id",
                    Cardinality::ManyToOne,
                    None,
                    company(Expr::True, count(0, Some(0))),
                    count(1, None),
                ),
                count(1, None),
            ),
        ),
    );
    add(
        "attribute_and_event_and_not_event",
        query(
            p,
            Expr::And(vec![
                on(p.column("country"), text_eq("us", false, false)),
                events(last_30(), purchase(), count(1, None)),
                not(events(
                    None,
                    on(e.column("name"), text_eq("signup", true, false)),
                    count(1, None),
                )),
            ]),
        ),
    );
    add(
        "or_of_and_groups",
        query(
            p,
            Expr::Or(vec![
                Expr::And(vec![
                    on(
                        p.column("age"),
                        Predicate::Number(NumberComparison::Compare(
                            CompareOp::Ge,
                            Number::Int(18),
                        )),
                    ),
                    events(None, purchase(), count(2, None)),
                ]),
                Expr::And(vec![
                    on(p.column("is_paid"), Predicate::Boolean(true)),
                    not(on(p.column("country"), text_eq("US", true, false))),
                ]),
            ]),
        ),
    );
    add(
        "not_not",
        query(
            p,
            not(not(on(p.column("country"), text_eq("US", true, true)))),
        ),
    );
    add(
        "not_of_or_with_nullable",
        query(
            p,
            not(Expr::Or(vec![
                on(p.column("country"), text_eq("US", true, true)),
                on(
                    p.column("name"),
                    Predicate::Regex {
                        pattern: "a".into(),
                        negated: false,
                    },
                ),
                events(None, Expr::True, count(0, Some(1))),
                company(Expr::True, count(1, None)),
            ])),
        ),
    );
    add(
        "raw_sql",
        query(p, Expr::RawSql("age > 20 AND country = 'US'".into())),
    );
    add(
        "raw_sql_negated",
        query(p, not(Expr::RawSql("age > 20 -- adults".into()))),
    );
    add(
        "raw_sql_in_related_filter",
        query(
            p,
            events(None, Expr::RawSql("amount >= 10".into()), count(1, None)),
        ),
    );
    add("true", query(p, Expr::True));
    add("false", query(p, Expr::False));
    add("empty_and", query(p, Expr::And(vec![])));
    add("empty_or", query(p, Expr::Or(vec![])));
    add("not_true", query(p, not(Expr::True)));
    add("hostile_identifiers", {
        let h = db.table("we\"ird\"; DROP TABLE profiles; --");
        query(
            h,
            Expr::And(vec![
                on(
                    h.column("co\"l; DROP TABLE profiles; --"),
                    text_eq("'); DROP TABLE profiles; --", true, true),
                ),
                on(
                    h.column("'quoted'"),
                    Predicate::Number(NumberComparison::Compare(CompareOp::Ge, Number::Int(1))),
                ),
            ]),
        )
    });
    cases.extend(ordering_cases(db));
    cases
}

/// First / last time, the first or most recent record, distinct periods: over `ts` (Unix
/// seconds, some NULL) and `day` (ISO dates: the day's events tie).
fn ordering_cases(db: &Db) -> Vec<(String, Query)> {
    use segment_model::tree::TimeUnit;
    let p = db.table("profiles");
    let e = db.table("events");
    let events = |window, filter, constraint| {
        related(
            p,
            "events",
            "id",
            e,
            "profile_id",
            Cardinality::OneToMany,
            window,
            filter,
            constraint,
        )
    };
    let purchase = || on(e.column("name"), text_eq("purchase", true, false));
    let time = |start: Option<(i64, bool)>, end: Option<(i64, bool)>, negated| Predicate::Time {
        range: range(start, end),
        negated,
    };
    let time_of = |which, column: &str, predicate| RelatedConstraint::TimeOf {
        which,
        column: e.column(column),
        predicate,
    };
    let record_of = |which, column: &str, test| RelatedConstraint::RecordOf {
        which,
        column: e.column(column),
        test,
    };
    let periods = |unit, column: &str, count| RelatedConstraint::DistinctPeriods {
        unit,
        column: e.column(column),
        count,
    };
    let last_30 = Some(time(Some((T0 - 30 * DAY, true)), Some((T0, true)), false));
    let mut cases: Vec<(String, Query)> = Vec::new();
    let mut add = |label: &str, constraint, filter, window| {
        cases.push((
            label.to_string(),
            query(p, events(window, filter, constraint)),
        ))
    };
    add(
        "first_purchase_in_last_30_days",
        time_of(Extreme::First, "ts", last_30.clone().unwrap()),
        purchase(),
        None,
    );
    add(
        "last_event_more_than_20_days_ago",
        time_of(
            Extreme::Last,
            "ts",
            time(None, Some((T0 - 20 * DAY, false)), false),
        ),
        Expr::True,
        None,
    );
    add(
        "last_day_not_in_last_10_days",
        time_of(
            Extreme::Last,
            "day",
            time(Some((T0 - 10 * DAY, true)), Some((T0, true)), true),
        ),
        Expr::True,
        None,
    );
    add(
        "first_time_on_a_weekday",
        time_of(
            Extreme::First,
            "ts",
            Predicate::DatePart {
                part: DatePart::Weekday,
                values: vec![1, 2, 3],
            },
        ),
        purchase(),
        None,
    );
    add(
        "most_recent_product_is_shoe",
        record_of(
            Extreme::Last,
            "ts",
            on(e.column("product"), text_eq("shoe", true, false)),
        ),
        Expr::True,
        None,
    );
    add(
        "first_by_day_product_is_not_shoe_in_window",
        record_of(
            Extreme::First,
            "day",
            on(e.column("product"), text_eq("shoe", true, true)),
        ),
        Expr::True,
        Some((
            e.column("ts"),
            range(Some((T0 - 30 * DAY, true)), Some((T0, true))),
        )),
    );
    add(
        "distinct_days_at_least_2",
        periods(TimeUnit::Day, "ts", CountTest::Range { min: 2, max: None }),
        Expr::True,
        None,
    );
    add(
        "distinct_weeks_at_most_1",
        periods(
            TimeUnit::Week,
            "ts",
            CountTest::Range {
                min: 0,
                max: Some(1),
            },
        ),
        purchase(),
        None,
    );
    add(
        "distinct_months_not_2",
        periods(TimeUnit::Month, "day", CountTest::Not(2)),
        Expr::True,
        None,
    );
    add(
        "distinct_years_exactly_1",
        periods(
            TimeUnit::Year,
            "ts",
            CountTest::Range {
                min: 1,
                max: Some(1),
            },
        ),
        Expr::True,
        None,
    );
    let named = |name: &str| on(e.column("name"), text_eq(name, true, false));
    let step = |test, gap: Option<i64>, excluding| SequenceStep {
        test,
        gap,
        excluding,
    };
    add(
        "viewed_then_purchased_within_7_days",
        RelatedConstraint::Sequence {
            column: e.column("ts"),
            steps: vec![
                step(named("view"), None, None),
                step(purchase(), Some(7 * DAY), None),
            ],
            within: None,
        },
        Expr::True,
        None,
    );
    add(
        "view_then_purchase_by_day_no_signup_between_all_within_20_days",
        RelatedConstraint::Sequence {
            column: e.column("day"),
            steps: vec![
                step(named("view"), None, None),
                step(purchase(), None, Some(named("signup"))),
            ],
            within: Some(20 * DAY),
        },
        Expr::True,
        None,
    );
    add(
        "three_events_each_within_10_days_in_window",
        RelatedConstraint::Sequence {
            column: e.column("ts"),
            steps: vec![
                step(Expr::True, None, None),
                step(Expr::True, Some(10 * DAY), None),
                step(Expr::True, Some(10 * DAY), None),
            ],
            within: None,
        },
        Expr::True,
        Some((
            e.column("ts"),
            range(Some((T0 - 30 * DAY, true)), Some((T0, true))),
        )),
    );
    cases
}

/// Every case of the corpus as a query with its name.
pub fn all_cases(db: &Db) -> Vec<(String, Query)> {
    let p = db.table("profiles");
    let mut cases: Vec<(String, Query)> = predicate_cases(db)
        .into_iter()
        .map(|(name, e)| (name, query(p, e)))
        .collect();
    cases.extend(related_cases(db));
    cases
}

/// Leaves for random trees over profiles: every predicate case and every profiles related case.
pub fn profile_leaves(db: &Db) -> Vec<Expr> {
    let mut leaves: Vec<Expr> = predicate_cases(db).into_iter().map(|(_, e)| e).collect();
    leaves.extend(
        related_cases(db)
            .into_iter()
            .filter(|(_, q)| q.entity.name == "profiles")
            .map(|(_, q)| q.filter),
    );
    leaves
}

/// `n` pseudo-random AND/OR/NOT trees over `leaves`, the same for the same seed.
pub fn random_trees(leaves: &[Expr], seed: u64, n: usize) -> Vec<Expr> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = move |bound: usize| -> usize {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    fn grow(depth: usize, leaves: &[Expr], next: &mut dyn FnMut(usize) -> usize) -> Expr {
        let choice = if depth == 0 { 0 } else { next(5) };
        match choice {
            0 | 1 => leaves[next(leaves.len())].clone(),
            2 => Expr::And(
                (0..next(4))
                    .map(|_| grow(depth - 1, leaves, next))
                    .collect(),
            ),
            3 => Expr::Or(
                (0..next(4))
                    .map(|_| grow(depth - 1, leaves, next))
                    .collect(),
            ),
            _ => Expr::Not(Box::new(grow(depth - 1, leaves, next))),
        }
    }
    (0..n).map(|_| grow(4, leaves, &mut next)).collect()
}

/// The whole corpus in one dialect, displayed and built, for a snapshot; a case the dialect
/// cannot express shows its error.
pub fn corpus_text(db: &Db, dialect: &dyn segment_sql::Dialect) -> String {
    let mut text = String::new();
    for (name, query) in all_cases(db) {
        match (
            segment_sql::display(&query, dialect),
            segment_sql::build(&query, dialect),
        ) {
            (Ok(shown), Ok(built)) => text.push_str(&format!(
                "==== {name}\n{shown}\n-- build\n{}\n-- params {:?}\n\n",
                built.sql, built.params
            )),
            (Err(e), _) | (_, Err(e)) => text.push_str(&format!("==== {name}\n-- error: {e}\n\n")),
        }
    }
    text
}
