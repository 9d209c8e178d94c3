//! Translators between Segment Builder's canonical condition tree ([`segment_model::Segment`]) and
//! the formats of other segment systems. There is one model; every format here is a translator to
//! and from it (react-querybuilder style: one small module per format).
//!
//! | format | renders | parses | module |
//! | --- | --- | --- | --- |
//! | canonical JSON | yes | yes | [`segment_model::canonical`] |
//! | Census molecules | yes | yes | [`census`] |
//! | Adobe PQL text (`pql/text`) | yes | yes | [`pql_text`] |
//! | Adobe PQL JSON (`pql/json`) | yes | yes | [`pql_json`] |
//! | OData `$filter` | yes | yes | [`odata`] |
//! | Optimizely ODP definition JSON | yes | yes | [`odp`] |
//! | plain English | yes | no | [`english`] |
//!
//! Rules every translator keeps:
//! - A renderer never drops or changes a condition: what its format cannot express is an
//!   [`Error::Unsupported`] naming the construct and its node path (a JSON Pointer into the
//!   canonical document, e.g. `/root/children/2`).
//! - A parser reports malformed input as [`Error::Syntax`] at a line/column (text) or JSON
//!   Pointer (JSON) with a hint, and input the tree cannot represent as
//!   [`Error::Unrepresentable`], by name; it never approximates. Parsers are hand-written
//!   recursive descent with an explicit depth limit ([`MAX_DEPTH`]) and do not panic.
//! - Errors are bounded: user text is repeated clipped to 80 characters ([`clip`]), every
//!   message field is bounded, so a 10 MB identifier yields a short, still located error.
//! - NULL semantics are the model's (see `segment_model::ir::Predicate`): a NULL value satisfies
//!   only "is null" / "is blank"; every other condition, negative ones included, is false on
//!   NULL, and NOT is the complement. Where a format's own NULL rules differ (OData), the
//!   renderer adds guards and the parser reads the format's rules faithfully.
//! - Parsers of the non-lossless formats return trees in [`normalize`]d form, so
//!   `parse(render(t)) == normalize(t)`.

pub mod census;
pub mod english;
pub mod error;
pub mod infer;
pub mod normalize;
pub mod odata;
pub mod odp;
pub mod pql_json;
pub mod pql_text;

mod compare;
mod cursor;
mod pql;
mod resolve;
mod value;
mod walk;

use std::fmt;

use segment_model::{Schema, Segment};

pub use segment_model::canonical::DocumentFormat;
use serde::{Deserialize, Serialize};

pub use error::{clip, Error, Position, Result};
pub use infer::parse_without_data;
pub use normalize::normalize;
pub use odp::{check_segment_id, valid_segment_id};

/// Deepest nesting any parser reads (groups, NOTs, parentheses, JSON levels); deeper input is an
/// error, never a stack overflow. Equal to the model's own limit.
pub const MAX_DEPTH: usize = segment_model::validate::MAX_DEPTH;

/// Nesting levels of syntax (parentheses, NOTs, brackets, lambdas, JSON nodes) a parser reads.
/// Chosen so that the deepest input accepted stays within a 1 MiB thread stack even in an
/// unoptimized build (`tests/stack.rs` reads every parser's deepest input on exactly that);
/// deeper input is an error. A nested group is one level in PQL text and
/// OData, a negated one two (`not (`), so trees nested deeper than about 40 negated groups
/// render but do not read back from text.
pub const SYNTAX_DEPTH: usize = MAX_DEPTH + 16;

