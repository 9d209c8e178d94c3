//! Streaming readers: CSV (via the `csv` crate) and NDJSON, yielding one record at a time with
//! its line number and how many bytes have been read. Nothing is loaded whole.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

const BUFFER: usize = 1 << 20;

/// The file formats that import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Format {
    Csv,
    Ndjson,
}

/// How a CSV file is read; `None` means detected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CsvOptions {
    /// One ASCII character: `,`, `;`, `\t`, `|`…
    #[ts(optional)]
    pub delimiter: Option<char>,
    /// The quote character (default `"`; doubled inside quoted fields).
    #[ts(optional)]
    pub quote: Option<char>,
    /// Whether the first row names the columns.
    #[ts(optional)]
    pub has_header: Option<bool>,
}

/// The settings a file is read with, once detected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dialect {
    pub format: Format,
    pub delimiter: char,
    pub quote: char,
    pub has_header: bool,
    /// Whether the file starts with a UTF-8 byte order mark (skipped).
    pub bom: bool,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

pub(crate) fn read_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Opens the file positioned after a UTF-8 BOM; refuses UTF-16/32.
fn open_skipping_bom(path: &Path) -> Result<(File, bool)> {
    let mut file = File::open(path).map_err(read_err(path))?;
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        let got = file.read(&mut head[n..]).map_err(read_err(path))?;
        if got == 0 {
            break;
        }
        n += got;
    }
    let head = &head[..n];
    let encoding = if head.starts_with(&[0xFF, 0xFE, 0, 0]) || head.starts_with(&[0, 0, 0xFE, 0xFF])
    {
        Some("UTF-32")
    } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        Some("UTF-16")
    } else {
        None
    };
    if let Some(encoding) = encoding {
        return Err(Error::UnsupportedEncoding {
            path: path.to_path_buf(),
            encoding,
        });
    }
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    file.seek(SeekFrom::Start(if bom { 3 } else { 0 }))
        .map_err(read_err(path))?;
    Ok((file, bom))
}

/// Detects the format (from the extension, else the content), the delimiter (the candidate
/// found the same non-zero number of times on the first lines), the BOM and the header.
pub fn detect(path: &Path, format: Option<Format>, options: &CsvOptions) -> Result<Dialect> {
    let total_bytes = std::fs::metadata(path).map_err(read_err(path))?.len();
    let (file, bom) = open_skipping_bom(path)?;
    let mut head = Vec::with_capacity(64 << 10);
    file.take(64 << 10)
        .read_to_end(&mut head)
        .map_err(read_err(path))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = format.unwrap_or_else(|| match ext.as_deref() {
        Some("ndjson" | "jsonl" | "json") => Format::Ndjson,
        Some("csv" | "tsv" | "txt" | "tab") => Format::Csv,
        _ if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Format::Ndjson,
        _ => Format::Csv,
    });
    let quote = ascii(options.quote.unwrap_or('"'), "quote")?;
    let delimiter = match options.delimiter {
        Some(d) => ascii(d, "delimiter")?,
        None if ext.as_deref() == Some("tsv") || ext.as_deref() == Some("tab") => b'\t',
        None => sniff_delimiter(&head, quote),
    };
    let has_header = match (format, options.has_header) {
        (Format::Ndjson, _) => true,
        (_, Some(h)) => h,
        (_, None) => sniff_header(&head, delimiter, quote),
    };
    Ok(Dialect {
        format,
        delimiter: char::from(delimiter),
        quote: char::from(quote),
        has_header,
        bom,
        total_bytes,
    })
}

fn ascii(c: char, what: &str) -> Result<u8> {
    u8::try_from(c)
        .ok()
        .filter(u8::is_ascii)
        .ok_or_else(|| Error::Invalid(format!("the {what} must be one ASCII character, not {c:?}")))
}

/// Counts of each candidate outside quotes on the first complete lines.
fn sniff_delimiter(head: &[u8], quote: u8) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut per_line: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in head {
        if b == quote {
            in_quotes = !in_quotes;
        } else if !in_quotes && b == b'\n' {
            per_line.push(counts);
            counts = [0; 4];
            if per_line.len() >= 20 {
                break;
            }
        } else if !in_quotes {
            if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                counts[i] += 1;
            }
        }
    }
    if per_line.is_empty() {
        per_line.push(counts);
    }
    let mut best = (0usize, b',');
    for (i, c) in CANDIDATES.iter().enumerate() {
        let first = per_line[0][i];
        if first > 0 && per_line.iter().all(|l| l[i] == first) && first > best.0 {
            best = (first, *c);
        }
    }
    if best.0 == 0 {
        // Not consistent: the most frequent one on the first line.
        let first = per_line[0];
        if let Some((i, n)) = first.iter().enumerate().max_by_key(|(_, n)| **n) {
            if *n > 0 {
                return CANDIDATES[i];
            }
        }
    }
    best.1
}

