//! Adobe PQL in `pql/text` (seed 001), rendered from and parsed into the canonical tree.
//!
//! Attributes are bare field names of the profile, as in the seed (`workAddress.country = "US"`);
//! a canonical attribute with dots is a nested field path. Values are PQL literals: strings in
//! double quotes with backslash escapes, integers, doubles (`30.5`), `true`/`false`, lists
//! `[…]`, dates `date(y, m, d)`.
//!
//! | canonical operator | PQL text |
//! | --- | --- |
//! | is / is not | `f = "x"` / `f != "x"`; case-insensitive: `f.equals("x", false)` / `f.notEqualTo("x", false)` |
//! | is one of / is none of | `f in ["a", "b"]` / `f notIn ["a", "b"]` (text or numbers) |
//! | contains, starts with, ends with and their negations | `f.contains("x")`, `f.doesNotContain("x")`, `startsWith`, `doesNotStartWith`, `endsWith`, `doesNotEndWith`; case-insensitive with a second argument `false` |
//! | like / matches regex | `f like "%x%"` / `f.matches("re")` |
//! | is null / is not null | `f.isNull()` / `f.isNotNull()` |
//! | = ≠ < ≤ > ≥ | `f = 3`, `!=`, `<`, `<=`, `>`, `>=` |
//! | is true / is false | `f = true` / `f = false` (a bare boolean field is read as `= true`) |
//! | on / before / after a date | `f occurs on date(2024, 5, 31)`, `occurs before …`, `occurs after …` |
//! | between two dates | `f occurs between date(…) and date(…)` |
//! | in the last / next N units | `f occurs <= N units before now` / `f occurs <= N units after now` |
//! | more / less / exactly N units ago | `f occurs > N units before now`, `<`, `=` |
//! | between N and M units ago | `f occurs between N units before now and M units before now` |
//! | this / last / next unit | `f occurs this month`, `last`, `next` |
//! | date part is | `f.getYear()`, `f.getMonth()`, `f.getDayOfMonth()` `= v` or `in [..]` |
//! | list contains any / all of | `f.intersects([..])` / `f.supersetOf([..])` |
//! | list size = < > | `f.count() = n`, `<`, `>` |
//! | relationship, at least one | `exists E from events where E.name = "purchase"` |
//! | relationship, count | `(select E from events where …).count() >= 3` (`>=`, `<=`, `=`, `>`, `<`, `!=`) |
//! | relationship, aggregate | `(select E from events where …).sum(E.amount) > 100` (`sum`, `average`, `min`, `max`) |
//! | time window | the last condition of the `where`: `E.ts occurs <= 30 days before now` |
//! | AND / OR / NOT group | `and`, `or`, `not (…)`; an empty root is `true` (`false` when negated) |
//!
//! Not expressible (rendering reports them by name and node path): raw SQL conditions; is blank /
//! is not blank; length comparisons; number between / not between; not on, on or before, on or
//! after; dates with a time of day; Census `days_ago`/blank between bounds; fractional days;
//! the weekday date part; contains none of; is empty / is not empty; case-insensitive is one of /
//! is none of; a case-sensitive like (`like` is read as ignoring case, as SQL LIKE); a count or
//! aggregate between two numbers; count distinct; the first / last time, the first / most recent
//! record and distinct periods of related records (PQL's `topN`/`bottomN` pick one record where
//! ties and NULL times need all or none); a negated empty relationship filter (no related
//! record); attribute or relationship names that are not PQL identifiers.
//!
//! NULL: PQL documents `notIn` as excluding null values; for the other comparisons this crate
//! assumes, as for SQL, that a comparison with a missing value is false, so the model's rule (a
//! NULL satisfies only null checks; NOT is the complement) is what the text means.

use segment_model::{Schema, Segment};

use crate::error::{Position, Result};
use crate::pql::{self, At};
use crate::Format;

/// Renders `segment` as PQL text.
pub fn render(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<String> {
    let p = pql::lower(Format::PqlText, segment, schema, entity)?;
    Ok(pql::text::print(&p))
}

/// Parses PQL text into a (normalized) tree over `entity`, or the schema's root entity.
pub fn parse(text: &str, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let text = crate::strip_bom(text);
    let p = pql::text::parse(text)?;
    let locate = |at: &At| match at {
        At::Offset(o) => Position::in_text(text, *o),
        At::Pointer(p) => Position::json(p.clone()),
        At::Rendered => Position::in_text(text, 0),
    };
    pql::raise(Format::PqlText, &p, schema, entity, &locate)
}
