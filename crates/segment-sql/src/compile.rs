//! The IR to the SQL tree: semantics live here, spelling in the dialect.
//!
//! Two-valued logic: every condition of the IR is true or false for a record (a NULL value
//! satisfies only `IsNull`/`IsBlank`), and `Expr::Not` is the complement. SQL's three-valued
//! logic agrees with that wherever an expression is used positively (WHERE drops NULL just as it
//! drops FALSE, and AND/OR are monotone), so positive expressions are written plainly. Under an
//! odd number of NOTs a NULL would stay NULL and drop the record, so there each expression that
//! can be NULL is guarded: `(col IS NOT NULL AND …)`, `COALESCE((raw sql), FALSE)`.

use segment_model::ir::{
    ArrayElement, ColumnRef, CompareOp, EntityRef, Expr, ItemTest, Number, NumberComparison,
    Predicate, Query, Related, RelatedConstraint, TimeRange,
};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::decimal;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::fragment::{Cond, Fragment, Select};
use crate::raw;
use crate::time::{
    format_datetime, lower_edge, max_day, min_day, upper_edge, Edge, Grain, SECONDS_PER_DAY,
};
use crate::value::SqlValue;
use crate::Output;

mod columns;
mod members;
mod ordered;
mod sequence;

pub(crate) struct Compiler<'d> {
    dialect: &'d dyn Dialect,
    /// Related records as `key IN (select)` whatever the dialect prefers: kept whole
    /// (`Piece::KeyIn`) for `build_counts` to join once.
    keys_in: bool,
}

/// The records being filtered: an entity under a table alias (`t0` for the base entity, `t1`…
/// for related records, by nesting depth).
struct Scope<'q> {
    entity: &'q EntityRef,
    depth: usize,
}

impl Scope<'_> {
    fn alias(&self) -> String {
        format!("t{}", self.depth)
    }
}

/// A compiled column predicate and whether it can evaluate to NULL (when the column is NULL).
struct Pred {
    frag: Fragment,
    nullable: bool,
}

impl Pred {
    fn nullable(frag: Fragment) -> Self {
        Pred {
            frag,
            nullable: true,
        }
    }
    fn total(frag: Fragment) -> Self {
        Pred {
            frag,
            nullable: false,
        }
    }
}

/// How a related-records condition tests the base key against the sub-select.
enum Shape {
    Constant(bool),
    In {
        having: Option<Fragment>,
    },
    NotIn {
        having: Option<Fragment>,
    },
    /// `key IN (select)` with a select of its own (the related keys, `compile::ordered`).
    InSelect(Box<Select>),
}

fn op_sql(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => " = ",
        CompareOp::Ne => " <> ",
        CompareOp::Lt => " < ",
        CompareOp::Le => " <= ",
        CompareOp::Gt => " > ",
        CompareOp::Ge => " >= ",
    }
}

fn storage_name(storage: Storage) -> String {
    match storage {
        Storage::Text => "text",
        Storage::Integer => "integer",
        Storage::Real => "real",
        Storage::Boolean => "boolean",
        Storage::UnixSeconds => "Unix seconds",
        Storage::UnixMillis => "Unix milliseconds",
        Storage::IsoDate => "ISO date",
        Storage::IsoDateTime => "ISO date-time",
        Storage::IsoDateTimeSpace => "ISO date-time",
        Storage::JsonArray => "JSON array",
    }
    .to_string()
}

/// A bound in Unix milliseconds (a whole second), with its date for readers.
fn millis_value(ms: i64) -> Fragment {
    let frag = Fragment::value(SqlValue::Integer(ms));
    let second = ms.div_euclid(1000);
    if (min_day()..=max_day()).contains(&second.div_euclid(SECONDS_PER_DAY)) {
        frag.note(&format!("{} UTC", format_datetime(second, ' ')))
    } else {
        frag
    }
}

fn number_value(n: Number) -> Result<SqlValue> {
    match n {
        Number::Int(i) => Ok(SqlValue::Integer(i)),
        Number::Float(f) if f.is_finite() => Ok(SqlValue::Real(f)),
        Number::Float(f) => Err(Error::NonFiniteNumber(f)),
    }
}

fn count_value(n: u64) -> Result<SqlValue> {
    i64::try_from(n)
        .map(SqlValue::Integer)
        .map_err(|_| Error::CountTooLarge(n))
}

fn element_value(e: &ArrayElement) -> Result<SqlValue> {
    match e {
        ArrayElement::Text(s) => Ok(SqlValue::Text(s.clone())),
        ArrayElement::Number(n) => number_value(*n),
    }
}

