//! A snapshot of a loaded [`Dataset`]: every table's columns, the clustered indexes and the
//! joins (with their runs by group) as raw little-endian arrays, so the next start reads them
//! back at the speed of the disk instead of decoding, sorting and joining the source again.
//!
//! Pure: [`write`] writes to any `impl Write` and [`read`] reads from shared bytes (the caller
//! maps the file); which file (and where) is the caller's. Every array starts on an 8-byte
//! boundary of the file, so the dataset read back *borrows* its columns from the bytes
//! ([`crate::buf::Buf`]) instead of copying them: a start costs the checksum (on all cores)
//! and the structures' checks, and the kernel's page cache holds the data.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header   "SEGSNAP\0", format u32, engine version (u32 length + bytes),
//!          tag (u32 length + bytes: the caller's key of the data it was made from),
//!          tables u32, records u64, heap bytes u64, payload length u64
//! payload  tables (by name): name, records, columns (by name): name, kind, arrays
//!          indexes (by table, column): table, column, time column?, permutation?, starts
//!          joins (by relationship id): id, groups, from/to group per record, runs?
//!          zeros up to a multiple of 8 bytes
//! trailer  CRC-32 of the header and the payload
//! ```
//!
//! An array is its length (u64), zeros up to a multiple of 8 bytes from the file's start, and
//! its elements; a text dictionary is two arrays, offsets (u64, one more than its values) and
//! the bytes end to end; a bitmap is its length in bits and an array of its words. An integer
//! or time column is 64-bit values, or (its kinds `INTEGER32` / `TIME32`, from format 3) its
//! base (i64) and 32-bit offsets, as [`Ints`] holds it.
//! Every length is checked against the bytes the payload has left before anything is
//! allocated, the checksum is checked before the data is handed out, and the structures are
//! checked against the invariants the evaluator relies on (codes within their dictionary,
//! offsets increasing, groups and positions within their tables), so a truncated, corrupt or
//! foreign file is an [`Error`], never a panic or a wrong count.
//!
//! **Bump [`FORMAT_VERSION`] whenever the layout or the meaning of a stored structure changes**
//! (a new column encoding, another clustering, an invariant of the runs): snapshots of another
//! format or another engine version are refused, and the caller loads from the source again.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

use rayon::prelude::*;

use segment_model::schema::Schema;

use crate::bitset::Bitset;
use crate::buf::{Buf, SharedBytes};
use crate::column::{ArrayColumn, ArrayItem, ColumnData, Ints, TextColumn};
use crate::dataset::{Dataset, Join, SortedIndex, Table, NONE};
use crate::group_runs::{Buckets, GroupRuns};
use crate::text::Dict;

/// The first bytes of every snapshot.
pub const MAGIC: [u8; 8] = *b"SEGSNAP\0";
/// The layout's version (see the module's documentation on when to bump it).
pub const FORMAT_VERSION: u32 = 3;
/// The engine that wrote a snapshot must be this one.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a snapshot was not read (or not written).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a count engine snapshot (its first bytes are not the snapshot header)")]
    NotASnapshot,
    #[error(
        "a snapshot of format {found_format} from engine {found_engine}; this engine \
         ({ENGINE_VERSION}) reads format {FORMAT_VERSION}"
    )]
    OtherVersion {
        found_format: u32,
        found_engine: String,
    },
    #[error("a snapshot of other data (another file, version of the file, or schema)")]
    OtherSource,
    #[error("the snapshot is truncated: it ends inside {0}")]
    Truncated(String),
    #[error("the snapshot is corrupt: {0}")]
    Corrupt(String),
    #[error(
        "the snapshot needs about {:.1} GiB in memory, {:.1} GiB allowed",
        *needed as f64 / f64::from(1u32 << 30),
        *allowed as f64 / f64::from(1u32 << 30)
    )]
    OverBudget { needed: u64, allowed: u64 },
    #[error("snapshots are little-endian; this machine is big-endian")]
    BigEndian,
    #[error("{0}")]
    Io(#[from] io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What [`read`] has done so far, for a progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStep {
    /// The header is read: the snapshot holds this many tables and records.
    Planned { tables: u64, records: u64 },
    /// One more table read whole, with this many records.
    TableRead { records: u64 },
}

