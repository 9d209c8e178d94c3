//! ANSI SQL: the generic defaults of [`Dialect`], with nothing overridden.

use super::Dialect;

/// SQL:2016 core: double-quoted identifiers, `?` placeholders, `POSITION`, `LIKE … ESCAPE`,
/// `EXTRACT` from ISO text cast to TIMESTAMP. The standard has no unanchored regular-expression
/// search (`LIKE_REGEX` is optional and rarely implemented), no weekday field, no Unix-time
/// conversion and no JSON array functions every engine shares: those are errors naming the
/// construct, so output labelled ANSI is never engine-specific.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ansi;

impl Dialect for Ansi {
    fn name(&self) -> &'static str {
        "ANSI"
    }
}