/// A first row is a header unless one of its fields is a number or a date (or all are empty).
fn sniff_header(head: &[u8], delimiter: u8, quote: u8) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .quote(quote)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {
            record.iter().any(|f| !f.trim().is_empty())
                && record.iter().all(|f| {
                    let v = f.trim();
                    crate::infer::parse_real(v).is_none() && crate::infer::parse_iso(v).is_none()
                })
        }
        _ => true,
    }
}

/// One record: its fields in column order (`None`: absent).
pub(crate) trait Fields {
    fn field(&self, i: usize) -> Option<&str>;
    fn len(&self) -> usize;
}

impl Fields for csv::StringRecord {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
    fn len(&self) -> usize {
        csv::StringRecord::len(self)
    }
}

impl Fields for Vec<Option<String>> {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|f| f.as_deref())
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// Reads every record of a file, calling `each(line, fields, bytes_read)`. For NDJSON the
/// columns are `columns` (keys not in it are added at the end when `discover` is set, else an
/// error: they cannot appear in the second pass).
pub(crate) struct Records<'a> {
    pub path: &'a Path,
    pub dialect: &'a Dialect,
}

impl Records<'_> {
    /// Sets `header` as soon as it is read (CSV with a header).
    pub fn csv<F>(&self, header: &mut Option<Vec<String>>, mut each: F) -> Result<()>
    where
        F: FnMut(u64, &csv::StringRecord, u64) -> Result<()>,
    {
        let (file, _) = open_skipping_bom(self.path)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.dialect.delimiter as u8)
            .quote(self.dialect.quote as u8)
            .double_quote(true)
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(file);
        let mut record = csv::StringRecord::new();
        let mut width: Option<usize> = None;
        let offset = u64::from(self.dialect.bom) * 3;
        let (mut last_start, mut last_line) = (offset, 0u64);
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(self.csv_error(e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let bytes = reader.position().byte() + offset;
            if record.len() == 1 && record.get(0) == Some("") {
                continue; // a blank line
            }
            match width {
                None => {
                    width = Some(record.len());
                    if self.dialect.has_header {
                        *header = Some(record.iter().map(str::to_string).collect());
                        continue;
                    }
                }
                Some(w) if record.len() != w => {
                    let mut next = csv::StringRecord::new();
                    let ended = matches!(reader.read_record(&mut next), Ok(false));
                    let hint = if ended && record.len() < w {
                        " (the file may be truncated)"
                    } else {
                        ""
                    };
                    return Err(Error::Malformed {
                        path: self.path.to_path_buf(),
                        line,
                        message: format!(
                            "{} fields where the first row has {w}{hint}",
                            record.len()
                        ),
                    });
                }
                Some(_) => {}
            }
            last_start = record.position().map_or(0, |p| p.byte()) + offset;
            last_line = line;
            each(line, &record, bytes)?;
        }
        if width.is_none() {
            return Err(Error::Empty {
                path: self.path.to_path_buf(),
            });
        }
        if self.quote_left_open(last_start)? {
            return Err(Error::Malformed {
                path: self.path.to_path_buf(),
                line: last_line,
                message: "a quoted field is never closed (the file may be truncated)".into(),
            });
        }
        Ok(())
    }

    /// Whether the last record, read from its first byte to the end of the file, leaves a quoted
    /// field open (the `csv` crate takes the rest of the file as that field's value).
    fn quote_left_open(&self, start: u64) -> Result<bool> {
        let mut file = File::open(self.path).map_err(read_err(self.path))?;
        file.seek(SeekFrom::Start(start))
            .map_err(read_err(self.path))?;
        let reader = BufReader::with_capacity(BUFFER, file);
        let (quote, delimiter) = (self.dialect.quote as u8, self.dialect.delimiter as u8);
        let mut in_quotes = false;
        let mut field_start = true;
        let mut pending_quote = false;
        for byte in reader.bytes() {
            let b = byte.map_err(read_err(self.path))?;
            if in_quotes {
                if pending_quote {
                    pending_quote = false;
                    if b != quote {
                        in_quotes = false;
                        field_start = b == delimiter || b == b'\n' || b == b'\r';
                    }
                } else if b == quote {
                    pending_quote = true;
                }
                continue;
            }
            if field_start && b == quote {
                in_quotes = true;
                field_start = false;
                continue;
            }
            field_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        Ok(in_quotes && !pending_quote)
    }

    fn csv_error(&self, e: csv::Error) -> Error {
        let path = self.path.to_path_buf();
        match e.kind() {
            csv::ErrorKind::Utf8 { pos, err } => Error::NotUtf8 {
                path,
                line: pos.as_ref().map_or(0, |p| p.line()),
                column: err.field() + 1,
                offset: pos.as_ref().map_or(0, |p| p.byte()) + u64::from(self.dialect.bom) * 3,
            },
            csv::ErrorKind::Io(_) => {
                let message = e.to_string();
                Error::Read {
                    path,
                    source: std::io::Error::other(message),
                }
            }
            _ => {
                let line = e.position().map_or(0, |p| p.line());
                Error::Malformed {
                    path,
                    line,
                    message: e.to_string(),
                }
            }
        }
    }

    /// NDJSON: one JSON object per line (blank lines skipped).
    pub fn ndjson<F>(&self, columns: &mut Vec<String>, discover: bool, mut each: F) -> Result<()>
    where
        F: FnMut(u64, &Vec<Option<String>>, u64) -> Result<()>,
    {
        let (file, _) = open_skipping_bom(self.path)?;
        let mut reader = BufReader::with_capacity(BUFFER, file);
        let mut index: HashMap<String, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let mut buf = Vec::new();
        let mut fields: Vec<Option<String>> = Vec::new();
        let mut line = 0u64;
        let mut bytes = u64::from(self.dialect.bom) * 3;
        let mut any = false;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(read_err(self.path))?;
            if n == 0 {
                break;
            }
            line += 1;
            let start = bytes;
            bytes += n as u64;
            let text = match std::str::from_utf8(&buf) {
                Ok(t) => t,
                Err(e) => {
                    let valid = &buf[..e.valid_up_to()];
                    let column = String::from_utf8_lossy(valid).chars().count() + 1;
                    return Err(Error::NotUtf8 {
                        path: self.path.to_path_buf(),
                        line,
                        column,
                        offset: start + e.valid_up_to() as u64,
                    });
                }
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            any = true;
            fields.clear();
            fields.resize(columns.len(), None);
            let mut de = serde_json::Deserializer::from_str(text);
            let row = Row {
                columns: &mut *columns,
                index: &mut index,
                fields: &mut fields,
                discover,
            };
            let unknown = serde::de::DeserializeSeed::deserialize(row, &mut de)
                .and_then(|u| de.end().map(|()| u));
            let unknown = unknown.map_err(|e| {
                let hint = if e.is_eof() {
                    " (the file may be truncated)"
                } else {
                    ""
                };
                Error::Malformed {
                    path: self.path.to_path_buf(),
                    line,
                    message: format!("not a JSON object: {e}{hint}"),
                }
            })?;
            if let Some(key) = unknown {
                return Err(Error::Malformed {
                    path: self.path.to_path_buf(),
                    line,
                    message: format!("the key {key:?} appeared since the file was scanned"),
                });
            }
            each(line, &fields, bytes)?;
        }
        if !any {
            return Err(Error::Empty {
                path: self.path.to_path_buf(),
            });
        }
        Ok(())
    }
}