/// Writes `data` as a snapshot tagged with `tag` (the caller's key of the data it came from,
/// checked by [`read`]). Returns the bytes written.
pub fn write(data: &Dataset, tag: &[u8], writer: impl Write) -> Result<u64> {
    if cfg!(target_endian = "big") {
        return Err(Error::BigEndian);
    }
    let tag_len = u32::try_from(tag.len()).map_err(|_| Error::Corrupt("tag too long".into()))?;
    // A first pass counts the payload's bytes (copies to nowhere, no checksum), so a reader
    // can check every length against what is left before allocating.
    let mut sizing = Out::new(io::sink(), false);
    payload(data, &mut sizing)?;
    let payload_len = sizing.written;

    let mut out = Out::new(writer, true);
    out.bytes(&MAGIC)?;
    out.u32(FORMAT_VERSION)?;
    out.str(ENGINE_VERSION)?;
    out.u32(tag_len)?;
    out.bytes(tag)?;
    out.u32(data.tables.len() as u32)?;
    out.u64(data.tables.values().map(|t| t.len as u64).sum())?;
    out.u64(data.heap_bytes() as u64)?;
    out.u64(payload_len)?;
    // The payload starts on an 8-byte boundary, so its arrays (aligned within it) are aligned
    // in the file, and in a memory map of it.
    out.align()?;
    let before = out.written;
    payload(data, &mut out)?;
    if out.written - before != payload_len {
        return Err(Error::Corrupt(
            "the payload changed size between two passes".into(),
        ));
    }
    let crc = out.crc.take().map_or(0, crc32fast::Hasher::finalize);
    out.w.write_all(&crc.to_le_bytes())?;
    out.w.flush()?;
    Ok(out.written + 4)
}

/// The most bytes a header takes (its fields' limits), for [`read_tag`].
const HEADER_LIMIT: u64 = 8 + 4 + 4 + 256 + 4 + (1 << 16) + 4 + 8 + 8 + 8 + 8;

/// The tag a snapshot was written with (the caller's key of its data), reading its header
/// only: what a listing of the snapshots shows, whatever their format or engine version.
pub fn read_tag(reader: impl Read) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    reader.take(HEADER_LIMIT).read_to_end(&mut head)?;
    let mut input = In::new(Arc::new(head));
    input.magic()?;
    let _format = input.u32("the header")?;
    let _engine = input.field(256, "the engine version")?;
    Ok(input.field(1 << 16, "the tag")?.to_vec())
}

/// Reads a snapshot written by [`write`] with the same `tag`, of data with `schema` (its
/// relationships name the joins' tables), refusing it when it would take more than `max_bytes`
/// of memory. The arrays are borrowed from `bytes` (a memory-mapped file: nothing is copied)
/// where they are aligned, which they are when `bytes` starts on an 8-byte boundary.
/// `progress` hears of each table read.
pub fn read(
    bytes: SharedBytes,
    tag: &[u8],
    schema: &Schema,
    max_bytes: u64,
    progress: &mut dyn FnMut(ReadStep),
) -> Result<Dataset> {
    if cfg!(target_endian = "big") {
        return Err(Error::BigEndian);
    }
    let mut input = In::new(bytes);
    input.magic()?;
    let found_format = input.u32("the header")?;
    let engine = input.field(256, "the engine version")?;
    let found_engine = String::from_utf8_lossy(engine).into_owned();
    if found_format != FORMAT_VERSION || found_engine != ENGINE_VERSION {
        return Err(Error::OtherVersion {
            found_format,
            found_engine,
        });
    }
    if input.field(1 << 16, "the tag")? != tag {
        return Err(Error::OtherSource);
    }
    let tables = input.u32("the header")?;
    let records = input.u64("the header")?;
    let needed = input.u64("the header")?;
    if needed > max_bytes {
        return Err(Error::OverBudget {
            needed,
            allowed: max_bytes,
        });
    }
    let payload_len = input.usize("the header")?;
    input.align("the header")?;
    let payload_end = input
        .pos
        .checked_add(payload_len)
        .ok_or_else(|| corrupt("the payload's length"))?;
    input.check_checksum(payload_end)?;
    progress(ReadStep::Planned {
        tables: u64::from(tables),
        records,
    });
    input.end = payload_end;
    let data = read_payload(&mut input, tables, schema, progress)?;
    if input.pos != payload_end {
        return Err(Error::Corrupt(format!(
            "{} bytes of the payload were not read",
            payload_end - input.pos
        )));
    }
    Ok(data)
}

// ---- writing ----

struct Out<W> {
    w: W,
    crc: Option<crc32fast::Hasher>,
    written: u64,
}

impl<W: Write> Out<W> {
    fn new(w: W, checksum: bool) -> Self {
        Out {
            w,
            crc: checksum.then(crc32fast::Hasher::new),
            written: 0,
        }
    }

    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.w.write_all(bytes)?;
        if let Some(crc) = &mut self.crc {
            crc.update(bytes);
        }
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn u8(&mut self, v: u8) -> io::Result<()> {
        self.bytes(&[v])
    }

    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn i64(&mut self, v: i64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn str(&mut self, s: &str) -> io::Result<()> {
        self.u32(s.len() as u32)?;
        self.bytes(s.as_bytes())
    }

    fn opt_str(&mut self, s: Option<&str>) -> io::Result<()> {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1)?;
                self.str(s)
            }
        }
    }

    /// Zeros up to the next multiple of 8 bytes.
    fn align(&mut self) -> io::Result<()> {
        let pad = (8 - self.written % 8) % 8;
        self.bytes(&[0u8; 8][..pad as usize])
    }

    /// Its length, then its elements from the next multiple of 8 bytes.
    fn array<T: bytemuck::Pod>(&mut self, values: &[T]) -> io::Result<()> {
        self.u64(values.len() as u64)?;
        self.align()?;
        self.bytes(bytemuck::cast_slice(values))
    }

    fn bitset(&mut self, set: &Bitset) -> io::Result<()> {
        self.u64(set.len() as u64)?;
        self.array(set.words())
    }

    /// A dictionary: its offsets, then its bytes.
    fn dict(&mut self, dict: &Dict) -> io::Result<()> {
        let (offsets, raw) = dict.parts();
        self.array(offsets)?;
        self.array(raw)
    }
}

