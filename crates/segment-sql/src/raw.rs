//! A light lexical check of raw SQL conditions before they are spliced into a statement.
//!
//! Raw SQL is user-authored code and the one place where text reaches SQL unescaped. The data
//! source sandboxes its execution (read-only connection and an authorizer); this check only keeps
//! the expression from breaking the statement around it: it must be one expression with balanced
//! parentheses, closed quotes and comments, no `;`, and no parameter markers (which would shift
//! the statement's bound parameters).

use crate::error::{Error, Result};

/// What the splicer needs to know about a checked raw SQL text.
pub(crate) struct RawInfo {
    /// A `--` comment runs to the end of a line: the closing parenthesis must go on a new line.
    pub line_comment: bool,
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

pub(crate) fn check(sql: &str) -> Result<RawInfo> {
    let reject = |why: &str| Err(Error::RawSql(why.to_string()));
    if sql.trim().is_empty() {
        return reject("it is empty");
    }
    if sql.contains('\0') {
        return reject("it contains a NUL character");
    }
    let chars: Vec<char> = sql.chars().collect();
    let mut depth: usize = 0;
    let mut line_comment = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return reject("a quote is not closed"),
                        Some(&q) if q == close => {
                            // A doubled quote is an escaped quote (not for `[…]`).
                            if close != ']' && chars.get(i + 1) == Some(&close) {
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            '-' if next == Some('-') => {
                line_comment = true;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                loop {
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some('*'), Some('/')) => {
                            i += 1;
                            break;
                        }
                        (Some(_), _) => i += 1,
                        (None, _) => return reject("a /* comment is not closed"),
                    }
                }
            }
            '(' => depth += 1,
            ')' => {
                if depth == 0 {
                    return reject("it closes a parenthesis it did not open");
                }
                depth -= 1;
            }
            // Reached only outside literals, quoted identifiers and comments (skipped above), so
            // this is a statement separator; `LIKE '%;%'` never gets here.
            ';' => {
                return reject(
                    "it contains ';' outside quotes: only a single expression is allowed",
                )
            }
            '?' => return reject("it contains a '?' parameter marker"),
            ':' if next == Some(':') => i += 1,
            ':' | '@' | '$' | '#' => {
                let after_ident = i > 0 && is_ident_char(chars[i - 1]);
                if !after_ident && next.is_some_and(is_ident_char) {
                    return reject("it contains a named parameter marker");
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return reject("a parenthesis is not closed");
    }
    Ok(RawInfo { line_comment })
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_expressions() {
        for ok in [
            "age > 30",
            "lower(email) LIKE '%;%'",
            "\"we;ird\" = 'it''s (fine'",
            "x = 1 -- why ; ( ?",
            "/* ; ) */ y IN (1, 2)",
            "a$b = 1",
            "CAST(x AS TEXT)::text = 'a'",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert!(check("x = 1 -- c").map(|i| i.line_comment).unwrap_or(false));
    }

    /// `;` inside literals, quoted identifiers and comments: not a separator.
    const SEPARATOR_FREE: &[&str] = &[
        "email LIKE '%;%'",
        "email LIKE '%'';%'",
        "\"a;b\" = 1",
        "[a;b] = 1",
        "`a;b` = 1",
        "x = x'3b'",
        "x = 1 /* ; */",
        "x = 1 /* ** ; */",
        "x = 1 -- ;",
        "instr(note, ';') > 0 AND note <> ';;'",
    ];

    /// A statement separator.
    const SEPARATED: &[&str] = &[
        "x = 1;",
        "x = 1 ; ",
        "email LIKE '%;%'; SELECT 1",
        "\"a;b\" = 1;--",
        "x = 1 /* ; */;",
        "x = 1 /**/;",
        "x = 1 -- ;\n; SELECT 1",
    ];

    #[test]
    fn semicolons_are_refused_only_as_statement_separators() {
        for ok in SEPARATOR_FREE {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in SEPARATED {
            let err = check(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("';' outside quotes"), "{bad:?}: {err}");
        }
    }

    /// The validator (`segment_model::validate`, which cannot depend on this crate) scans raw
    /// SQL for separators with the same lexical rules: both must agree.
    #[test]
    fn the_validator_finds_the_same_separators() {
        for sql in SEPARATOR_FREE.iter().chain(SEPARATED) {
            let refused = check(sql)
                .err()
                .is_some_and(|e| e.to_string().contains("';' outside quotes"));
            assert_eq!(
                refused,
                segment_model::validate::has_statement_separator(sql),
                "{sql:?}"
            );
        }
    }

    #[test]
    fn rejects_statement_breakers() {
        for bad in [
            "",
            "  ",
            "1); DROP TABLE profiles; --",
            "1) OR (1",
            "(1",
            "'open",
            "x = ?",
            "x = :name",
            "x = @name",
            "x = $1",
            "/* open",
            "\"open",
            "a\0b",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }
}
