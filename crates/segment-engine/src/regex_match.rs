//! Regular expressions decided per dictionary value at memory speed, with exactly the answer of
//! `regex::Regex::is_match` (SQLite's `REGEXP` in this project, see `segment-source`'s sandbox).
//!
//! The pattern is parsed with the same syntax options as `regex::Regex::new` (regex-automata's
//! defaults are regex's) and compiled once into a dense DFA, which every task then walks inline
//! over a value's bytes: from the start state, byte by byte, stopping at the first match state
//! (some match ends there) or at the dead state (none can), then the end-of-input transition.
//! Whether a match exists does not depend on which match `regex` would report, so the DFA's
//! match semantics (leftmost-first) and the earliest stop give the same verdict.
//!
//! The one place where "a match exists" and `is_match` differ is an empty match that splits a
//! UTF-8 character: `regex` skips those. So a pattern that can match the empty string walks the
//! DFA only when every empty match falls on a character boundary: when it is anchored at the
//! start (every match starts at 0), or when its only assertions are the text and line anchors
//! (an empty match without assertions also matches at 0; a line anchor holds only next to an
//! ASCII byte or an end). Non-empty matches of a `&str` pattern are whole characters.
//!
//! Everything else, and a DFA that would be too large or cannot be built (Unicode word
//! boundaries), runs `Regex::is_match` itself.
//!
//! When every match must contain one literal (a run of characters not under an alternation or
//! an optional repetition, e.g. `gmail\.com` in `@gmail\.com$`), that literal is offered as a
//! prefilter: a value without it cannot match.

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::primitives::StateID;
use regex_automata::util::{start, syntax};
use regex_automata::Anchored;
use regex_syntax::hir::{Hir, HirKind, Look, LookSet};

/// Compiled regexes larger than this are refused, by the engine and by SQLite's `REGEXP` alike
/// (hostile patterns cannot eat the memory; a pattern counts in both or is an error in both).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Largest transition table built (bytes): patterns of a few classes need a few KiB, and a
/// table this size still sits in a core's L2 cache.
const DFA_SIZE_LIMIT: usize = 1 << 20;

/// Heap allowed while determinizing, which bounds the time a hostile pattern costs before the
/// fallback.
const DETERMINIZE_SIZE_LIMIT: usize = 4 << 20;

/// Largest NFA compiled on the way to the DFA (as `segment-source` limits the regex itself).
const NFA_SIZE_LIMIT: usize = 1 << 20;

/// `regex::Regex::is_match` for many values: a DFA walk when the pattern allows one (module
/// docs), else the regex; plus the literal every match contains, if any.
pub struct RegexMatcher {
    regex: regex::Regex,
    walk: Option<DfaWalk>,
    required_literal: Option<Vec<u8>>,
}

/// A dense DFA and the start state every value begins from (each value is its own haystack, so
/// the look-behind is always "start of text").
struct DfaWalk {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
}

impl RegexMatcher {
    /// The matcher of `pattern` compiled as `regex::Regex::new` compiles it (its error when it
    /// does not compile).
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()?;
        // The same defaults as `Regex::new`'s (so the same language), see the module docs.
        let hir = syntax::parse(pattern).ok();
        Ok(RegexMatcher {
            regex,
            walk: hir.as_ref().and_then(DfaWalk::compile),
            required_literal: hir.as_ref().and_then(required_literal),
        })
    }

    /// Exactly `regex.is_match(value)`.
    pub fn is_match(&self, value: &str) -> bool {
        match self
            .walk
            .as_ref()
            .and_then(|w| w.is_match(value.as_bytes()))
        {
            Some(matched) => matched,
            None => self.regex.is_match(value),
        }
    }

    /// Whether values are decided by the DFA (else by the regex).
    pub fn walks_a_dfa(&self) -> bool {
        self.walk.is_some()
    }

    /// Bytes every match contains, when the pattern requires some.
    pub fn required_literal(&self) -> Option<&[u8]> {
        self.required_literal.as_deref()
    }
}