const NUMBER: u8 = 0;
const INTEGER: u8 = 1;
const TEXT: u8 = 2;
const TIME: u8 = 3;
const ARRAY: u8 = 4;
/// Integers and instants held as a base and 32-bit offsets ([`Ints::Narrow`]).
const INTEGER32: u8 = 5;
const TIME32: u8 = 6;

const ITEM_TEXT: u8 = 0;
const ITEM_NUMBER: u8 = 1;
const ITEM_INTEGER: u8 = 2;
const ITEM_OTHER: u8 = 3;

fn sorted<K: Ord, V>(map: &HashMap<K, V>) -> Vec<(&K, &V)> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn payload<W: Write>(data: &Dataset, out: &mut Out<W>) -> io::Result<()> {
    for (name, table) in sorted(&data.tables) {
        out.str(name)?;
        out.u64(table.len as u64)?;
        out.u32(table.columns.len() as u32)?;
        for (column, values) in sorted(&table.columns) {
            out.str(column)?;
            write_column(values, out)?;
        }
    }
    out.u32(data.indexes.len() as u32)?;
    for ((table, column), index) in sorted(&data.indexes) {
        out.str(table)?;
        out.str(column)?;
        out.opt_str(index.time_column.as_deref())?;
        match &index.perm {
            None => out.u8(0)?,
            Some(perm) => {
                out.u8(1)?;
                out.array(perm)?;
            }
        }
        out.array(&index.starts)?;
    }
    out.u32(data.joins.len() as u32)?;
    for (id, join) in sorted(&data.joins) {
        out.i64(*id)?;
        out.u64(join.groups as u64)?;
        out.array(&join.from_group)?;
        out.array(&join.to_group)?;
        match &join.runs {
            None => out.u8(0)?,
            Some(runs) => {
                out.u8(1)?;
                out.str(&runs.time_column)?;
                out.array(&runs.starts)?;
                out.array(&runs.rows)?;
                out.array(&runs.offsets)?;
                out.i64(runs.base)?;
                out.i64(runs.latest)?;
                match &runs.buckets {
                    None => out.u8(0)?,
                    Some(buckets) => {
                        out.u8(1)?;
                        out.str(&buckets.column)?;
                        out.array(&buckets.starts)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The kind (`kinds`: wide, narrow) and the values: 64-bit, or the base and 32-bit offsets.
fn write_ints<W: Write>(values: &Ints, kinds: [u8; 2], out: &mut Out<W>) -> io::Result<()> {
    match values {
        Ints::Wide(values) => {
            out.u8(kinds[0])?;
            out.array(values)
        }
        Ints::Narrow { base, offsets } => {
            out.u8(kinds[1])?;
            out.i64(*base)?;
            out.array(offsets)
        }
    }
}

fn write_column<W: Write>(column: &ColumnData, out: &mut Out<W>) -> io::Result<()> {
    match column {
        ColumnData::Number { values, valid } => {
            out.u8(NUMBER)?;
            out.array(values)?;
            out.bitset(valid)
        }
        ColumnData::Integer { values, valid } => {
            write_ints(values, [INTEGER, INTEGER32], out)?;
            out.bitset(valid)
        }
        ColumnData::Time { values, valid } => {
            write_ints(values, [TIME, TIME32], out)?;
            out.bitset(valid)
        }
        ColumnData::Text(text) => {
            out.u8(TEXT)?;
            out.array(&text.codes)?;
            out.dict(&text.dict)?;
            out.bitset(&text.valid)
        }
        ColumnData::Array(array) => {
            out.u8(ARRAY)?;
            out.array(&array.offsets)?;
            out.array(&array.codes)?;
            let kinds: Vec<u8> = array
                .dict
                .iter()
                .map(|item| match item {
                    ArrayItem::Text(_) => ITEM_TEXT,
                    ArrayItem::Number(_) => ITEM_NUMBER,
                    ArrayItem::Integer(_) => ITEM_INTEGER,
                    ArrayItem::Other => ITEM_OTHER,
                })
                .collect();
            let numbers: Vec<u64> = array
                .dict
                .iter()
                .map(|item| match item {
                    ArrayItem::Number(f) => f.to_bits(),
                    ArrayItem::Integer(i) => *i as u64,
                    ArrayItem::Text(_) | ArrayItem::Other => 0,
                })
                .collect();
            out.array(&kinds)?;
            out.array(&numbers)?;
            out.dict(&Dict::from_values(array.dict.iter().map(
                |item| match item {
                    ArrayItem::Text(s) => s.as_str(),
                    _ => "",
                },
            )))?;
            out.bitset(&array.valid)
        }
    }
}

// ---- reading ----

/// A cursor over the snapshot's bytes; `end` is where the part being read ends.
struct In {
    bytes: SharedBytes,
    pos: usize,
    end: usize,
}

fn corrupt(what: impl Into<String>) -> Error {
    Error::Corrupt(what.into())
}

/// Bytes checksummed per parallel task.
const CHECKSUM_CHUNK: usize = 32 << 20;

impl In {
    fn new(bytes: SharedBytes) -> Self {
        let end = bytes.bytes().len();
        In { bytes, pos: 0, end }
    }

    /// The next `len` bytes, `what` naming them for a truncation.
    fn take(&mut self, len: usize, what: &str) -> Result<&[u8]> {
        let start = self.pos;
        let end = start.checked_add(len).filter(|&e| e <= self.end);
        let Some(end) = end else {
            return Err(if self.end < self.bytes.bytes().len() {
                corrupt(format!("{what} runs past the end of the payload"))
            } else {
                Error::Truncated(what.to_string())
            });
        };
        self.pos = end;
        Ok(&self.bytes.bytes()[start..end])
    }

    fn le<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        b.copy_from_slice(self.take(N, what)?);
        Ok(b)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.le::<1>(what)?[0])
    }

    /// The file's first bytes: a snapshot's, or [`Error::NotASnapshot`].
    fn magic(&mut self) -> Result<()> {
        match self.take(MAGIC.len(), "the header") {
            Ok(magic) if magic == MAGIC => Ok(()),
            _ => Err(Error::NotASnapshot),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.le(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.le(what)?))
    }

    fn i64(&mut self, what: &str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.le(what)?))
    }

    fn usize(&mut self, what: &str) -> Result<usize> {
        usize::try_from(self.u64(what)?).map_err(|_| corrupt(format!("{what}: a length too large")))
    }

    /// A header field: its length (u32, at most `limit`) and its bytes.
    fn field(&mut self, limit: usize, what: &str) -> Result<&[u8]> {
        let len = self.u32("the header")? as usize;
        if len > limit {
            return Err(corrupt(format!("{what} is too long")));
        }
        self.take(len, "the header")
    }

    fn str(&mut self, what: &str) -> Result<String> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| corrupt(format!("{what} is not UTF-8")))
    }

    fn opt_str(&mut self, what: &str) -> Result<Option<String>> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => Ok(Some(self.str(what)?)),
            _ => Err(corrupt(format!("{what}: a bad flag"))),
        }
    }

    fn flag(&mut self, what: &str) -> Result<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupt(format!("{what}: a bad flag"))),
        }
    }

    /// Skips the zeros up to the next multiple of 8 bytes from the start.
    fn align(&mut self, what: &str) -> Result<()> {
        let pad = (8 - self.pos % 8) % 8;
        self.take(pad, what).map(|_| ())
    }

    /// An array, borrowed from the bytes (copied only if they are not aligned for `T`).
    fn array<T: bytemuck::Pod>(&mut self, what: &str) -> Result<Buf<T>> {
        let len = self.usize(what)?;
        self.align(what)?;
        let start = self.pos;
        let size = len
            .checked_mul(std::mem::size_of::<T>())
            .ok_or_else(|| corrupt(format!("{what}: a length too large")))?;
        self.take(size, what)?;
        Buf::borrow(&self.bytes, start, len)
            .ok_or_else(|| corrupt(format!("{what} runs past the end of the payload")))
    }

    fn bitset(&mut self, what: &str) -> Result<Bitset> {
        let len = self.usize(what)?;
        let words = self.array::<u64>(what)?;
        Bitset::from_words(words, len).ok_or_else(|| corrupt(format!("{what}: a bad bitmap")))
    }

    fn dict(&mut self, what: &str) -> Result<Dict> {
        let offsets = self.array::<u64>(what)?;
        let raw = self.array::<u8>(what)?;
        Dict::from_parts(offsets, raw).ok_or_else(|| corrupt(format!("{what}: bad offsets")))
    }

    /// Checks the CRC-32 of everything before `payload_end`, stored right after it (and
    /// nothing after that), on all cores.
    fn check_checksum(&self, payload_end: usize) -> Result<()> {
        let bytes = self.bytes.bytes();
        let stored = payload_end
            .checked_add(4)
            .and_then(|end| bytes.get(payload_end..end));
        let Some(stored) = stored else {
            return Err(Error::Truncated(if bytes.len() < payload_end {
                "the payload".into()
            } else {
                "the checksum".into()
            }));
        };
        if bytes.len() > payload_end + 4 {
            return Err(corrupt("bytes follow the checksum"));
        }
        let computed = bytes[..payload_end]
            .par_chunks(CHECKSUM_CHUNK)
            .map(|chunk| {
                let mut crc = crc32fast::Hasher::new();
                crc.update(chunk);
                crc
            })
            .collect::<Vec<_>>()
            .into_iter()
            .fold(crc32fast::Hasher::new(), |mut all, part| {
                all.combine(&part);
                all
            })
            .finalize();
        if stored != computed.to_le_bytes() {
            return Err(corrupt("the checksum does not match"));
        }
        Ok(())
    }
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Corrupt(what()))
    }
}

