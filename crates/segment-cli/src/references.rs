//! `--store` for the commands that check a segment (`validate`, `count`, `sample`, `sql`,
//! `render`): the library segments an "is in segment" condition refers to, read from the
//! segment library (opened only when the segment refers to one, so no library is created
//! otherwise).

use segment_model::Segment;
use segment_service::References;

use crate::library::StoreArg;
use crate::Failure;

/// The references of `segment`, gathered from the library `store` names (or the default).
pub fn gather(segment: &Segment, store: &StoreArg) -> Result<References, Failure> {
    if !References::needed(segment) {
        return Ok(References::none());
    }
    let (mut library, _) = store.open()?;
    Ok(References::gather(segment, &mut library))
}
