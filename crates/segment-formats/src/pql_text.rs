//! Adobe PQL in `pql/text` (seed 001), rendered from and parsed into the canonical tree.
//!
//! Attributes are bare field names of the profile, as in the seed (`workAddress.country = "US"`;
//! `$1.workAddress.country` is read too); a canonical attribute with dots is a nested field path.
//! Values are PQL literals: strings in double (written) or single (read) quotes with backslash
//! escapes, integers, doubles (`30.5`), `true`/`false`, lists `[…]`, dates `date(y, m, d)`.
//! Keywords are read in any case (`AND`, `Exists`, `CHAIN`, `WHAT`), as Adobe's documents write
//! them.
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
//! | date part is | `f.getYear()`, `f.getMonth()`, `f.getDayOfMonth()` `= v` or `in [..]` (read also: a month or day compared with `<`, `<=`, `>`, `>=`, `!=`, as the list it allows) |
//! | this year / today, yesterday, tomorrow | `f occurs this year` / `f occurs this day`, `last day`, `next day` (read also: `f.getYear() = currentYear()`, `f occurs today`, `occurs on yesterday`…) |
//! | list contains any of (one item) | read also: `f.includes("x")` |
//! | matches regex | read also: `f matches "re"` |
//! | list contains any / all of | `f.intersects([..])` / `f.supersetOf([..])` |
//! | list size = < > | `f.count() = n`, `<`, `>` |
//! | relationship, at least one | `exists E from events where E.name = "purchase"` (read also: `exists E from events : …`, a `select E from events where …` on its own, a one-step `chain(events, ts, [A: WHAT(name = "purchase")])`) |
//! | sequence of related records | `chain(events, ts, [A: WHAT(name = "view"), B: WHAT(name = "buy") WHEN(<= 7 days after A), C: WHAT(…) WHEN(<= 1 day after A)])`: each step's `WHEN(<= N units after <previous>)` is its gap, the last step's `WHEN(<= N units after <first>)` the whole span; the relationship's filter and window are written as conditions of every step's `WHAT`; read also: a `WHEN` relative to now or a date (`WHEN(<= 24 hours before now)`, `WHEN(today)`) as a condition on that step's time |
//! | in / not in segment | `inSegment("id")` / `not (inSegment("id"))` |
//! | relationship, count | `(select E from events where …).count() >= 3` (`>=`, `<=`, `=`, `>`, `<`, `!=`) |
//! | relationship, aggregate | `(select E from events where …).sum(E.amount) > 100` (`sum`, `average`, `min`, `max`; read also: `(sum E.amount over E from events where …) > 100`) |
//! | time window | the last condition of the `where`: `E.ts occurs <= 30 days before now` |
//! | AND / OR / NOT group | `and`, `or`, `not (…)`; an empty root is `true` (`false` when negated) |
//!
//! A second variable over the first's own collection (`exists E from events where …, I from
//! E.items where …`) is read as a condition on E's items inside E's condition (the tuples exist
//! exactly when such an E exists).
//!
//! Not read (refused naming the PQL construct and its line and column): `forall`; `exists` or
//! `select` over two independent collections (`…, A2 from events …`); chain `COUNT(…)`, a `WHEN` before a
//! step, a step gap in months or years or with another comparison than `<=`, a `WHEN` naming a
//! step that is neither the previous one nor (on the last step) the first, more than 5 steps;
//! `… before today` and times counted from a field or a date; `currentMonth()` and
//! `currentDayOfMonth()` (a date's part relative to today), `currentYear()` other than as
//! `getYear() = currentYear()`; `let`, `sum … over …`, `if(…)`, lambdas, arithmetic, filter
//! brackets (`xEvent[…]`), other functions; two fields compared.
//!
//! Not expressible (rendering reports them by name and node path): raw SQL conditions; is blank /
//! is not blank; length comparisons; number between / not between; not on, on or before, on or
//! after; dates with a time of day; Census `days_ago`/blank between bounds; fractional days;
//! the weekday date part; contains none of; is empty / is not empty; the tests on list items (has
//! an item starting / ending with, containing; every item is); case-insensitive is one of /
//! is none of; a case-sensitive like (`like` is read as ignoring case, as SQL LIKE); a count or
//! aggregate between two numbers; count distinct; the first / last time, the first / most recent
//! record and distinct periods of related records (PQL's `topN`/`bottomN` pick one record where
//! ties and NULL times need all or none); a sequence step "with no … in between" (a chain has no
//! exclusions), a last step with its own gap and the whole span too (a step has one `WHEN`); a
//! segment reference pinned to a revision; a sum compared so that 0 matches (Adobe documents
//! `sum` as 0 when no selected record has a value, where the model's sum of no values matches
//! nothing; read likewise); a negated empty relationship filter (no related
//! record); attribute or relationship names that are not PQL identifiers.
//!
//! `chain` is read as the canonical sequence (ARCHITECTURE.md, "Sequences"): one record per step,
//! at strictly increasing times (whole seconds), each passing its `WHAT`; Adobe documents the
//! order and the `WHEN`s but not ties, which this reading excludes. `like`: Adobe documents its
//! `%` and `_` wildcards but not its case sensitivity; it is read, and written, as the model's
//! `like`, which folds ASCII case as SQL LIKE does (English says "ignoring case"); a
//! case-sensitive like is not written (use `matches`).
//!
//! NULL: PQL documents `notIn` as excluding null values, the string functions and their
//! negations (`contains`, `doesNotContain`…) as false on a missing value, and null propagating
//! up to a boolean position where it is false; so a comparison with a missing value is false, as
//! in SQL, and the model's rule (a NULL satisfies only null checks) is what the text means.
//! `not (…)` is read as the model's NOT, the exact complement: `not (country = "US")` holds for
//! a profile without a country, while `country != "US"` does not.

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