/// `starts` never decreases and ends at `end` (the positions it cuts).
fn check_starts(starts: &[u32], end: usize, what: &str) -> Result<()> {
    check(
        starts.windows(2).all(|w| w[0] <= w[1]) && starts.last().map(|&s| s as usize) == Some(end),
        || format!("{what}: positions out of order or out of range"),
    )
}

fn read_payload(
    input: &mut In,
    tables: u32,
    schema: &Schema,
    progress: &mut dyn FnMut(ReadStep),
) -> Result<Dataset> {
    let mut by_name = HashMap::new();
    for _ in 0..tables {
        let name = input.str("a table's name")?;
        let len = input.usize("a table's length")?;
        let columns = input.u32("a table's columns")?;
        let mut table = Table::new(&name, len);
        for _ in 0..columns {
            let column = input.str("a column's name")?;
            let what = format!("column {name}.{column}");
            let data = read_column(input, &what)?;
            table
                .add(&column, data)
                .map_err(|e| corrupt(format!("{what}: {e}")))?;
        }
        progress(ReadStep::TableRead {
            records: len as u64,
        });
        by_name.insert(name, table);
    }

    let mut indexes = HashMap::new();
    for _ in 0..input.u32("the indexes")? {
        let table = input.str("an index's table")?;
        let column = input.str("an index's column")?;
        let what = format!("the index on {table}.{column}");
        let time_column = input.opt_str(&what)?;
        let perm = if input.flag(&what)? {
            Some(input.array::<u32>(&what)?)
        } else {
            None
        };
        let starts = input.array::<u32>(&what)?;
        let Some(t) = by_name.get(&table) else {
            return Err(corrupt(format!("{what}: no such table")));
        };
        let Ok(ColumnData::Text(text)) = t.column(&column) else {
            return Err(corrupt(format!("{what}: no such text column")));
        };
        check(starts.len() == text.dict.len() + 2, || {
            format!("{what}: not one bucket per value")
        })?;
        check_starts(&starts, t.len, &what)?;
        if perm.is_none() {
            // Clustered: bucket `code`'s positions are the records holding it (NULLs last).
            let null_bucket = text.dict.len();
            check(
                starts.par_windows(2).enumerate().all(|(code, w)| {
                    (w[0] as usize..w[1] as usize).all(|r| {
                        let bucket = if text.valid.contains(r) {
                            text.codes[r] as usize
                        } else {
                            null_bucket
                        };
                        bucket == code
                    })
                }),
                || format!("{what}: records outside their bucket"),
            )?;
        }
        if let Some(perm) = &perm {
            check(
                perm.len() == t.len && perm.par_iter().all(|&r| (r as usize) < t.len),
                || format!("{what}: records out of range"),
            )?;
        }
        if let Some(time) = &time_column {
            check(
                matches!(t.column(time), Ok(ColumnData::Time { .. })),
                || format!("{what}: no time column {time}"),
            )?;
        }
        indexes.insert(
            (table, column.clone()),
            SortedIndex {
                column,
                time_column,
                perm,
                starts,
            },
        );
    }

    let mut joins = HashMap::new();
    for _ in 0..input.u32("the joins")? {
        let id = input.i64("a join")?;
        let rel = schema
            .relationships
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| corrupt(format!("a join of relationship {id}, not in the schema")))?;
        let what = format!("the join of relationship {}", rel.name);
        let groups = input.usize(&what)?;
        let from_group = input.array::<u32>(&what)?;
        let to_group = input.array::<u32>(&what)?;
        let (Some(from), Some(to)) = (by_name.get(&rel.from_entity), by_name.get(&rel.to_entity))
        else {
            return Err(corrupt(format!("{what}: a table is missing")));
        };
        check(
            from_group.len() == from.len && to_group.len() == to.len,
            || format!("{what}: not one group per record"),
        )?;
        let in_range = |g: &u32| *g == NONE || (*g as usize) < groups;
        check(
            from_group.par_iter().all(in_range) && to_group.par_iter().all(in_range),
            || format!("{what}: groups out of range"),
        )?;
        let runs = if input.flag(&what)? {
            Some(read_runs(input, groups, to, &what)?)
        } else {
            None
        };
        joins.insert(
            id,
            Join {
                from_group,
                to_group,
                groups,
                runs,
            },
        );
    }
    Ok(Dataset {
        tables: by_name,
        joins,
        indexes,
    })
}