impl<'d> Compiler<'d> {
    pub(crate) fn new(dialect: &'d dyn Dialect) -> Self {
        Compiler {
            dialect,
            keys_in: false,
        }
    }

    /// A compiler writing related records as `key IN (select)` even where the dialect writes
    /// `EXISTS` (for counts that join them instead, see `counts.rs`).
    pub(crate) fn with_keys_in(dialect: &'d dyn Dialect) -> Self {
        Compiler {
            dialect,
            keys_in: true,
        }
    }

    fn ident(&self, name: &str) -> Result<String> {
        if name.is_empty() || name.contains('\0') {
            return Err(Error::InvalidIdentifier(name.to_string()));
        }
        Ok(self.dialect.quote_identifier(name))
    }

    fn qualified(&self, scope: &Scope, name: &str) -> Result<Fragment> {
        Ok(Fragment::sql(format!(
            "{}.{}",
            scope.alias(),
            self.ident(name)?
        )))
    }

    fn table(&self, scope: &Scope) -> Result<Fragment> {
        Ok(Fragment::sql(format!(
            "{} AS {}",
            self.ident(&scope.entity.name)?,
            scope.alias()
        )))
    }

    fn literal(&self, value: bool) -> Fragment {
        Fragment::sql(self.dialect.boolean_literal(value))
    }

    /// The statement for `output` over the query's records.
    pub(crate) fn statement(&self, query: &Query, output: Output) -> Result<Select> {
        let scope = Scope {
            entity: &query.entity,
            depth: 0,
        };
        let from = self.table(&scope)?;
        let count = Fragment::sql("COUNT(*)");
        let filter = || -> Result<Option<Cond>> {
            match &query.filter {
                Expr::True => Ok(None),
                filter => self.expr(filter, &scope, false).map(Some),
            }
        };
        Ok(match output {
            Output::Total => Select {
                columns: count,
                from,
                filter: None,
                group_by: None,
                having: None,
                order_by: None,
                limit: None,
            },
            Output::Count => Select {
                columns: count,
                from,
                filter: filter()?,
                group_by: None,
                having: None,
                order_by: None,
                limit: None,
            },
            Output::Keys { limit } => {
                let key = self.qualified(&scope, &query.entity.key)?;
                Select {
                    columns: key.clone(),
                    from,
                    filter: filter()?,
                    group_by: None,
                    having: None,
                    order_by: Some(key),
                    limit: Some(Fragment::value(count_value(limit).map(|_| {
                        SqlValue::Integer(limit.min(self.dialect.largest_limit()) as i64)
                    })?)),
                }
            }
        })
    }

    /// `negative`: the expression sits under an odd number of NOTs.
    fn expr(&self, expr: &Expr, scope: &Scope, negative: bool) -> Result<Cond> {
        Ok(match expr {
            Expr::True => Cond::Atom(self.literal(true)),
            Expr::False => Cond::Atom(self.literal(false)),
            Expr::And(items) => match items.as_slice() {
                [] => Cond::Atom(self.literal(true)),
                [one] => self.expr(one, scope, negative)?,
                [_, _, ..] => balanced(
                    items
                        .iter()
                        .map(|e| self.expr(e, scope, negative))
                        .collect::<Result<_>>()?,
                    Cond::And,
                ),
            },
            Expr::Or(items) => match items.as_slice() {
                [] => Cond::Atom(self.literal(false)),
                [one] => self.expr(one, scope, negative)?,
                [_, _, ..] => balanced(
                    items
                        .iter()
                        .map(|e| self.expr(e, scope, negative))
                        .collect::<Result<_>>()?,
                    Cond::Or,
                ),
            },
            Expr::Not(inner) => Cond::Not(Box::new(self.expr(inner, scope, !negative)?)),
            Expr::Column { column, predicate } => {
                self.check_entity(column, scope.entity)?;
                let col = self.qualified(scope, &column.name)?;
                let pred = self.predicate(col.clone(), column, predicate)?;
                if negative && pred.nullable {
                    Cond::Atom(Self::not_null_and(&col, pred.frag))
                } else {
                    Cond::Atom(pred.frag)
                }
            }
            Expr::RawSql(sql) => {
                let info = raw::check(sql)?;
                // A trailing `--` comment would swallow the closing parenthesis.
                let end = if info.line_comment { "\n" } else { "" };
                let frag = Fragment::sql(sql.as_str()).text(end).parens();
                if negative {
                    Cond::Atom(
                        Fragment::sql("COALESCE(")
                            .append(&frag)
                            .text(", ")
                            .append(&self.literal(false))
                            .text(")"),
                    )
                } else {
                    Cond::Atom(frag)
                }
            }
            Expr::Related(related) => self.related(related, scope, negative)?,
            Expr::Members(members) => self.members(members, scope, negative)?,
            Expr::Compare(comparison) => self.compare_columns(comparison, scope, negative)?,
        })
    }

