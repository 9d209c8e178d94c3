//! A sequence of related records: 2–5 steps, each a filter on the related entity, with
//! "within" spans (minutes to weeks, fixed lengths) and exclusions between steps.

use crate::ir::{Expr, RelatedConstraint, SequenceStep};
use crate::schema::Entity;
use crate::tree::{Group, SequenceStep as TreeStep, Span as Length, TimeUnit};

use super::{Checker, Timed};

/// Fewest and most steps of a sequence.
const STEPS: std::ops::RangeInclusive<usize> = 2..=5;

impl<'s> Checker<'s> {
    pub(super) fn sequence(
        &mut self,
        steps: &[TreeStep],
        within: Option<&Length>,
        related: &'s Entity,
        timed: &Timed,
        path: &str,
        depth: usize,
    ) -> Option<RelatedConstraint> {
        let column = self.sequence_column(timed, path);
        if !STEPS.contains(&steps.len()) {
            self.problem(
                format!("{path}/steps"),
                format!("A sequence has 2 to 5 steps; this one has {}.", steps.len()),
            );
            return None;
        }
        let within = within.and_then(|span| self.seconds_of(span, &format!("{path}/within")));
        let mut lowered = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let step_path = format!("{path}/steps/{i}");
            let test =
                self.step_filter(&step.filter, related, &format!("{step_path}/filter"), depth);
            let gap = step
                .within
                .as_ref()
                .and_then(|span| self.seconds_of(span, &format!("{step_path}/within")));
            let excluding = step.excluding.as_ref().map(|group| {
                self.step_filter(group, related, &format!("{step_path}/excluding"), depth)
            });
            if i == 0 && (step.within.is_some() || step.excluding.is_some()) {
                self.problem(
                    step_path,
                    "The first step has no previous step to be within or to exclude from.",
                );
            }
            lowered.push(SequenceStep {
                test,
                gap,
                excluding,
            });
        }
        Some(RelatedConstraint::Sequence {
            column: column?,
            steps: lowered,
            within,
        })
    }

    fn sequence_column(&mut self, timed: &Timed, path: &str) -> Option<crate::ir::ColumnRef> {
        match timed {
            Ok(column) => Some(column.clone()),
            Err(related) => {
                self.problem(
                    path,
                    format!("{related} has no date/time column, so its records have no order."),
                );
                None
            }
        }
    }

    /// A step's filter; an empty group is any record.
    fn step_filter(
        &mut self,
        group: &Group,
        related: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Expr {
        match (group.children.is_empty(), group.negated) {
            (true, false) => Expr::True,
            (true, true) => Expr::False,
            (false, _) => self.group(group, related, path, depth + 1),
        }
    }

    /// A span in seconds: minutes, hours, days (86,400 s: UTC has no daylight saving) or weeks.
    fn seconds_of(&mut self, span: &Length, path: &str) -> Option<i64> {
        let unit = match span.unit {
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3_600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
            TimeUnit::Month | TimeUnit::Year => {
                self.problem(
                    format!("{path}/unit"),
                    "Say “within” in minutes, hours, days or weeks (months and years vary in length).",
                );
                return None;
            }
        };
        Some(i64::from(span.amount) * unit)
    }
}