fn read_runs(input: &mut In, groups: usize, to: &Table, what: &str) -> Result<GroupRuns> {
    let time_column = input.str(what)?;
    let starts = input.array::<u32>(what)?;
    let rows = input.array::<u32>(what)?;
    let offsets = input.array::<u32>(what)?;
    let base = input.i64(what)?;
    let latest = input.i64(what)?;
    let buckets = if input.flag(what)? {
        let column = input.str(what)?;
        let starts = input.array::<u32>(what)?;
        check_starts(&starts, to.len, what)?;
        check(
            matches!(to.column(&column), Ok(ColumnData::Text(t)) if starts.len() == t.dict.len() + 2),
            || format!("{what}: buckets of no text column"),
        )?;
        Some(Buckets { column, starts })
    } else {
        None
    };
    check(
        matches!(to.column(&time_column), Ok(ColumnData::Time { .. })),
        || format!("{what}: no time column {time_column}"),
    )?;
    check(starts.len() == groups + 1, || {
        format!("{what}: not one run per group")
    })?;
    check_starts(&starts, rows.len(), what)?;
    check(starts.first() == Some(&0), || {
        format!("{what}: runs out of order")
    })?;
    check(offsets.len() == rows.len(), || {
        format!("{what}: not one time per record")
    })?;
    check(rows.par_iter().all(|&r| (r as usize) < to.len), || {
        format!("{what}: records out of range")
    })?;
    check(
        base <= latest
            && offsets
                .par_iter()
                .all(|&o| base.checked_add(i64::from(o)).is_some_and(|t| t <= latest)),
        || format!("{what}: times out of range"),
    )?;
    Ok(GroupRuns {
        time_column,
        starts,
        rows,
        offsets,
        base,
        latest,
        buckets,
    })
}