    fn check_entity(&self, column: &ColumnRef, entity: &EntityRef) -> Result<()> {
        if column.entity == entity.name {
            Ok(())
        } else {
            Err(Error::WrongEntity {
                what: format!("column {:?}", column.name),
                expected: entity.name.clone(),
                found: column.entity.clone(),
            })
        }
    }

    fn not_null_and(col: &Fragment, frag: Fragment) -> Fragment {
        col.clone().text(" IS NOT NULL AND ").append(&frag).parens()
    }

    fn is_not_null(col: &Fragment) -> Fragment {
        col.clone().text(" IS NOT NULL")
    }

    fn storage_error(predicate: &'static str, column: &ColumnRef) -> Error {
        Error::Storage {
            predicate,
            column: column.name.clone(),
            storage: storage_name(column.storage),
        }
    }

    fn predicate(&self, col: Fragment, column: &ColumnRef, predicate: &Predicate) -> Result<Pred> {
        let d = self.dialect;
        let folded = |case_sensitive: bool| {
            if case_sensitive {
                col.clone()
            } else {
                d.fold_case(col.clone())
            }
        };
        let fold_value = |value: &str, case_sensitive: bool| {
            if case_sensitive {
                value.to_string()
            } else {
                value.to_ascii_lowercase()
            }
        };
        // "is <nothing>" style constants: never NULL.
        let constant = |value: bool, non_null_when_true: bool| {
            if value && non_null_when_true {
                Pred::total(Self::is_not_null(&col))
            } else {
                Pred::total(self.literal(value))
            }
        };
        Ok(match predicate {
            Predicate::IsNull => Pred::total(col.clone().text(" IS NULL")),
            Predicate::IsNotNull => Pred::total(Self::is_not_null(&col)),
            Predicate::IsBlank => Pred::total(
                col.clone()
                    .text(" IS NULL OR ")
                    .append(&col)
                    .text(" = ''")
                    .parens(),
            ),
            Predicate::IsNotBlank => Pred::nullable(col.clone().text(" <> ''")),
            Predicate::TextEquals {
                value,
                case_sensitive,
                negated,
            } => {
                let op = if *negated { " <> " } else { " = " };
                Pred::nullable(
                    folded(*case_sensitive)
                        .text(op)
                        .param(fold_value(value, *case_sensitive)),
                )
            }
            Predicate::TextIn {
                values,
                case_sensitive,
                negated,
            } => {
                if values.is_empty() {
                    constant(*negated, true)
                } else {
                    let op = if *negated { " NOT IN (" } else { " IN (" };
                    let values = values
                        .iter()
                        .map(|v| SqlValue::Text(fold_value(v, *case_sensitive)))
                        .collect();
                    let list = d.in_list(values);
                    Pred::nullable(folded(*case_sensitive).text(op).append(&list).text(")"))
                }
            }
            Predicate::Contains {
                value,
                case_sensitive,
                negated,
            }
            | Predicate::StartsWith {
                value,
                case_sensitive,
                negated,
            }
            | Predicate::EndsWith {
                value,
                case_sensitive,
                negated,
            } => {
                if value.is_empty() {
                    // Every text contains, starts and ends with the empty text.
                    constant(!*negated, true)
                } else {
                    let expr = folded(*case_sensitive);
                    let value = fold_value(value, *case_sensitive);
                    Pred::nullable(match predicate {
                        Predicate::StartsWith { .. } => d.starts_with(expr, &value, *negated),
                        Predicate::EndsWith { .. } => d.ends_with(expr, &value, *negated),
                        _ => d.contains(expr, &value, *negated),
                    })
                }
            }
            Predicate::Like {
                pattern,
                case_sensitive,
                negated,
            } => Pred::nullable(if *case_sensitive {
                d.like_case_sensitive(col.clone(), pattern, *negated)
            } else {
                d.like(col.clone(), pattern, *negated)
            }),
            Predicate::Regex { pattern, negated } => {
                let frag = d.regex(col.clone(), pattern, *negated)?;
                if *negated {
                    // The user function's answer for NULL is not ours to rely on.
                    Pred::total(Self::not_null_and(&col, frag))
                } else {
                    Pred::nullable(frag)
                }
            }
            Predicate::TextLength(op, n) => {
                Pred::nullable(d.char_length(col.clone()).text(op_sql(*op)).param(*n))
            }
            Predicate::TextOrder(op, value) => Pred::nullable(
                d.binary_text(col.clone())
                    .text(op_sql(*op))
                    .param(SqlValue::Text(value.clone())),
            ),
            Predicate::Number(comparison) => match self.number(col.clone(), comparison)? {
                Some(frag) => Pred::nullable(frag),
                None => match comparison {
                    NumberComparison::In { negated, .. } => constant(*negated, true),
                    NumberComparison::Compare(..) | NumberComparison::Between { .. } => {
                        constant(false, false)
                    }
                },
            },
            Predicate::Boolean(value) => match column.storage {
                Storage::Boolean | Storage::Integer => {
                    Pred::nullable(col.clone().text(" = ").param(d.boolean_value(*value)))
                }
                Storage::Text
                | Storage::Real
                | Storage::UnixSeconds
                | Storage::UnixMillis
                | Storage::IsoDate
                | Storage::IsoDateTime
                | Storage::IsoDateTimeSpace
                | Storage::JsonArray => {
                    return Err(Self::storage_error("a true/false test", column))
                }
            },
            Predicate::Time { range, negated } => {
                self.time(col.clone(), column, range, *negated)?
            }
            Predicate::DatePart { part, values } => {
                self.time_grain(column, "a date part test")?;
                if values.is_empty() {
                    constant(false, false)
                } else {
                    let expr = d.date_part(col.clone(), column.storage, *part)?;
                    let values = values.iter().map(|v| SqlValue::Integer(*v));
                    Pred::nullable(expr.text(" IN (").params(values).text(")"))
                }
            }
            Predicate::ArrayContainsAny(elements) => {
                self.array_storage(column, "\"contains any of\"")?;
                if elements.is_empty() {
                    constant(false, false)
                } else {
                    let values = elements
                        .iter()
                        .map(element_value)
                        .collect::<Result<Vec<_>>>()?;
                    Pred::nullable(d.array_contains_any(col.clone(), values)?)
                }
            }
            Predicate::ArrayContainsAll(elements) => {
                self.array_storage(column, "\"contains all of\"")?;
                let mut tests = Vec::new();
                for element in elements {
                    tests.push(d.array_contains_any(col.clone(), vec![element_value(element)?])?);
                }
                match tests.as_slice() {
                    [] => constant(true, true),
                    [one] => Pred::nullable(one.clone()),
                    [first, rest @ ..] => {
                        let mut frag = first.clone();
                        for test in rest {
                            frag = frag.text(" AND ").append(test);
                        }
                        Pred::nullable(frag.parens())
                    }
                }
            }
            Predicate::ArrayContainsNone(elements) => {
                self.array_storage(column, "\"contains none of\"")?;
                if elements.is_empty() {
                    constant(true, true)
                } else {
                    let values = elements
                        .iter()
                        .map(element_value)
                        .collect::<Result<Vec<_>>>()?;
                    let any = d.array_contains_any(col.clone(), values)?;
                    Pred::total(Self::not_null_and(&col, Fragment::sql("NOT ").append(&any)))
                }
            }
            Predicate::ArrayIsEmpty => {
                self.array_storage(column, "\"is empty\"")?;
                Pred::nullable(d.array_length(col.clone())?.text(" = 0"))
            }
            Predicate::ArrayIsNotEmpty => {
                self.array_storage(column, "\"is not empty\"")?;
                Pred::nullable(d.array_length(col.clone())?.text(" > 0"))
            }
            Predicate::ArrayItems { every, test } => {
                self.array_storage(column, "a test on list items")?;
                self.array_items(col.clone(), *every, test)?
            }
            Predicate::ArraySize(op, n) => {
                self.array_storage(column, "a list size test")?;
                Pred::nullable(d.array_length(col.clone())?.text(op_sql(*op)).param(*n))
            }
        })
    }

