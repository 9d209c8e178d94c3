//! Snowflake over the same storage shapes as SQLite data: ISO text dates, integer Unix seconds,
//! 0/1 integers, JSON array text.

use super::{any_of, call, call2};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// Snowflake: `?` placeholders (the connectors' `qmark` style), backslash escapes in string
/// literals, POSIX regular expressions and semi-structured (`VARIANT`) arrays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "Snowflake"
    }

    /// `'…'` with quotes doubled and backslashes escaped: Snowflake reads `\` in a single-quoted
    /// literal as an escape.
    fn string_literal(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                '\0' => out.push_str("\\0"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("STARTSWITH")
    }

    fn ends_with_function(&self) -> Option<&'static str> {
        Some("ENDSWITH")
    }

    /// `REGEXP_LIKE` is anchored at both ends, so an unanchored search is `REGEXP_INSTR(…) > 0`.
    /// Snowflake's patterns are POSIX ERE with no inline flags: a leading `(?i)` (or `m`, `s`)
    /// becomes the documented parameters argument, `REGEXP_INSTR(x, p, 1, 1, 0, 'i')` (see
    /// `posix_pattern`).
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let (pattern, parameters) = posix_pattern(pattern).map_err(|c| self.unsupported(&c))?;
        let test = if negated { " = 0" } else { " > 0" };
        let mut search = Fragment::sql("REGEXP_INSTR(")
            .append(&expr)
            .text(", ")
            .param(pattern);
        if !parameters.is_empty() {
            // Start at 1, first occurrence, the match's start (REGEXP_INSTR's defaults).
            search = search.text(format!(", 1, 1, 0, {}", self.string_literal(&parameters)));
        }
        Ok(search.text(")").text(test))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        call("LENGTH", expr)
    }

    fn timestamp_type(&self) -> &'static str {
        "TIMESTAMP_NTZ"
    }

    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("TO_TIMESTAMP_NTZ", expr))
    }

    /// The scale argument 3 reads the integer as milliseconds.
    fn timestamp_of_unix_millis(&self, expr: Fragment) -> Option<Fragment> {
        Some(call2("TO_TIMESTAMP_NTZ", expr, Fragment::sql("3")))
    }

    fn epoch_of_timestamp(&self, instant: Fragment) -> Fragment {
        call2("DATE_PART", Fragment::sql("EPOCH_SECOND"), instant)
    }

    /// DAYOFWEEK depends on the session's WEEK_START; DAYOFWEEK_ISO (1 = Monday … 7 = Sunday)
    /// does not.
    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Monday1("DAYOFWEEK_ISO"))
    }

    fn json_array(&self, text: Fragment) -> Fragment {
        call("PARSE_JSON", text)
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("ARRAY_SIZE")
    }

    /// Elements compare as VARIANT values: a string equals only a string, numbers by value.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let array = self.json_array(array);
        let tests = elements.into_iter().map(|element| {
            call2(
                "ARRAY_CONTAINS",
                call("TO_VARIANT", Fragment::value(element)),
                array.clone(),
            )
        });
        Ok(any_of(tests).parens())
    }
}

/// A Rust `regex` pattern (the IR's syntax) as a Snowflake pattern and its `regexp_parameters`.
///
/// Snowflake documents POSIX ERE plus the Perl classes `\d \D \s \S \w \W \b \B`, flags only
/// as a parameters argument (`c`, `i`, `m`, `e`, `s`), and no non-greedy quantifiers. So:
/// leading inline flags `(?i)`, `(?m)`, `(?s)` (which mean there what they mean in Rust:
/// case-insensitive, `^`/`$` at lines, `.` matching `\n`) become parameters; `(?:…)` and named
/// groups become plain groups and lazy quantifiers greedy ones, which change what a match
/// captures or how long it is but never whether a search finds one. Anything else without a
/// documented counterpart is refused, naming it: other flags or `(?…)` forms, escapes other
/// than the Perl classes and escaped punctuation, and backslashes, nested classes or set
/// operations inside a bracket expression (POSIX reads a backslash there literally).
pub(crate) fn posix_pattern(pattern: &str) -> std::result::Result<(String, String), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut parameters = String::new();
    // Leading flag groups: `(?i)`, `(?is)`, `(?i)(?m)`.
    while chars.get(i..i + 2) == Some(&['(', '?'][..]) {
        let flags = chars[i + 2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic() || **c == '-')
            .count();
        let end = i + 2 + flags;
        if chars.get(end) != Some(&')') {
            break; // a group (`(?:`, `(?P<`, `(?i:`…), handled below
        }
        for &flag in &chars[i + 2..end] {
            match flag {
                'i' | 'm' | 's' => {
                    if !parameters.contains(flag) {
                        parameters.push(flag);
                    }
                }
                other => return Err(format!("the regular expression flag `{other}`")),
            }
        }
        i = end + 1;
    }
    let mut out = String::with_capacity(pattern.len());
    // Whether the last token was a quantifier (a `?` after it makes it lazy).
    let mut after_quantifier = false;
    while i < chars.len() {
        let c = chars[i];
        let mut quantifier = false;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err("a regular expression ending in `\\`".to_string());
                };
                if next.is_alphanumeric() && !"dDsSwWbB".contains(next) {
                    return Err(format!("the regular expression escape `\\{next}`"));
                }
                out.push(c);
                out.push(next);
                i += 2;
                after_quantifier = false;
                continue;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                let rest: String = chars[i + 2..].iter().take(3).collect();
                let skip = if rest.starts_with(':') {
                    Some(3)
                } else if rest.starts_with("P<") {
                    chars[i..].iter().position(|&c| c == '>').map(|p| p + 1)
                } else if rest.starts_with('<') {
                    chars[i..].iter().position(|&c| c == '>').map(|p| p + 1)
                } else {
                    None
                };
                match skip {
                    Some(skip) => {
                        out.push('(');
                        i += skip;
                    }
                    None => {
                        return Err(
                            "inline flags or `(?…)` groups inside a regular expression".to_string()
                        )
                    }
                }
                after_quantifier = false;
                continue;
            }
            '[' => {
                let end = bracket_expression(&chars, i)?;
                out.extend(&chars[i..end]);
                i = end;
                after_quantifier = false;
                continue;
            }
            '{' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map_or(chars.len(), |p| i + p + 1);
                out.extend(&chars[i..end]);
                i = end;
                after_quantifier = true;
                continue;
            }
            '?' if after_quantifier => {
                // Lazy: the same matches exist, so a search finds one exactly when greedy does.
                i += 1;
                after_quantifier = false;
                continue;
            }
            '*' | '+' | '?' => quantifier = true,
            _ => {}
        }
        out.push(c);
        after_quantifier = quantifier;
        i += 1;
    }
    Ok((out, parameters))
}