fn read_column(input: &mut In, what: &str) -> Result<ColumnData> {
    let kind = input.u8(what)?;
    Ok(match kind {
        NUMBER => {
            let values = input.array::<f64>(what)?;
            let valid = input.bitset(what)?;
            check(values.len() == valid.len(), || {
                format!("{what}: lengths differ")
            })?;
            ColumnData::Number { values, valid }
        }
        INTEGER | TIME | INTEGER32 | TIME32 => {
            let values = if kind == INTEGER || kind == TIME {
                Ints::Wide(input.array::<i64>(what)?)
            } else {
                let base = input.i64(what)?;
                let offsets = input.array::<u32>(what)?;
                // Every value `base + offset` is an i64 (the evaluator adds without checking).
                check(
                    base.checked_add(i64::from(u32::MAX)).is_some()
                        || offsets
                            .par_iter()
                            .all(|&o| base.checked_add(i64::from(o)).is_some()),
                    || format!("{what}: values beyond 64 bits"),
                )?;
                Ints::Narrow { base, offsets }
            };
            let valid = input.bitset(what)?;
            check(values.len() == valid.len(), || {
                format!("{what}: lengths differ")
            })?;
            if kind == INTEGER || kind == INTEGER32 {
                ColumnData::Integer { values, valid }
            } else {
                ColumnData::Time { values, valid }
            }
        }
        TEXT => {
            let codes = input.array::<u32>(what)?;
            let dict = input.dict(what)?;
            let valid = input.bitset(what)?;
            check(codes.len() == valid.len(), || {
                format!("{what}: lengths differ")
            })?;
            let size = dict.len();
            check(
                codes.par_iter().all(|&c| c == 0 || (c as usize) < size),
                || format!("{what}: codes beyond the dictionary"),
            )?;
            ColumnData::Text(TextColumn::new(codes, dict, valid))
        }
        ARRAY => {
            let offsets = input.array::<u32>(what)?;
            let codes = input.array::<u32>(what)?;
            let kinds = input.array::<u8>(what)?;
            let numbers = input.array::<u64>(what)?;
            let texts = input.dict(what)?.to_vec();
            let valid = input.bitset(what)?;
            check(
                offsets.len() == valid.len() + 1
                    && offsets.first() == Some(&0)
                    && offsets.windows(2).all(|w| w[0] <= w[1])
                    && offsets.last().map(|&o| o as usize) == Some(codes.len()),
                || format!("{what}: bad offsets"),
            )?;
            check(
                kinds.len() == numbers.len() && kinds.len() == texts.len(),
                || format!("{what}: lengths differ"),
            )?;
            let dict = kinds
                .iter()
                .zip(numbers.iter().copied())
                .zip(texts)
                .map(|((&kind, number), text)| match kind {
                    ITEM_TEXT => Ok(ArrayItem::Text(text)),
                    ITEM_NUMBER => Ok(ArrayItem::Number(f64::from_bits(number))),
                    ITEM_INTEGER => Ok(ArrayItem::Integer(number as i64)),
                    ITEM_OTHER => Ok(ArrayItem::Other),
                    _ => Err(corrupt(format!("{what}: an item of no known kind"))),
                })
                .collect::<Result<Vec<ArrayItem>>>()?;
            check(codes.iter().all(|&c| (c as usize) < dict.len()), || {
                format!("{what}: codes beyond the dictionary")
            })?;
            ColumnData::Array(ArrayColumn {
                offsets,
                codes,
                dict,
                valid,
            })
        }
        _ => return Err(corrupt(format!("{what}: a column of no known kind"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::{ArrayBuilder, NumberBuilder, TextBuilder, TimeBuilder};
    use crate::num::Num;
    use segment_model::schema::{Cardinality, Relationship};

    fn schema() -> Schema {
        let rel =
            |id, name: &str, from: &str, fc: &str, to: &str, tc: &str, card, time: Option<&str>| {
                Relationship {
                    id,
                    name: name.into(),
                    from_entity: from.into(),
                    from_column: fc.into(),
                    to_entity: to.into(),
                    to_column: tc.into(),
                    cardinality: card,
                    time_column: time.map(str::to_string),
                }
            };
        Schema {
            entities: Vec::new(),
            relationships: vec![
                rel(
                    1,
                    "acts",
                    "people",
                    "id",
                    "acts",
                    "person_id",
                    Cardinality::OneToMany,
                    Some("at"),
                ),
                rel(
                    2,
                    "person",
                    "acts",
                    "person_id",
                    "people",
                    "id",
                    Cardinality::ManyToOne,
                    None,
                ),
                rel(
                    3,
                    "by_name",
                    "people",
                    "name",
                    "acts",
                    "kind",
                    Cardinality::OneToMany,
                    None,
                ),
            ],
        }
    }

    /// People with every kind of column (NULLs, arrays of each item kind, text with NUL and
    /// non-ASCII), and their acts: clustered by kind and time, joined, with runs by group.
    fn dataset(people: usize) -> Dataset {
        let mut id = NumberBuilder::new("people.id");
        let mut name = TextBuilder::default();
        let mut score = NumberBuilder::new("people.score");
        let mut born = TimeBuilder::default();
        let mut tags = ArrayBuilder::default();
        for p in 0..people {
            id.push(Some(Num::Int(p as i64))).unwrap();
            name.push((p % 7 != 3).then(|| ["ann", "bé", "c\0d", ""][p % 4]));
            score
                .push((p % 5 != 0).then_some(Num::Real(p as f64 / 4.0)))
                .unwrap();
            born.push((p % 3 != 0).then_some(1_600_000_000 + p as i64 * 86_400));
            tags.push((p % 6 != 0).then(|| {
                vec![
                    ArrayItem::Text(format!("t{}", p % 3)),
                    ArrayItem::Integer(p as i64 % 4),
                    ArrayItem::Number(0.5),
                    ArrayItem::Other,
                ][..p % 5]
                    .to_vec()
            }));
        }
        let mut people_table = Table::new("people", people);
        people_table.add("id", id.finish()).unwrap();
        people_table.add("name", name.finish()).unwrap();
        people_table.add("score", score.finish()).unwrap();
        people_table.add("born", born.finish()).unwrap();
        people_table.add("tags", tags.finish()).unwrap();

        let acts = people * 3;
        let mut person = NumberBuilder::new("acts.person_id");
        let mut kind = TextBuilder::default();
        let mut at = TimeBuilder::default();
        for a in 0..acts {
            person
                .push((a % 11 != 0).then_some(Num::Int((a * 7 % (people + 2)) as i64)))
                .unwrap();
            kind.push((a % 13 != 0).then(|| ["view", "buy", "ann"][a % 3]));
            at.push((a % 17 != 0).then_some(1_700_000_000 - (a as i64 * 3_600) % 900_000));
        }
        let mut acts_table = Table::new("acts", acts);
        acts_table.add("person_id", person.finish()).unwrap();
        acts_table.add("kind", kind.finish()).unwrap();
        acts_table.add("at", at.finish()).unwrap();
        Dataset::new(vec![people_table, acts_table], &schema()).unwrap()
    }

    /// Everything a dataset holds, in a fixed order.
    fn describe(data: &Dataset) -> String {
        let mut out = String::new();
        for (name, table) in sorted(&data.tables) {
            out += &format!("{name} {}\n", table.len);
            for (column, values) in sorted(&table.columns) {
                out += &format!("{column} {values:?}\n");
            }
        }
        for (key, index) in sorted(&data.indexes) {
            out += &format!("{key:?} {index:?}\n");
        }
        for (id, join) in sorted(&data.joins) {
            out += &format!("{id} {join:?}\n");
        }
        out
    }

    fn snapshot(data: &Dataset, tag: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let written = write(data, tag, &mut bytes).unwrap();
        assert_eq!(written, bytes.len() as u64);
        bytes
    }

    fn shared(bytes: &[u8]) -> SharedBytes {
        Arc::new(bytes.to_vec())
    }

    fn read_back(bytes: &[u8], tag: &[u8]) -> Result<Dataset> {
        read(shared(bytes), tag, &schema(), u64::MAX, &mut |_| {})
    }

    #[test]
    fn its_tag_reads_from_the_header_alone() {
        let bytes = snapshot(&dataset(20), b"path=/data/a.sqlite\n");
        assert_eq!(read_tag(&bytes[..200]).unwrap(), b"path=/data/a.sqlite\n");
        assert!(matches!(
            read_tag(&b"not one"[..]),
            Err(Error::NotASnapshot)
        ));
        assert!(matches!(read_tag(&bytes[..20]), Err(Error::Truncated(_))));
    }

    #[test]
    fn a_snapshot_reads_back_as_the_same_dataset() {
        let data = dataset(150);
        assert!(data.join(1, "acts").unwrap().runs.is_some());
        assert!(data.index("acts", "kind").is_some());
        let bytes = snapshot(&data, b"key");
        let mut steps = Vec::new();
        let back = read(shared(&bytes), b"key", &schema(), u64::MAX, &mut |s| {
            steps.push(s)
        })
        .unwrap();
        assert_eq!(describe(&back), describe(&data));
        assert_eq!(
            steps,
            [
                ReadStep::Planned {
                    tables: 2,
                    records: 600
                },
                ReadStep::TableRead { records: 450 },
                ReadStep::TableRead { records: 150 },
            ]
        );
        // Written twice, the same bytes (tables, columns, indexes and joins in a fixed order).
        assert_eq!(snapshot(&back, b"key"), bytes);
        // An empty dataset too.
        let empty = dataset(0);
        assert_eq!(
            describe(&read_back(&snapshot(&empty, b""), b"").unwrap()),
            describe(&empty)
        );
    }

    /// Bytes on an 8-byte boundary, as a memory map's are.
    struct Aligned(Vec<u64>, usize);

    // SAFETY: never changed after it is made.
    unsafe impl crate::buf::StableBytes for Aligned {
        fn bytes(&self) -> &[u8] {
            &bytemuck::cast_slice(&self.0)[..self.1]
        }
    }

    #[test]
    fn an_aligned_snapshot_lends_its_arrays_instead_of_copying_them() {
        let data = dataset(150);
        let bytes = snapshot(&data, b"key");
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(&bytes);
        let back = read(
            Arc::new(Aligned(words, bytes.len())),
            b"key",
            &schema(),
            u64::MAX,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(describe(&back), describe(&data));
        let acts = back.table("acts").unwrap();
        let ColumnData::Time { values, .. } = acts.column("at").unwrap() else {
            panic!("not a time column")
        };
        assert!(values.is_borrowed());
        assert!(back.join(1, "acts").unwrap().to_group.is_borrowed());
    }

    #[test]
    fn a_truncated_snapshot_is_refused_at_every_length() {
        let bytes = snapshot(&dataset(20), b"key");
        for len in 0..bytes.len() {
            let error = read_back(&bytes[..len], b"key").err();
            assert!(
                matches!(
                    error,
                    Some(Error::Truncated(_) | Error::NotASnapshot | Error::Corrupt(_))
                ),
                "{len}: {error:?}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(read_back(&longer, b"key"), Err(Error::Corrupt(_))));
    }

    #[test]
    fn a_changed_byte_anywhere_is_refused() {
        let bytes = snapshot(&dataset(20), b"key");
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut corrupt = bytes.clone();
                corrupt[at] ^= flip;
                assert!(
                    read_back(&corrupt, b"key").is_err(),
                    "byte {at} ^ {flip:#x} read"
                );
            }
        }
    }

    #[test]
    fn another_key_version_or_budget_is_refused_by_name() {
        let data = dataset(20);
        let bytes = snapshot(&data, b"key");
        assert!(matches!(
            read_back(&bytes, b"other"),
            Err(Error::OtherSource)
        ));
        assert!(matches!(read_back(&bytes, b"kez"), Err(Error::OtherSource)));
        assert!(matches!(
            read_back(b"SQLite format 3\0", b"key"),
            Err(Error::NotASnapshot)
        ));
        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert!(matches!(
            read_back(&newer, b"key"),
            Err(Error::OtherVersion { found_format, .. }) if found_format == FORMAT_VERSION + 1
        ));
        let refused = read(shared(&bytes), b"key", &schema(), 10, &mut |_| {});
        assert!(matches!(
            refused,
            Err(Error::OverBudget { allowed: 10, .. })
        ));
        // A schema without the joins' relationships.
        let refused = read(
            shared(&bytes),
            b"key",
            &Schema::default(),
            u64::MAX,
            &mut |_| {},
        );
        assert!(matches!(refused, Err(Error::Corrupt(_))), "{refused:?}");
    }
}