impl DfaWalk {
    fn compile(hir: &Hir) -> Option<Self> {
        let properties = hir.properties();
        let anchored = properties.look_set_prefix().contains(Look::Start);
        let can_match_empty = properties.minimum_len() == Some(0);
        if can_match_empty && !anchored && !only_anchors(properties.look_set()) {
            return None;
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
            )
            .build_from_hir(hir)
            .ok()?;
        let (start_kind, anchored) = if anchored {
            (StartKind::Anchored, Anchored::Yes)
        } else {
            (StartKind::Unanchored, Anchored::No)
        };
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(start_kind)
                    // The walk below checks only match, dead and quit states.
                    .accelerate(false)
                    .specialize_start_states(false)
                    .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                    .determinize_size_limit(Some(DETERMINIZE_SIZE_LIMIT)),
            )
            .build_from_nfa(&nfa)
            .ok()?;
        let start = dfa
            .start_state(&start::Config::new().anchored(anchored))
            .ok()?;
        Some(DfaWalk { dfa, start })
    }

    /// Whether some match lies in `value`; `None` at a quit byte (none are configured, but the
    /// regex then decides rather than a guess).
    fn is_match(&self, value: &[u8]) -> Option<bool> {
        let dfa = &self.dfa;
        let mut state = self.start;
        if let Some(verdict) = self.settled(state) {
            return verdict;
        }
        for &byte in value {
            state = dfa.next_state(state, byte);
            if let Some(verdict) = self.settled(state) {
                return verdict;
            }
        }
        Some(dfa.is_match_state(dfa.next_eoi_state(state)))
    }

    /// The verdict once `state` decides it: a match state (a match ended one byte back), the
    /// dead state, or a quit state (`Some(None)`: ask the regex).
    #[inline(always)]
    fn settled(&self, state: StateID) -> Option<Option<bool>> {
        let dfa = &self.dfa;
        if !dfa.is_special_state(state) {
            None
        } else if dfa.is_match_state(state) {
            Some(Some(true))
        } else if dfa.is_dead_state(state) {
            Some(Some(false))
        } else if dfa.is_quit_state(state) {
            Some(None)
        } else {
            None
        }
    }
}

/// Whether every assertion is a text or line anchor (each holds only at a character boundary).
fn only_anchors(looks: LookSet) -> bool {
    looks.iter().all(|look| {
        matches!(
            look,
            Look::Start | Look::End | Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF
        )
    })
}