/// An object key, borrowed from the line when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One NDJSON line into `fields` (by column position, new keys appended when discovering):
/// the name of a key that is not a column otherwise.
struct Row<'a> {
    columns: &'a mut Vec<String>,
    index: &'a mut HashMap<String, usize>,
    fields: &'a mut Vec<Option<String>>,
    discover: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Row<'_> {
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Row<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let raw: &'de serde_json::value::RawValue = map.next_value()?;
            let i = match self.index.get(key.as_ref()) {
                Some(i) => *i,
                None if self.discover => {
                    self.columns.push(key.to_string());
                    self.index.insert(key.into_owned(), self.columns.len() - 1);
                    self.fields.push(None);
                    self.columns.len() - 1
                }
                None => return Ok(Some(key.into_owned())),
            };
            self.fields[i] = json_field(raw.get()).map_err(serde::de::Error::custom)?;
        }
        Ok(None)
    }
}

/// A JSON value as a field: strings unescaped, numbers and booleans as written, arrays and
/// objects as their JSON text, null as absent.
fn json_field(raw: &str) -> std::result::Result<Option<String>, serde_json::Error> {
    Ok(match raw.as_bytes().first() {
        Some(b'n') => None,
        Some(b'"') if !raw.contains('\\') && raw.len() >= 2 => {
            Some(raw[1..raw.len() - 1].to_string())
        }
        Some(b'"') => Some(serde_json::from_str::<String>(raw)?),
        _ => Some(raw.to_string()),
    })
}
