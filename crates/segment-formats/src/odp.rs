//! (in progress)
use segment_model::{Schema, Segment};
use crate::error::{Error, Result};
use crate::Format;

pub fn render(_segment: &Segment, _schema: &Schema, _entity: Option<&str>) -> Result<String> {
    Err(Error::unsupported(Format::Odata, "anything yet", "/root", ""))
}

pub fn parse(_text: &str, _schema: &Schema, _entity: Option<&str>) -> Result<Segment> {
    Err(Error::unsupported(Format::Odata, "anything yet", "/root", ""))
}

pub fn valid_segment_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