/// The longest literal that every match of `hir` contains (a literal of a concatenation, of a
/// group, or of a repetition taken at least once), if any.
fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_vec()),
        HirKind::Capture(capture) => required_literal(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required_literal(&repetition.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_literal)
            .max_by_key(Vec::len),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of patterns: literals (ASCII, Unicode, NUL, metacharacters escaped), classes,
    /// anchors, ASCII and Unicode word boundaries, flags.
    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a"),
            Just("b"),
            Just("ab"),
            Just("é"),
            Just("É"),
            Just("☃"),
            Just(r"\."),
            Just("@"),
            Just(r"\x00"),
            Just(r"\n"),
            Just("."),
            Just("[a-z]"),
            Just("[^a]"),
            Just(r"[0-9]"),
            Just(r"\d"),
            Just(r"\w"),
            Just(r"\s"),
            Just(r"\p{L}"),
            Just("[é-ê]"),
            Just("^"),
            Just("$"),
            Just("(?m:^)"),
            Just("(?m:$)"),
            Just(r"\A"),
            Just(r"\z"),
            Just(r"\b"),
            Just(r"\B"),
            Just(r"(?-u:\b)"),
            Just(r"(?-u:\B)"),
            Just(r"\b{start}"),
            Just("(?i)a"),
            Just("(?i:é)"),
            Just("(?i:AB)"),
            Just("(?s:.)"),
            Just("(?-u:[a-z])"),
            Just(""),
        ]
        .prop_map(str::to_string)
    }

    fn pattern() -> impl Strategy<Value = String> {
        atom().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|p| p.concat()),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}|{b}")),
                (
                    inner.clone(),
                    prop_oneof![
                        Just("*"),
                        Just("+"),
                        Just("?"),
                        Just("{1,3}"),
                        Just("{2}"),
                        Just("*?"),
                        Just("+?"),
                    ]
                )
                    .prop_map(|(a, r)| format!("(?:{a}){r}")),
                inner.clone().prop_map(|a| format!("({a})")),
                inner.prop_map(|a| format!("(?i:{a})")),
            ]
        })
    }

    fn value() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('b'),
                Just('A'),
                Just('B'),
                Just('é'),
                Just('É'),
                Just('☃'),
                Just('\0'),
                Just('.'),
                Just('@'),
                Just('1'),
                Just('\n'),
                Just('\r'),
                Just(' '),
                Just('_'),
            ],
            0..8,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    fn matcher(pattern: &str) -> RegexMatcher {
        RegexMatcher::new(pattern).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn the_matcher_equals_regex_is_match(
            pattern in pattern(),
            values in proptest::collection::vec(value(), 1..12),
        ) {
            let regex = regex::RegexBuilder::new(&pattern).size_limit(REGEX_SIZE_LIMIT).build();
            let ours = RegexMatcher::new(&pattern);
            prop_assert_eq!(regex.is_ok(), ours.is_ok());
            let (Ok(regex), Ok(ours)) = (regex, ours) else { return Ok(()) };
            for value in &values {
                prop_assert_eq!(ours.is_match(value), regex.is_match(value), "value {:?}", value);
                if let Some(literal) = ours.required_literal() {
                    if regex.is_match(value) {
                        prop_assert!(
                            memchr::memmem::find(value.as_bytes(), literal).is_some(),
                            "a match without the required literal {:?}", literal
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_benchmark_pattern_and_plain_patterns_walk_a_dfa() {
        for pattern in [
            r"^[a-z]+\.[a-z]+[0-9]*@",
            r"@gmail\.com$",
            "(?i)GMAIL",
            r"\w+@",
            "é|☃",
        ] {
            assert!(matcher(pattern).walks_a_dfa(), "{pattern}");
        }
        let m = matcher(r"^[a-z]+\.[a-z]+[0-9]*@");
        assert!(m.is_match("ann.lee42@example.com"));
        assert!(!m.is_match("ann@example.com"));
        assert!(!m.is_match(""));
        assert!(!m.is_match("x ann.lee@"));
    }

    /// Within the regex size limit, but its DFA is not.
    const LARGE_DFA: &str = r"[ab]*a[ab]{20}";

    #[test]
    fn patterns_beyond_the_size_limit_are_refused_as_sqlite_refuses_them() {
        assert!(RegexMatcher::new(r"\w{40}\s\w{40}").is_err());
        assert!(RegexMatcher::new(LARGE_DFA).is_ok());
    }

    #[test]
    fn patterns_the_dfa_cannot_serve_fall_back_to_the_regex() {
        // Unicode word boundaries, an ASCII non-boundary (an empty match inside "é" is
        // skipped by `regex`), a table beyond the size limit.
        for pattern in [r"\bann\b", r"(?-u:\B)", LARGE_DFA] {
            assert!(!matcher(pattern).walks_a_dfa(), "{pattern}");
        }
        let m = matcher(r"(?-u:\B)");
        let regex = regex::Regex::new(r"(?-u:\B)").unwrap();
        for value in ["é", "", "a", "aé", "☃", "ab"] {
            assert_eq!(m.is_match(value), regex.is_match(value), "{value:?}");
        }
        assert!(matcher(r"\bann\b").is_match("jo ann"));
    }

    #[test]
    fn empty_matches_on_character_boundaries_only_walk_the_dfa() {
        for pattern in ["a*", "^", "$", "(?m)^$", r"^(?-u:\B)", ""] {
            let m = matcher(pattern);
            assert!(m.walks_a_dfa(), "{pattern}");
            let regex = regex::Regex::new(pattern).unwrap();
            for value in ["", "é", "a\n", "\n\n", "☃☃"] {
                assert_eq!(
                    m.is_match(value),
                    regex.is_match(value),
                    "{pattern} {value:?}"
                );
            }
        }
    }

    #[test]
    fn required_literals_come_only_from_parts_every_match_has() {
        let literal = |p: &str| matcher(p).required_literal().map(<[u8]>::to_vec);
        assert_eq!(literal(r"@gmail\.com$"), Some(b"@gmail.com".to_vec()));
        assert_eq!(literal(r"^[a-z]+(abc)+x"), Some(b"abc".to_vec()));
        assert_eq!(literal("é☃"), Some("é☃".as_bytes().to_vec()));
        assert_eq!(literal("(abc)?"), None);
        assert_eq!(literal("abc|abd"), None);
        assert_eq!(literal("(?i)abc"), None);
        assert_eq!(literal("[a-z]+"), None);
    }
}
