//! Result values as dialect-neutral cells ([`SqlCell`]), read from PostgreSQL's binary format:
//! integers and floats as they are, `numeric` as its exact decimal text, `boolean`, `date` and
//! `timestamp`/`timestamptz` (days and microseconds since 1970), text of every text type, NULL.

use std::sync::atomic::AtomicBool;

use segment_sql::{SqlCell, Statement};
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::Row;

use crate::{Error, PostgresSource, Result};

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

impl PostgresSource {
    /// Every row of a generated read-only statement (the audience tools' grouped SELECTs),
    /// values bound, as cells; cancelled when `cancel` is raised.
    pub fn select_cells(
        &self,
        statement: &Statement,
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<SqlCell>>> {
        let rows = self.rows(&statement.sql, &statement.params, Some(cancel))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        cell(row, i).map_err(|what| Error::Query {
                            server: self.target.server.clone(),
                            message: format!("the server returned {what}"),
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// A column's bytes in the binary format, whatever its type (decoded below by type).
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// One value of a row; `Err` says what could not be read.
fn cell(row: &Row, i: usize) -> std::result::Result<SqlCell, String> {
    let ty = row.columns()[i].type_().clone();
    let raw = match row.try_get::<_, Option<Raw>>(i) {
        Ok(Some(raw)) => raw.0,
        Ok(None) => return Ok(SqlCell::Null),
        Err(e) => return Err(format!("a value of type {ty} it could not send ({e})")),
    };
    let bad = || format!("a malformed value of type {ty}");
    let fixed = |n: usize| -> std::result::Result<&[u8], String> {
        (raw.len() == n).then_some(raw).ok_or_else(bad)
    };
    Ok(match ty {
        Type::BOOL => SqlCell::Boolean(fixed(1)?[0] != 0),
        Type::INT2 => SqlCell::Integer(i64::from(i16::from_be_bytes(
            fixed(2)?.try_into().map_err(|_| bad())?,
        ))),
        Type::INT4 => SqlCell::Integer(i64::from(i32::from_be_bytes(
            fixed(4)?.try_into().map_err(|_| bad())?,
        ))),
        Type::INT8 => {
            SqlCell::Integer(i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?))
        }
        Type::FLOAT4 => SqlCell::Real(f64::from(f32::from_be_bytes(
            fixed(4)?.try_into().map_err(|_| bad())?,
        ))),
        Type::FLOAT8 => SqlCell::Real(f64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?)),
        Type::NUMERIC => numeric(raw).ok_or_else(bad)?,
        Type::DATE => {
            let days = i32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad())?);
            match days {
                // ±infinity: no day to place it on.
                i32::MAX | i32::MIN => SqlCell::Null,
                d => SqlCell::Date(i64::from(d) + EPOCH_DAYS),
            }
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?);
            match micros {
                i64::MAX | i64::MIN => SqlCell::Null,
                m => SqlCell::Timestamp(m.saturating_add(EPOCH_DAYS * MICROS_PER_DAY)),
            }
        }
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => SqlCell::Text(
            std::str::from_utf8(raw)
                .map_err(|_| format!("text that is not UTF-8 ({ty})"))?
                .to_string(),
        ),
        other => return Err(format!("a column of type {other}, which is not read")),
    })
}

/// A `numeric` in the binary format (digit count, weight, sign, display scale, then base-10000
/// digits) as its exact decimal text with `dscale` decimals; NaN and infinities as reals.
fn numeric(raw: &[u8]) -> Option<SqlCell> {
    let word = |i: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*raw.get(2 * i)?, *raw.get(2 * i + 1)?]))
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Some(SqlCell::Real(f64::NAN)),
        0xD000 => return Some(SqlCell::Real(f64::INFINITY)),
        0xF000 => return Some(SqlCell::Real(f64::NEG_INFINITY)),
        _ => return None,
    }
    if raw.len() != 8 + 2 * ndigits {
        return None;
    }
    let digits: Vec<u16> = (0..ndigits).map(|i| word(4 + i)).collect::<Option<_>>()?;
    if digits.iter().any(|d| *d >= 10_000) {
        return None;
    }
    let digit = |i: i64| -> u16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == 0x4000 && digits.iter().any(|d| *d != 0) {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for i in 0..=weight {
            if i == 0 {
                text.push_str(&digit(i).to_string());
            } else {
                text.push_str(&format!("{:04}", digit(i)));
            }
        }
    }
    if dscale > 0 {
        let mut fraction = String::new();
        let mut i = weight + 1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", digit(i)));
            i += 1;
        }
        fraction.truncate(dscale);
        text.push('.');
        text.push_str(&fraction);
    }
    Some(SqlCell::Decimal(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, dscale]
            .into_iter()
            .chain(digits.iter().copied())
        {
            out.extend(w.to_be_bytes());
        }
        out
    }

    fn text(weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> String {
        match numeric(&encoded(weight, sign, dscale, digits)) {
            Some(SqlCell::Decimal(t)) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numerics_read_as_exact_decimal_text() {
        assert_eq!(text(0, 0, 2, &[12, 5000]), "12.50");
        assert_eq!(text(-1, 0, 4, &[1]), "0.0001");
        assert_eq!(text(-2, 0x4000, 6, &[1200]), "-0.000012");
        assert_eq!(text(1, 0, 0, &[10]), "100000");
        assert_eq!(text(1, 0x4000, 3, &[1, 2345, 6000]), "-12345.600");
        assert_eq!(text(0, 0, 0, &[]), "0");
        assert_eq!(
            text(0, 0, 16, &[3, 3333, 3333, 3333, 3333]),
            "3.3333333333333333"
        );
        assert!(
            matches!(numeric(&encoded(0, 0xC000, 0, &[])), Some(SqlCell::Real(f)) if f.is_nan())
        );
        assert!(numeric(&[0, 1]).is_none());
        assert!(numeric(&encoded(0, 0, 0, &[10_000])).is_none());
    }
}
