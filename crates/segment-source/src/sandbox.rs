//! The read-only sandbox every data-source connection runs in: a `regexp()` SQL function and an
//! authorizer that lets statements read and nothing else. Raw SQL conditions written by users are
//! compiled into our SELECTs, so this is what keeps them from writing, attaching other files or
//! changing settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use regex::{Regex, RegexBuilder};
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// Compiled regexes larger than this are refused (hostile patterns cannot eat the memory).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

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