    /// "Some item passes" or "every item passes" (an empty list passes, a NULL one does not).
    fn array_items(&self, col: Fragment, every: bool, test: &ItemTest) -> Result<Pred> {
        let d = self.dialect;
        let passes = |item: Fragment| match test {
            ItemTest::Is(value) => item.text(" = ").param(value.as_str()),
            ItemTest::StartsWith(value) => d.starts_with(item, value, false),
            ItemTest::EndsWith(value) => d.ends_with(item, value, false),
            ItemTest::Contains(value) => d.contains(item, value, false),
        };
        Ok(Pred::total(d.array_item_test(col, every, &passes)?))
    }

    fn array_storage(&self, column: &ColumnRef, predicate: &'static str) -> Result<()> {
        match column.storage {
            Storage::JsonArray => Ok(()),
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::UnixSeconds
            | Storage::UnixMillis
            | Storage::IsoDate
            | Storage::IsoDateTime
            | Storage::IsoDateTimeSpace => Err(Self::storage_error(predicate, column)),
        }
    }

    /// `expr <comparison>`; `None` when no value can satisfy it (an empty `IN` list).
    fn number(&self, expr: Fragment, comparison: &NumberComparison) -> Result<Option<Fragment>> {
        Ok(match comparison {
            NumberComparison::Compare(op, n) => {
                Some(expr.text(op_sql(*op)).param(number_value(*n)?))
            }
            NumberComparison::Between { low, high, negated } => {
                let op = if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                };
                Some(
                    expr.text(op)
                        .param(number_value(*low)?)
                        .text(" AND ")
                        .param(number_value(*high)?),
                )
            }
            NumberComparison::In { values, negated } => {
                if values.is_empty() {
                    None
                } else {
                    let op = if *negated { " NOT IN (" } else { " IN (" };
                    let values = values
                        .iter()
                        .map(|n| number_value(*n))
                        .collect::<Result<Vec<_>>>()?;
                    Some(
                        expr.text(op)
                            .append(&self.dialect.in_list(values))
                            .text(")"),
                    )
                }
            }
        })
    }

    /// `None` for integer seconds (compared exactly with the instants themselves).
    fn time_grain(&self, column: &ColumnRef, predicate: &'static str) -> Result<Option<Grain>> {
        match column.storage {
            Storage::UnixSeconds => Ok(None),
            Storage::UnixMillis => Ok(Some(Grain::Millisecond)),
            Storage::IsoDate => Ok(Some(Grain::Day)),
            Storage::IsoDateTime | Storage::IsoDateTimeSpace => Ok(Some(Grain::Second)),
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => Err(Self::storage_error(predicate, column)),
        }
    }

    fn time_value(&self, column: &ColumnRef, at: i64) -> Result<SqlValue> {
        self.dialect
            .time_value(column.storage, at)
            .ok_or_else(|| Self::storage_error("a date/time test", column))
    }

    /// The instant in `col` lies in `range` (or, `negated`, is not NULL and does not).
    ///
    /// Integer seconds compare with the bounds as they are. ISO text compares as text with
    /// constants in the column's own format; bounds are first made inclusive-below and
    /// exclusive-above in the column's grain (`> T` is `>= T+1s`, `<= T` is `< T+1s`), which is
    /// exact and also right for values carrying a trailing `Z`. For dates (midnights) the bounds
    /// round to whole days the same exact way.
    fn time(
        &self,
        col: Fragment,
        column: &ColumnRef,
        range: &TimeRange,
        negated: bool,
    ) -> Result<Pred> {
        let grain = self.time_grain(column, "a date/time test")?;
        let mut lower: Option<(CompareOp, Fragment)> = None;
        let mut upper: Option<(CompareOp, Fragment)> = None;
        let mut impossible = false;
        match grain {
            None => {
                // Integer seconds: the bounds as they are, each with its date for readers.
                let value = |at: i64| -> Result<Fragment> {
                    let frag = Fragment::value(self.time_value(column, at)?);
                    let day = at.div_euclid(SECONDS_PER_DAY);
                    Ok(if (min_day()..=max_day()).contains(&day) {
                        frag.note(&format!("{} UTC", format_datetime(at, ' ')))
                    } else {
                        frag
                    })
                };
                if let Some(b) = range.start {
                    lower = Some((
                        if b.inclusive {
                            CompareOp::Ge
                        } else {
                            CompareOp::Gt
                        },
                        value(b.at)?,
                    ));
                }
                if let Some(b) = range.end {
                    upper = Some((
                        if b.inclusive {
                            CompareOp::Le
                        } else {
                            CompareOp::Lt
                        },
                        value(b.at)?,
                    ));
                }
            }
            Some(grain) => {
                let value = |u: i64| -> Result<Fragment> {
                    Ok(match grain {
                        Grain::Second => Fragment::value(self.time_value(column, u)?),
                        Grain::Day => {
                            Fragment::value(self.time_value(column, u * SECONDS_PER_DAY)?)
                        }
                        Grain::Millisecond => millis_value(u),
                    })
                };
                if let Some(b) = range.start {
                    match lower_edge(b, grain) {
                        Edge::Open => {}
                        Edge::Closed => impossible = true,
                        Edge::At(u) => lower = Some((CompareOp::Ge, value(u)?)),
                    }
                }
                if let Some(b) = range.end {
                    match upper_edge(b, grain) {
                        Edge::Open => {}
                        Edge::Closed => impossible = true,
                        Edge::At(u) => upper = Some((CompareOp::Lt, value(u)?)),
                    }
                }
            }
        }
        if impossible {
            // Nothing is in the range: every non-NULL value is outside it.
            return Ok(if negated {
                Pred::total(Self::is_not_null(&col))
            } else {
                Pred::total(self.literal(false))
            });
        }
        if let (Some((CompareOp::Ge, low)), Some((CompareOp::Le, high))) = (&lower, &upper) {
            let op = if negated {
                " NOT BETWEEN "
            } else {
                " BETWEEN "
            };
            return Ok(Pred::nullable(
                col.clone().text(op).append(low).text(" AND ").append(high),
            ));
        }
        // Text columns compare as text; the dialect may need them in byte order.
        let operand = match grain {
            None => col.clone(),
            Some(Grain::Second | Grain::Day) => self.dialect.time_text_operand(col.clone()),
            Some(Grain::Millisecond) => col.clone(),
        };
        let test = |bound: Option<(CompareOp, Fragment)>| {
            bound.map(|(op, value)| {
                let op = if negated { complement(op) } else { op };
                operand.clone().text(op_sql(op)).append(&value)
            })
        };
        Ok(match (test(lower), test(upper)) {
            (None, None) => {
                if negated {
                    Pred::total(self.literal(false))
                } else {
                    Pred::total(Self::is_not_null(&col))
                }
            }
            (Some(one), None) | (None, Some(one)) => Pred::nullable(one),
            (Some(a), Some(b)) => {
                let joiner = if negated { " OR " } else { " AND " };
                Pred::nullable(a.text(joiner).append(&b).parens())
            }
        })
    }

    /// Records with related records satisfying the constraint, as an uncorrelated
    /// `key IN (SELECT fk FROM related WHERE … GROUP BY fk HAVING …)` (or `NOT IN`), the shape
    /// SQLite runs fastest.
    /// `SELECT fk AS k, <columns> FROM … WHERE filter GROUP BY fk`: aggregates per key, to be
    /// named in a derived table.
    fn per_key(
        &self,
        inner: &Scope,
        fk: &Fragment,
        columns: Fragment,
        filter: &[Cond],
    ) -> Result<Select> {
        let filter = match filter {
            [] => None,
            [one] => Some(one.clone()),
            _ => Some(Cond::And(filter.to_vec())),
        };
        let mut select = select_from(
            fk.clone().text(" AS k, ").append(&columns),
            self.table(inner)?,
            filter,
        );
        select.group_by = Some(fk.clone());
        Ok(select)
    }

    fn related(&self, related: &Related, scope: &Scope, negative: bool) -> Result<Cond> {
        if related.from_entity.name != scope.entity.name {
            return Err(Error::WrongEntity {
                what: format!("relationship {:?}", related.relationship),
                expected: scope.entity.name.clone(),
                found: related.from_entity.name.clone(),
            });
        }
        let inner = Scope {
            entity: &related.to_entity,
            depth: scope.depth + 1,
        };
        let fk = self.qualified(&inner, &related.to_column)?;
        let mut filter = self.related_filter(related, &inner)?;
        let count = |op: &str, n: u64| -> Result<Fragment> {
            Ok(Fragment::sql(format!("COUNT(*){op}")).param(count_value(n)?))
        };
        let shape = match &related.constraint {
            RelatedConstraint::Count { min, max } => match (*min, *max) {
                (0, None) => Shape::Constant(true),
                (min, Some(max)) if min > max => Shape::Constant(false),
                (0, Some(0)) => Shape::NotIn { having: None },
                (0, Some(max)) => Shape::NotIn {
                    having: Some(count(" > ", max)?),
                },
                (1, None) => Shape::In { having: None },
                (min, None) => Shape::In {
                    having: Some(count(" >= ", min)?),
                },
                (min, Some(max)) if min == max => Shape::In {
                    having: Some(count(" = ", min)?),
                },
                (min, Some(max)) => Shape::In {
                    having: Some(
                        Fragment::sql("COUNT(*) BETWEEN ")
                            .param(count_value(min)?)
                            .text(" AND ")
                            .param(count_value(max)?),
                    ),
                },
            },
            RelatedConstraint::CountNot(0) => Shape::In { having: None },
            RelatedConstraint::CountNot(n) => Shape::NotIn {
                having: Some(count(" = ", *n)?),
            },
            RelatedConstraint::Aggregate {
                function,
                column,
                comparison,
            } => {
                self.check_entity(column, &related.to_entity)?;
                let col = self.qualified(&inner, &column.name)?;
                // Groups of only NULLs would aggregate to NULL (COUNT DISTINCT to 0): the IR
                // says such records do not match, so those rows are left out up front.
                filter.push(Cond::Atom(Self::is_not_null(&col)));
                let integers = matches!(column.storage, Storage::Integer | Storage::Boolean);
                // Sums and averages are of decimal amounts, exact on every engine: a sum of
                // integers in HAVING, the others over a derived table of per-key sums.
                let grouped = match function {
                    AggregateFunction::Sum => !integers,
                    AggregateFunction::Avg => true,
                    _ => false,
                };
                // The derived tables: per-key sums, and for an average, over them, averages.
                let sums_alias = format!("s{}", inner.depth);
                let averages = (*function == AggregateFunction::Avg).then(|| {
                    let alias = format!("a{}", inner.depth);
                    let columns =
                        decimal::average_columns(self.dialect, &sums_alias, column.storage);
                    (alias, columns)
                });
                let test = match function {
                    _ if grouped => decimal::group_test(
                        self.dialect,
                        *function,
                        averages.as_ref().map_or(&sums_alias, |a| &a.0),
                        column.storage,
                        comparison,
                    )?,
                    AggregateFunction::Min => {
                        self.number(Fragment::sql("MIN(").append(&col).text(")"), comparison)?
                    }
                    AggregateFunction::Max => {
                        self.number(Fragment::sql("MAX(").append(&col).text(")"), comparison)?
                    }
                    AggregateFunction::CountDistinct => self.number(
                        Fragment::sql("COUNT(DISTINCT ").append(&col).text(")"),
                        comparison,
                    )?,
                    AggregateFunction::Sum | AggregateFunction::Avg => {
                        decimal::integer_sum_having(self.dialect, &col, comparison)?
                    }
                };
                match test {
                    Some(test) if grouped => {
                        let sums =
                            decimal::group_columns(self.dialect, *function, &col, column.storage);
                        let grouped = self.per_key(&inner, &fk, sums, &filter)?;
                        let mut from = derived(grouped, &sums_alias);
                        let mut alias = sums_alias;
                        if let Some((averages_alias, columns)) = averages {
                            let columns =
                                Fragment::sql(format!("{alias}.k AS k, ")).append(&columns);
                            from = derived(select_from(columns, from, None), &averages_alias);
                            alias = averages_alias;
                        }
                        let keys = Fragment::sql(format!("{alias}.k"));
                        let select = select_from(keys, from, Some(Cond::Atom(test)));
                        Shape::InSelect(Box::new(select))
                    }
                    Some(having) => Shape::In {
                        having: Some(having),
                    },
                    None => match comparison {
                        NumberComparison::In { negated: true, .. } => Shape::In { having: None },
                        NumberComparison::In { negated: false, .. }
                        | NumberComparison::Compare(..)
                        | NumberComparison::Between { .. } => Shape::Constant(false),
                    },
                }
            }
            RelatedConstraint::TimeOf { .. }
            | RelatedConstraint::RecordOf { .. }
            | RelatedConstraint::DistinctPeriods { .. } => {
                self.ordered(related, &inner, &mut filter)?
            }
            RelatedConstraint::Sequence {
                column,
                steps,
                within,
            } => self.sequence(related, &inner, &mut filter, column, steps, *within)?,
        };
        let subquery = |having: Option<Fragment>| -> Result<Select> {
            let filter = match filter.len() {
                0 => None,
                1 => filter.first().cloned(),
                _ => Some(Cond::And(filter.clone())),
            };
            Ok(Select {
                columns: fk.clone(),
                from: self.table(&inner)?,
                filter,
                group_by: having.as_ref().map(|_| fk.clone()),
                having,
                order_by: None,
                limit: None,
            })
        };
        let lhs = self.qualified(scope, &related.from_column)?;
        let lhs_is_key = related.from_column == scope.entity.key;
        let exists = self.dialect.related_as_exists() && !self.keys_in;
        Ok(Cond::Atom(match shape {
            Shape::Constant(value) => self.literal(value),
            Shape::In { having } => {
                key_in(&lhs, subquery(having)?, negative && !lhs_is_key, exists)
            }
            Shape::InSelect(select) => key_in(&lhs, *select, negative && !lhs_is_key, exists),
            Shape::NotIn { having } => {
                // A record whose join column is NULL has no related records: it matches.
                let test = if exists {
                    Fragment::sql("NOT ").append(&exists_keyed(&lhs, subquery(having)?))
                } else {
                    Fragment::new().key_in(&lhs, true, subquery(having)?)
                };
                if lhs_is_key {
                    test
                } else {
                    lhs.clone().text(" IS NULL OR ").append(&test).parens()
                }
            }
        }))
    }
}