/// The end (exclusive) of the bracket expression opening at `start`, refusing what POSIX reads
/// differently from Rust.
fn bracket_expression(chars: &[char], start: usize) -> std::result::Result<usize, String> {
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    // A leading `]` is a literal in both.
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    while let Some(&c) = chars.get(i) {
        match c {
            ']' => return Ok(i + 1),
            '\\' => return Err("a backslash inside a regular expression's `[…]`".to_string()),
            '[' if chars.get(i + 1) == Some(&':') => {
                // A POSIX class `[:alpha:]`, the same in both.
                let close = chars[i..]
                    .windows(2)
                    .position(|w| w == [':', ']'])
                    .ok_or_else(|| "an unclosed `[:class:]`".to_string())?;
                i += close + 2;
                continue;
            }
            '[' => return Err("a nested class inside a regular expression's `[…]`".to_string()),
            '&' | '-' | '~' if chars.get(i + 1) == Some(&c) => {
                return Err(format!(
                    "the class operation `{c}{c}` in a regular expression"
                ))
            }
            _ => {}
        }
        i += 1;
    }
    Ok(chars.len())
}

#[cfg(test)]
mod tests {
    use super::posix_pattern;

    fn ok(pattern: &str) -> (String, String) {
        posix_pattern(pattern).unwrap_or_else(|e| panic!("{pattern:?}: {e}"))
    }

    #[test]
    fn leading_flags_become_parameters() {
        assert_eq!(ok("(?i)alice"), ("alice".into(), "i".into()));
        assert_eq!(ok("(?is)a.b"), ("a.b".into(), "is".into()));
        assert_eq!(ok("(?i)(?m)^x$"), ("^x$".into(), "im".into()));
        assert_eq!(ok("^[A-Z][a-z]+$"), ("^[A-Z][a-z]+$".into(), String::new()));
    }

    #[test]
    fn groups_and_lazy_quantifiers_become_posix() {
        assert_eq!(ok("(?:ab)+"), ("(ab)+".into(), String::new()));
        assert_eq!(
            ok("(?P<y>\\d{4})-(?<m>\\d+)"),
            ("(\\d{4})-(\\d+)".into(), String::new())
        );
        assert_eq!(
            ok("a*?b+?c??d{2,3}?"),
            ("a*b+c?d{2,3}".into(), String::new())
        );
        assert_eq!(ok("\\??x"), ("\\??x".into(), String::new()));
        assert_eq!(ok("a??"), ("a?".into(), String::new()));
        assert_eq!(
            ok("[]?*]+?[[:alpha:]-]"),
            ("[]?*]+[[:alpha:]-]".into(), String::new())
        );
        assert_eq!(
            ok("\\bword\\b\\.\\s\\("),
            ("\\bword\\b\\.\\s\\(".into(), String::new())
        );
    }

    #[test]
    fn what_posix_lacks_is_refused() {
        for pattern in [
            "a(?i)b", "(?i:a)b", "(?x)a b", "(?-i)a", "(?U)a+", "(?=a)", "\\pL", "\\n", "\\A",
            "\\x41", "[\\d]", "[a[bc]]", "[a&&b]", "[a--b]", "a\\",
        ] {
            assert!(posix_pattern(pattern).is_err(), "{pattern:?}");
        }
    }
}
