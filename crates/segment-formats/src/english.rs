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