impl Compiler<'_> {
    /// The conditions on the related records of `scope` (the related entity): a join value,
    /// inside the window, passing the filter.
    fn related_filter(&self, related: &Related, scope: &Scope) -> Result<Vec<Cond>> {
        let fk = self.qualified(scope, &related.to_column)?;
        let mut filter = Vec::new();
        if related.to_column != related.to_entity.key {
            filter.push(Cond::Atom(Self::is_not_null(&fk)));
        }
        if let Some((column, range)) = &related.window {
            self.check_entity(column, &related.to_entity)?;
            let col = self.qualified(scope, &column.name)?;
            filter.push(Cond::Atom(self.time(col, column, range, false)?.frag));
        }
        match &related.filter {
            Expr::True => {}
            Expr::And(items) if items.len() > 1 => {
                for item in items {
                    filter.push(self.expr(item, scope, false)?);
                }
            }
            other => filter.push(self.expr(other, scope, false)?),
        }
        Ok(filter)
    }
}

/// `SELECT columns FROM from [WHERE filter]`.
fn select_from(columns: Fragment, from: Fragment, filter: Option<Cond>) -> Select {
    Select {
        columns,
        from,
        filter,
        group_by: None,
        having: None,
        order_by: None,
        limit: None,
    }
}

/// `(select) AS alias`: a derived table.
fn derived(select: Select, alias: &str) -> Fragment {
    Fragment::new()
        .subquery(select)
        .text(format!(" AS {alias}"))
}

