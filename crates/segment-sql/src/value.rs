//! Values bound to statement parameters.

/// A value bound to a `?`/`$n` parameter of a [`crate::Statement`]. The crate does not depend
/// on any driver; data sources convert these to their own parameter type.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Integer(v)
    }
}

impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        SqlValue::Real(v)
    }
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_string())
    }
}

impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}

/// One value of a result row as a data source returned it, whatever its driver: what the
/// audience tools' grouped statements read back (`Backend::select_rows`). Exact where the
/// engine is: integers as integers, decimals (PostgreSQL `numeric`, Spark `DECIMAL`) as their
/// decimal text, dates and instants as days and microseconds since 1970-01-01 UTC.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlCell {
    Null,
    Integer(i64),
    Real(f64),
    /// A decimal number written out exactly (`-12.50`), as the server sent it.
    Decimal(String),
    Text(String),
    Boolean(bool),
    /// Days since 1970-01-01.
    Date(i64),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
}

impl SqlCell {
    /// The value as a number: integers, reals, decimals and booleans (0/1); `None` otherwise.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SqlCell::Integer(i) => Some(*i as f64),
            SqlCell::Real(f) => Some(*f),
            SqlCell::Decimal(d) => d.parse().ok(),
            SqlCell::Boolean(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }

    /// The value as a whole number, when it is one exactly.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlCell::Integer(i) => Some(*i),
            SqlCell::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            SqlCell::Decimal(d) => {
                let whole = d.split_once('.').map_or(d.as_str(), |(w, f)| {
                    if f.bytes().all(|b| b == b'0') {
                        w
                    } else {
                        ""
                    }
                });
                whole.parse().ok()
            }
            _ => None,
        }
    }

    /// Whole seconds since 1970 of a date or an instant (fractions floored away).
    pub fn unix_seconds(&self) -> Option<i64> {
        match self {
            SqlCell::Date(days) => days.checked_mul(86_400),
            SqlCell::Timestamp(micros) => Some(micros.div_euclid(1_000_000)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlCell;

    #[test]
    fn cells_read_as_numbers_exactly() {
        assert_eq!(SqlCell::Decimal("-12.50".into()).as_f64(), Some(-12.5));
        assert_eq!(SqlCell::Decimal("42.000".into()).as_i64(), Some(42));
        assert_eq!(SqlCell::Decimal("42.001".into()).as_i64(), None);
        assert_eq!(SqlCell::Real(3.0).as_i64(), Some(3));
        assert_eq!(SqlCell::Text("3".into()).as_i64(), None);
        assert_eq!(SqlCell::Timestamp(-1).unix_seconds(), Some(-1));
        assert_eq!(SqlCell::Date(1).unix_seconds(), Some(86_400));
    }
}