/// Every format a segment definition can be translated to or from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Segment Builder's own versioned JSON.
    Canonical,
    /// Census filter-segment molecules JSON.
    Census,
    /// Adobe Experience Platform PQL, `pql/text`.
    PqlText,
    /// Adobe Experience Platform PQL, `pql/json`.
    PqlJson,
    /// An OData `$filter` expression.
    Odata,
    /// Optimizely Data Platform real-time segment definition JSON.
    Odp,
    /// One readable sentence (or a short outline) for review.
    English,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Canonical,
        Format::Census,
        Format::PqlText,
        Format::PqlJson,
        Format::Odata,
        Format::Odp,
        Format::English,
    ];

    /// Whether segments can be written in this format.
    pub fn renders(self) -> bool {
        match self {
            Format::Canonical
            | Format::Census
            | Format::PqlText
            | Format::PqlJson
            | Format::Odata
            | Format::Odp
            | Format::English => true,
        }
    }

    /// Whether segments can be read from this format.
    pub fn parses(self) -> bool {
        match self {
            Format::Canonical
            | Format::Census
            | Format::PqlText
            | Format::PqlJson
            | Format::Odata
            | Format::Odp => true,
            Format::English => false,
        }
    }

    /// The stable name (as in CLI flags and file metadata).
    pub fn name(self) -> &'static str {
        match self {
            Format::Canonical => "canonical",
            Format::Census => "census",
            Format::PqlText => "pql_text",
            Format::PqlJson => "pql_json",
            Format::Odata => "odata",
            Format::Odp => "odp",
            Format::English => "english",
        }
    }

    /// A name for people, used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Canonical => "Canonical JSON",
            Format::Census => "Census molecules",
            Format::PqlText => "PQL (pql/text)",
            Format::PqlJson => "PQL (pql/json)",
            Format::Odata => "OData $filter",
            Format::Odp => "ODP segment definition",
            Format::English => "English",
        }
    }

    /// Reads a name as given by [`Format::name`] (also accepting `-` for `_` and any case).
    pub fn from_name(name: &str) -> Option<Format> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        Format::ALL
            .into_iter()
            .find(|f| f.name() == wanted || (wanted == "pql" && *f == Format::PqlText))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Renders `segment` in `format`. `entity` overrides the segment's base entity (as in
/// `segment_model::validate::check`).
pub fn render_as(
    format: Format,
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<String> {
    match format {
        Format::Canonical => Ok(segment_model::canonical::to_string_pretty(segment)),
        Format::Census => {
            Ok(census::to_string_pretty(segment, schema, entity).map_err(error::bound_model)?)
        }
        Format::PqlText => pql_text::render(segment, schema, entity),
        Format::PqlJson => pql_json::render(segment, schema, entity),
        Format::Odata => odata::render(segment, schema, entity),
        Format::Odp => odp::render(segment, schema, entity),
        Format::English => english::render(segment, schema, entity),
    }
}

/// Parses `text` in `format` into a tree. Canonical and Census are read losslessly (as
/// `segment_model` reads them); the other formats return [`normalize`]d trees. A leading UTF-8
/// byte-order mark is ignored.
pub fn parse_as(
    format: Format,
    text: &str,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<Segment> {
    let text = strip_bom(text);
    match format {
        Format::Canonical => segment_model::canonical::parse(text).map_err(error::bound_model),
        Format::Census => census::parse(text, schema, entity).map_err(error::bound_model),
        Format::PqlText => pql_text::parse(text, schema, entity),
        Format::PqlJson => pql_json::parse(text, schema, entity),
        Format::Odata => odata::parse(text, schema, entity),
        Format::Odp => odp::parse(text, schema, entity),
        Format::English => Err(Error::syntax(
            Format::English,
            Position::Text { line: 1, column: 1 },
            "English is written for people and is not read back",
            "import canonical JSON, Census molecules, PQL, OData or ODP instead",
        )),
    }
}

/// Reads a definition in canonical JSON or Census molecules, whichever `text` is (as
/// `segment_model::canonical::parse_any`, which it replaces for callers: Census belongs to this
/// crate). Errors are the model's, unbounded, as there.
pub fn parse_any(
    text: &str,
    schema: &Schema,
    entity: Option<&str>,
) -> segment_model::Result<(Segment, DocumentFormat)> {
    segment_model::canonical::parse_any(text, schema, entity)
}

/// `text` without a leading UTF-8 byte-order mark: editors on Windows save one, and it is not
/// part of any format (every parser would otherwise fail at line 1, column 1).
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}