/// `lhs IN (select)` (`exists`: as `EXISTS`); `guarded` under NOT, where a NULL `lhs` must not
/// make it NULL.
fn key_in(lhs: &Fragment, select: Select, guarded: bool, exists: bool) -> Fragment {
    let test = if exists {
        exists_keyed(lhs, select)
    } else {
        Fragment::new().key_in(lhs, false, select)
    };
    if guarded {
        Compiler::not_null_and(lhs, test)
    } else {
        test
    }
}

/// `EXISTS (select)` with `key = lhs` added to its WHERE (`key` the select's one column): true
/// exactly where `lhs IN (select)` is, for a non-NULL `lhs` and a select yielding no NULL.
fn exists_keyed(lhs: &Fragment, mut select: Select) -> Fragment {
    let link = Cond::Atom(select.columns.clone().text(" = ").append(lhs));
    select.filter = Some(match select.filter.take() {
        None => link,
        Some(Cond::And(mut items)) => {
            items.push(link);
            Cond::And(items)
        }
        Some(other) => Cond::And(vec![other, link]),
    });
    Fragment::sql("EXISTS ").subquery(select)
}

/// The comparison true exactly where `op` is false (for non-NULL operands).
fn complement(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    }
}

/// The most operands one AND or OR chain gets in the SQL text.
const WIDEST_CHAIN: usize = 64;

/// `items` joined by `chain` (AND or OR), nested in parenthesised chains of at most
/// [`WIDEST_CHAIN`] operands: engines parse a chain as a left-deep tree, and SQLite refuses one
/// deeper than 1,000 ("Expression tree is too large"); nesting keeps the depth logarithmic.
/// Narrower chains are written as they are.
fn balanced(mut items: Vec<Cond>, chain: fn(Vec<Cond>) -> Cond) -> Cond {
    while items.len() > WIDEST_CHAIN {
        let mut nested = Vec::with_capacity(items.len().div_ceil(WIDEST_CHAIN));
        let mut rest = items.into_iter().peekable();
        while rest.peek().is_some() {
            let mut part: Vec<Cond> = rest.by_ref().take(WIDEST_CHAIN).collect();
            let single = if part.len() == 1 { part.pop() } else { None };
            nested.push(single.unwrap_or_else(|| chain(part)));
        }
        items = nested;
    }
    chain(items)
}
