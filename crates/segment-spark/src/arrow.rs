//! Arrow IPC batches of an answer as rows of JSON values.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, TimestampMicrosecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, TimeUnit};
use serde_json::Value;

use crate::error::{Error, Result};

/// Reads one value of an Arrow column.
pub(crate) type Read<T> = fn(&dyn Array, usize) -> Result<T>;

/// Appends the rows of one IPC stream (Spark sends a schema and its batches per message).
pub(crate) fn decode(
    data: &[u8],
    columns: &mut Vec<String>,
    rows: &mut Vec<Vec<Value>>,
) -> Result<()> {
    decode_with(data, columns, rows, value)
}

/// The same, each value read by `read`.
pub(crate) fn decode_with<T>(
    data: &[u8],
    columns: &mut Vec<String>,
    rows: &mut Vec<Vec<T>>,
    read: Read<T>,
) -> Result<()> {
    let reader = StreamReader::try_new(std::io::Cursor::new(data), None)
        .map_err(|e| Error::Answer(e.to_string()))?;
    if columns.is_empty() {
        *columns = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
    }
    for batch in reader {
        let batch = batch.map_err(|e| Error::Answer(e.to_string()))?;
        append(&batch, rows, read)?;
    }
    Ok(())
}

fn append<T>(batch: &RecordBatch, rows: &mut Vec<Vec<T>>, read: Read<T>) -> Result<()> {
    let start = rows.len();
    rows.extend((0..batch.num_rows()).map(|_| Vec::with_capacity(batch.num_columns())));
    for column in batch.columns() {
        for (i, row) in rows[start..].iter_mut().enumerate() {
            row.push(read(column.as_ref(), i)?);
        }
    }
    Ok(())
}

/// One cell as a dialect-neutral [`segment_sql::SqlCell`]: integers, floats, booleans and text
/// as they are, decimals as their exact text, dates as days and timestamps as microseconds
/// since 1970 (UTC).
#[cfg(feature = "source")]
pub(crate) fn sql_cell(array: &dyn Array, i: usize) -> Result<segment_sql::SqlCell> {
    use arrow_array::types::{
        TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    };
    use segment_sql::SqlCell as C;
    if array.is_null(i) {
        return Ok(C::Null);
    }
    Ok(match array.data_type() {
        DataType::Null => C::Null,
        DataType::Boolean => C::Boolean(array.as_boolean().value(i)),
        DataType::Int8 => C::Integer(i64::from(array.as_primitive::<Int8Type>().value(i))),
        DataType::Int16 => C::Integer(i64::from(array.as_primitive::<Int16Type>().value(i))),
        DataType::Int32 => C::Integer(i64::from(array.as_primitive::<Int32Type>().value(i))),
        DataType::Int64 => C::Integer(array.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => C::Real(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => C::Real(array.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal128(_, scale) => {
            let raw = array.as_primitive::<Decimal128Type>().value(i);
            match i64::try_from(raw) {
                Ok(whole) if *scale == 0 => C::Integer(whole),
                _ => C::Decimal(decimal_text(raw, *scale)),
            }
        }
        DataType::Utf8 => C::Text(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => C::Text(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => C::Text(array.as_string_view().value(i).to_string()),
        DataType::Date32 => C::Date(i64::from(array.as_primitive::<Date32Type>().value(i))),
        DataType::Timestamp(unit, _) => C::Timestamp(match unit {
            TimeUnit::Second => array
                .as_primitive::<TimestampSecondType>()
                .value(i)
                .saturating_mul(1_000_000),
            TimeUnit::Millisecond => array
                .as_primitive::<TimestampMillisecondType>()
                .value(i)
                .saturating_mul(1_000),
            TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
            TimeUnit::Nanosecond => array
                .as_primitive::<TimestampNanosecondType>()
                .value(i)
                .div_euclid(1_000),
        }),
        other => {
            return Err(Error::Answer(format!(
                "a column of type {other} is not read"
            )))
        }
    })
}

/// An unscaled decimal and its scale as exact text (`-1234` scale 2: `-12.34`).
#[cfg(feature = "source")]
fn decimal_text(raw: i128, scale: i8) -> String {
    let sign = if raw < 0 { "-" } else { "" };
    let digits = raw.unsigned_abs().to_string();
    match usize::try_from(scale) {
        Ok(0) => format!("{sign}{digits}"),
        Ok(scale) => {
            let digits = format!("{digits:0>width$}", width = scale + 1);
            let (whole, fraction) = digits.split_at(digits.len() - scale);
            format!("{sign}{whole}.{fraction}")
        }
        // A negative scale: the unscaled value times 10^-scale.
        Err(_) => format!(
            "{sign}{digits}{}",
            "0".repeat(usize::from(scale.unsigned_abs()))
        ),
    }
}

/// One cell: integers and text exactly, reals as numbers, dates and times as ISO text.
fn value(array: &dyn Array, i: usize) -> Result<Value> {
    if array.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(array.as_boolean().value(i)),
        DataType::Int8 => Value::from(array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => Value::from(array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => number(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => number(array.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal128(_, scale) => {
            let raw = array.as_primitive::<Decimal128Type>().value(i);
            if *scale == 0 {
                i64::try_from(raw)
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(raw.to_string()))
            } else {
                number(raw as f64 / 10f64.powi(i32::from(*scale)))
            }
        }
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(i).to_string()),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(i);
            Value::String(iso_date(i64::from(days)))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(i);
            Value::String(iso_datetime(micros.div_euclid(1_000_000)))
        }
        other => {
            return Err(Error::Answer(format!(
                "a column of type {other} is not read"
            )))
        }
    })
}

fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian, Howard Hinnant's algorithm).
fn iso_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn iso_datetime(seconds: i64) -> String {
    let day = seconds.div_euclid(86_400);
    let s = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(day),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use arrow_ipc::writer::StreamWriter;
    use std::sync::Arc;

    #[test]
    fn an_ipc_stream_becomes_rows() {
        let batch = RecordBatch::try_from_iter([
            (
                "n",
                Arc::new(Int64Array::from(vec![Some(7), None])) as Arc<dyn Array>,
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a'b"), Some("")])) as Arc<dyn Array>,
            ),
        ])
        .unwrap();
        let mut data = Vec::new();
        let mut writer = StreamWriter::try_new(&mut data, &batch.schema()).unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
        drop(writer);
        let (mut columns, mut rows) = (Vec::new(), Vec::new());
        decode(&data, &mut columns, &mut rows).unwrap();
        assert_eq!(columns, ["n", "s"]);
        assert_eq!(
            rows,
            vec![
                vec![Value::from(7), Value::from("a'b")],
                vec![Value::Null, Value::from("")]
            ]
        );
    }

    #[cfg(feature = "source")]
    #[test]
    fn decimals_are_exact_text() {
        assert_eq!(decimal_text(-1234, 2), "-12.34");
        assert_eq!(decimal_text(5, 3), "0.005");
        assert_eq!(decimal_text(-5, 1), "-0.5");
        assert_eq!(decimal_text(12, 0), "12");
        assert_eq!(decimal_text(12, -2), "1200");
    }

    #[test]
    fn dates_are_iso_text() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(19_723), "2024-01-01");
        assert_eq!(iso_datetime(1_709_251_199), "2024-02-29T23:59:59Z");
    }
}
