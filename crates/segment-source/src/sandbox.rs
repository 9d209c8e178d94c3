//! The read-only sandbox every data-source connection runs in: a `regexp()` SQL function, an
//! authorizer that lets statements read and nothing else, and resource limits. Raw SQL
//! conditions written by users are compiled into our SELECTs, so this is what keeps them from
//! writing, attaching other files, changing settings, or taking the machine's memory (the time
//! limit is the progress handler in `source`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use regex::{Regex, RegexBuilder};
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use segment_engine::regex_match::REGEX_SIZE_LIMIT;

/// Compiled patterns kept across statements (bounded: cleared when full).
const REGEX_CACHE_ENTRIES: usize = 64;

/// Registers `regexp(pattern, value)` (also used by `value REGEXP pattern`): Rust `regex` syntax,
/// unanchored search; NULL when either argument is NULL; an invalid pattern is an error.
/// Deterministic. A constant or bound pattern compiles once per statement (SQLite's auxiliary
/// data), and compiled patterns are also cached per connection, so repeated counts and
/// per-row patterns do not recompile.
pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let cache: Arc<Mutex<HashMap<String, Arc<Regex>>>> = Arc::default();
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| regexp(ctx, &cache),
    )
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn compile(
    pattern: ValueRef<'_>,
    cache: &Mutex<HashMap<String, Arc<Regex>>>,
) -> Result<Arc<Regex>, BoxError> {
    let pattern = pattern.as_str()?;
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(
        RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()?,
    );
    if let Ok(mut c) = cache.lock() {
        if c.len() >= REGEX_CACHE_ENTRIES {
            c.clear();
        }
        c.insert(pattern.to_string(), Arc::clone(&re));
    }
    Ok(re)
}

fn regexp(
    ctx: &Context<'_>,
    cache: &Mutex<HashMap<String, Arc<Regex>>>,
) -> rusqlite::Result<Option<bool>> {
    if matches!(ctx.get_raw(0), ValueRef::Null) {
        return Ok(None);
    }
    let re: Arc<Arc<Regex>> = ctx.get_or_create_aux(0, |pattern| compile(pattern, cache))?;
    let matched = match ctx.get_raw(1) {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(bytes) => re.is_match(&String::from_utf8_lossy(bytes)),
        ValueRef::Integer(i) => re.is_match(&i.to_string()),
        ValueRef::Real(f) => re.is_match(&f.to_string()),
        ValueRef::Blob(bytes) => re.is_match(&String::from_utf8_lossy(bytes)),
    };
    Ok(Some(matched))
}

/// Functions a statement may not call even though they only read.
const DENIED_FUNCTIONS: &[&str] = &[
    "load_extension",
    "fts3_tokenizer",
    "readfile",
    "writefile",
    "edit",
];

/// Installs the authorizer: SELECT, reading columns and calling ordinary functions are allowed;
/// everything else (INSERT/UPDATE/DELETE, CREATE/DROP/ALTER, ATTACH/DETACH, PRAGMA, transactions,
/// ANALYZE, recursive CTEs) is denied at prepare time.
pub(crate) fn install_authorizer(conn: &Connection) {
    conn.authorizer(Some(|ctx: AuthContext<'_>| match ctx.action {
        AuthAction::Select | AuthAction::Read { .. } => Authorization::Allow,
        AuthAction::Function { function_name } => {
            if DENIED_FUNCTIONS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(function_name))
            {
                Authorization::Deny
            } else {
                Authorization::Allow
            }
        }
        _ => Authorization::Deny,
    }));
}

/// Caps the size of any one string or blob a statement builds (`zeroblob`, `randomblob`,
/// `replace`, `printf`…): such a value fails at once with "string or blob too big" instead of
/// growing towards the heap limit.
pub(crate) fn set_length_limit(conn: &Connection, bytes: u64) {
    let bytes = i32::try_from(bytes).unwrap_or(i32::MAX).max(1);
    // SAFETY: the handle is a live connection owned by `conn`, used on this thread only;
    // sqlite3_limit only reads and sets an integer of the connection.
    unsafe {
        rusqlite::ffi::sqlite3_limit(conn.handle(), rusqlite::ffi::SQLITE_LIMIT_LENGTH, bytes);
    }
}

/// Statements currently running under a heap limit, and the limit to restore after the last.
struct HeapState {
    active: usize,
    current: i64,
    previous: i64,
}

static HEAP: Mutex<HeapState> = Mutex::new(HeapState {
    active: 0,
    current: 0,
    previous: 0,
});

/// SQLite's hard heap limit while a sandboxed statement runs: an allocation past it fails with
/// SQLITE_NOMEM, which ends the statement. SQLite has one heap limit per process, so it is set
/// while at least one limited statement runs (the smallest one asked for) and the previous
/// limit is restored after the last; other connections of the process share it meanwhile.
pub(crate) struct HeapLimit(());

impl HeapLimit {
    pub(crate) fn enter(bytes: u64) -> HeapLimit {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX).max(1);
        let mut state = HEAP.lock().unwrap_or_else(PoisonError::into_inner);
        if state.active == 0 {
            // SAFETY: sqlite3_hard_heap_limit64 is thread-safe and takes a plain integer; a
            // negative argument only reads the limit.
            let previous = unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(-1) };
            // A stricter limit the process already set stays in force.
            let bytes = if previous > 0 {
                bytes.min(previous)
            } else {
                bytes
            };
            // SAFETY: as above.
            unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(bytes) };
            state.previous = previous;
            state.current = bytes;
        } else if bytes < state.current {
            // SAFETY: as above.
            unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(bytes) };
            state.current = bytes;
        }
        state.active += 1;
        HeapLimit(())
    }
}

impl Drop for HeapLimit {
    fn drop(&mut self) {
        let mut state = HEAP.lock().unwrap_or_else(PoisonError::into_inner);
        state.active = state.active.saturating_sub(1);
        if state.active == 0 {
            // SAFETY: as in `enter`.
            unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(state.previous) };
        }
    }
}
