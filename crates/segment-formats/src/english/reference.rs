//! "Who are (not) in segment “vip”": a reference to a library segment, by its id.

use segment_model::tree::SegmentReference;

/// The clause for a segment reference, its pinned revision included.
pub(super) fn phrase(reference: &SegmentReference) -> String {
    let not = if reference.negated { " not" } else { "" };
    let pinned = reference
        .revision
        .map(|r| format!(" (as saved in its revision {r})"))
        .unwrap_or_default();
    format!("who are{not} in segment “{}”{pinned}", reference.segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_membership_and_its_revision() {
        let mut r = SegmentReference::new("vip");
        assert_eq!(phrase(&r), "who are in segment “vip”");
        r.negated = true;
        r.revision = Some(3);
        assert_eq!(
            phrase(&r),
            "who are not in segment “vip” (as saved in its revision 3)"
        );
    }
}
