//! Reading inputs and writing outputs the way every command does: inputs capped in size (a
//! segment file is small; `/dev/zero` must not fill the memory), UTF-8 with an optional
//! byte-order mark, and standard output that may be closed early (`… | head -1`).

use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::Failure;

const MIB: u64 = 1024 * 1024;

/// The largest segment definition file read (canonical, Census, PQL, OData, ODP).
pub const SEGMENT_FILE_LIMIT: u64 = 16 * MIB;

/// The largest member list or bulk membership command file read.
pub const COMMAND_FILE_LIMIT: u64 = 1024 * MIB;

/// Reads a text file of at most `limit` bytes; `what` names it in errors ("segment file").
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, Failure> {
    let fail = |why: String| Failure::new(format!("cannot read {what} {}: {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| {
        fail(match e.kind() {
            ErrorKind::NotFound => "file not found".to_string(),
            _ => e.to_string(),
        })
    })?;
    read_capped(file, limit).map_err(fail)
}

/// Reads standard input as text of at most `limit` bytes.
pub fn read_stdin(what: &str, limit: u64) -> Result<String, Failure> {
    read_capped(std::io::stdin().lock(), limit)
        .map_err(|why| Failure::new(format!("cannot read {what} from standard input: {why}")))
}

fn read_capped(reader: impl Read, limit: u64) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "larger than {} MiB, the most this command reads",
            limit / MIB
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    // Some editors save a byte-order mark first: it is not part of the content.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Writes `text` to standard output. A reader that stops early (`| head -1`) closes the pipe:
/// that ends the command quietly, not with a panic.
pub fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}
