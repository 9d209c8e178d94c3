//! Text predicates decided over a whole dictionary at once. The distinct values lie end to end
//! in one byte buffer (and, for case-insensitive tests, a copy with ASCII letters folded to lower
//! case, built once on first use), so a test is a pass over contiguous bytes: a SIMD substring
//! search (`memchr::memmem`) for "contains", a byte comparison per value for the others, with no
//! allocation per value; chunks of the dictionary are decided on all cores. Semantics are the
//! SQL compiler's (see `eval.rs`): ASCII-only folding; starts/ends with and LIKE see text up to
//! its first NUL, `=`, `IN`, contains and regular expressions all of it.

use std::collections::HashSet;
use std::sync::OnceLock;

use memchr::memmem::Finder;
use rayon::prelude::*;

use crate::buf::Buf;
use crate::like::{Like, LikeShape};
use crate::regex_match::RegexMatcher;

/// Dictionary entries decided per parallel task (tiny in tests, so chunk edges are exercised).
#[cfg(not(test))]
const ENTRIES_PER_TASK: usize = 1 << 15;
#[cfg(test)]
const ENTRIES_PER_TASK: usize = 7;

/// A text column's distinct values laid end to end: entry `e` is
/// `raw[offsets[e]..offsets[e + 1]]`, valid UTF-8 (checked once, when made). Owned after a
/// load, borrowed from the snapshot's bytes after a start from one.
#[derive(Clone)]
pub struct Dict {
    offsets: Buf<u64>,
    raw: Buf<u8>,
    /// The same bytes with ASCII letters in lower case (`lower()` in SQLite), built on first use.
    folded: OnceLock<Vec<u8>>,
    /// Whether any value holds a NUL (else "text up to its first NUL" is the whole text).
    has_nul: bool,
}

impl std::fmt::Debug for Dict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Default for Dict {
    /// No values (offsets `[0]`, as every dictionary has one more offset than values).
    fn default() -> Self {
        Dict::from_values(std::iter::empty())
    }
}

impl PartialEq for Dict {
    fn eq(&self, other: &Self) -> bool {
        self.offsets == other.offsets && self.raw == other.raw
    }
}

impl Dict {
    pub fn new<S: AsRef<str>>(values: &[S]) -> Self {
        Self::from_values(values.iter().map(AsRef::as_ref))
    }

    pub fn from_values<'s>(values: impl Iterator<Item = &'s str>) -> Self {
        let mut offsets = vec![0u64];
        let mut raw = Vec::new();
        for value in values {
            raw.extend_from_slice(value.as_bytes());
            offsets.push(raw.len() as u64);
        }
        Self::from_built(offsets, raw)
    }

    /// A dictionary of values appended end to end from `str`s (so UTF-8, cut at character
    /// boundaries), `offsets` one more than the values, from 0.
    pub(crate) fn from_built(offsets: Vec<u64>, mut raw: Vec<u8>) -> Self {
        raw.shrink_to_fit();
        Self::assemble(offsets.into(), raw.into())
    }

    /// A dictionary from its parts as [`Dict::parts`] gives them; `None` unless the offsets
    /// start at 0, never decrease, end at the bytes' end and cut them into UTF-8 text.
    pub fn from_parts(offsets: Buf<u64>, raw: Buf<u8>) -> Option<Self> {
        let text = std::str::from_utf8(&raw).ok()?;
        let ok = offsets.first() == Some(&0)
            && offsets.last() == Some(&(raw.len() as u64))
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && offsets.iter().all(|&o| text.is_char_boundary(o as usize));
        ok.then(|| Self::assemble(offsets, raw))
    }

    /// The dictionary of checked parts (see `get`'s safety).
    fn assemble(offsets: Buf<u64>, raw: Buf<u8>) -> Self {
        let has_nul = memchr::memchr(0, &raw).is_some();
        Dict {
            offsets,
            raw,
            folded: OnceLock::new(),
            has_nul,
        }
    }

    /// The offsets (one more than the values) and the bytes.
    pub fn parts(&self) -> (&[u64], &[u8]) {
        (&self.offsets, &self.raw)
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn range(&self, e: usize) -> std::ops::Range<usize> {
        self.offsets[e] as usize..self.offsets[e + 1] as usize
    }

    /// Value `e` (panics past the end, as indexing a slice does).
    pub fn get(&self, e: usize) -> &str {
        let bytes = &self.raw[self.range(e)];
        // SAFETY: the bytes are UTF-8 and every offset is on a character boundary: checked
        // when the dictionary was made (`from_values` copies `str`s, `from_parts` checks).
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.len()).map(|e| self.get(e))
    }

    /// The code of `value`, if it is in the dictionary.
    pub fn position(&self, value: &str) -> Option<usize> {
        let value = value.as_bytes();
        (0..self.len()).find(|&e| &self.raw[self.range(e)] == value)
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    pub fn heap_bytes(&self) -> usize {
        self.offsets.len() * 8 + self.raw.len() + self.folded.get().map_or(0, Vec::len)
    }

    fn bytes(&self, fold: bool) -> &[u8] {
        if fold {
            self.folded.get_or_init(|| self.raw.to_ascii_lowercase())
        } else {
            &self.raw
        }
    }

    /// `decide(entry bytes)` for every entry, chunks on all cores.
    fn each(&self, fold: bool, decide: impl Fn(&[u8]) -> bool + Sync) -> Vec<bool> {
        let bytes = self.bytes(fold);
        let mut verdicts = vec![false; self.len()];
        verdicts
            .par_chunks_mut(ENTRIES_PER_TASK)
            .enumerate()
            .for_each(|(task, out)| {
                let first = task * ENTRIES_PER_TASK;
                for (i, verdict) in out.iter_mut().enumerate() {
                    let e = first + i;
                    *verdict = decide(&bytes[self.range(e)]);
                }
            });
        verdicts
    }

    /// `decide(value)` for the entries marked in `candidates` (the others stay unmarked), chunks
    /// on all cores.
    fn decide_candidates(
        &self,
        mut candidates: Vec<bool>,
        decide: impl Fn(&str) -> bool + Sync,
    ) -> Vec<bool> {
        candidates
            .par_chunks_mut(ENTRIES_PER_TASK)
            .enumerate()
            .for_each(|(task, out)| {
                let first = task * ENTRIES_PER_TASK;
                for (i, verdict) in out.iter_mut().enumerate() {
                    if *verdict {
                        *verdict = decide(self.get(first + i));
                    }
                }
            });
        candidates
    }

    /// The entries containing `needle` anywhere: one substring search over each chunk's bytes,
    /// an occurrence crossing into the next entry does not count.
    fn containing(&self, fold: bool, needle: &[u8]) -> Vec<bool> {
        if needle.is_empty() {
            return vec![true; self.len()];
        }
        let bytes = self.bytes(fold);
        let finder = Finder::new(needle);
        let mut verdicts = vec![false; self.len()];
        verdicts
            .par_chunks_mut(ENTRIES_PER_TASK)
            .enumerate()
            .for_each(|(task, out)| {
                let offsets = &self.offsets[task * ENTRIES_PER_TASK..];
                let offset = |i: usize| offsets[i] as usize;
                let (mut at, end) = (offset(0), offset(out.len()));
                let mut entry = 0;
                'search: loop {
                    for found in finder.find_iter(&bytes[at..end]) {
                        let position = at + found;
                        while offset(entry + 1) <= position {
                            entry += 1;
                        }
                        if position + needle.len() <= offset(entry + 1) {
                            out[entry] = true;
                        } else {
                            // It crosses into the next entry and does not count; occurrences
                            // are reported without overlap, so search again from that entry.
                            entry += 1;
                            at = offset(entry);
                            continue 'search;
                        }
                    }
                    break;
                }
            });
        verdicts
    }

    /// The entry's text up to its first NUL.
    fn before_nul<'b>(&self, entry: &'b [u8]) -> &'b [u8] {
        if self.has_nul {
            match memchr::memchr(0, entry) {
                Some(i) => &entry[..i],
                None => entry,
            }
        } else {
            entry
        }
    }
}

fn folded(value: &str, case_sensitive: bool) -> Vec<u8> {
    if case_sensitive {
        value.as_bytes().to_vec()
    } else {
        value.as_bytes().to_ascii_lowercase()
    }
}

fn negate(mut verdicts: Vec<bool>, negated: bool) -> Vec<bool> {
    if negated {
        verdicts.iter_mut().for_each(|v| *v = !*v);
    }
    verdicts
}

/// `value = dict[e]` (after folding both when case-insensitive).
pub fn equals(d: &Dict, value: &str, case_sensitive: bool, negated: bool) -> Vec<bool> {
    let value = folded(value, case_sensitive);
    negate(d.each(!case_sensitive, |e| e == value.as_slice()), negated)
}

/// `dict[e] op value` in byte order (UTF-8 bytes: code points, as SQLite's BINARY collation).
pub fn order(d: &Dict, op: segment_model::ir::CompareOp, value: &str) -> Vec<bool> {
    use segment_model::ir::CompareOp as C;
    use std::cmp::Ordering;
    let value = value.as_bytes();
    d.each(false, |e| {
        let ord = e.cmp(value);
        match op {
            C::Eq => ord == Ordering::Equal,
            C::Ne => ord != Ordering::Equal,
            C::Lt => ord == Ordering::Less,
            C::Le => ord != Ordering::Greater,
            C::Gt => ord == Ordering::Greater,
            C::Ge => ord != Ordering::Less,
        }
    })
}

/// `dict[e] IN (values)`.
pub fn one_of(d: &Dict, values: &[String], case_sensitive: bool, negated: bool) -> Vec<bool> {
    let values: Vec<Vec<u8>> = values.iter().map(|v| folded(v, case_sensitive)).collect();
    let verdicts = if values.len() <= 8 {
        d.each(!case_sensitive, |e| {
            values.iter().any(|v| v.as_slice() == e)
        })
    } else {
        let set: HashSet<&[u8]> = values.iter().map(Vec::as_slice).collect();
        d.each(!case_sensitive, |e| set.contains(e))
    };
    negate(verdicts, negated)
}

/// `instr(dict[e], value) > 0`: the whole text, NULs included.
pub fn contains(d: &Dict, value: &str, case_sensitive: bool, negated: bool) -> Vec<bool> {
    let needle = folded(value, case_sensitive);
    negate(d.containing(!case_sensitive, &needle), negated)
}

/// Starts with, on the text up to its first NUL (a value holding a NUL never matches).
pub fn starts_with(d: &Dict, value: &str, case_sensitive: bool, negated: bool) -> Vec<bool> {
    let needle = folded(value, case_sensitive);
    let verdicts = if needle.contains(&0) {
        vec![false; d.len()]
    } else {
        // Without a NUL in the needle, "starts with" on the whole text is the same test.
        d.each(!case_sensitive, |e| e.starts_with(&needle))
    };
    negate(verdicts, negated)
}

/// Ends with, on the text up to its first NUL.
pub fn ends_with(d: &Dict, value: &str, case_sensitive: bool, negated: bool) -> Vec<bool> {
    let needle = folded(value, case_sensitive);
    let verdicts = if needle.contains(&0) {
        vec![false; d.len()]
    } else {
        d.each(!case_sensitive, |e| d.before_nul(e).ends_with(&needle))
    };
    negate(verdicts, negated)
}

/// SQL LIKE. Entries lacking the pattern's longest literal run are ruled out by one substring
/// search first; the others run the matcher.
pub fn like(d: &Dict, pattern: &str, case_sensitive: bool, negated: bool) -> Vec<bool> {
    let like = Like::new(pattern, case_sensitive);
    let fold = !case_sensitive;
    // The literals hold no NUL (the pattern ends at its first), so "starts with" needs no cut.
    let verdicts = match like.shape() {
        LikeShape::Exact(literal) => Some(d.each(fold, |e| d.before_nul(e) == literal.as_slice())),
        LikeShape::Prefix(literal) => Some(d.each(fold, |e| e.starts_with(&literal))),
        LikeShape::Suffix(literal) => Some(d.each(fold, |e| d.before_nul(e).ends_with(&literal))),
        LikeShape::Infix(literal) if !d.has_nul => Some(d.containing(fold, &literal)),
        LikeShape::Infix(_) | LikeShape::General => None,
    };
    if let Some(verdicts) = verdicts {
        return negate(verdicts, negated);
    }
    let literal = like.longest_literal();
    let verdicts = if literal.len() >= 2 {
        let candidates = d.containing(fold, &literal);
        let bytes = d.bytes(fold);
        let mut verdicts = candidates;
        verdicts
            .par_chunks_mut(ENTRIES_PER_TASK)
            .enumerate()
            .for_each(|(task, out)| {
                let first = task * ENTRIES_PER_TASK;
                for (i, verdict) in out.iter_mut().enumerate() {
                    if *verdict {
                        let e = first + i;
                        let entry = &bytes[d.range(e)];
                        *verdict = like.matches_prepared(d.before_nul(entry));
                    }
                }
            });
        verdicts
    } else {
        d.each(fold, |e| like.matches_prepared(d.before_nul(e)))
    };
    negate(verdicts, negated)
}

/// `dict[e] REGEXP pattern`: values lacking a literal every match contains are ruled out by one
/// substring search first; the others are decided by the matcher (a DFA walk when it has one,
/// see `regex_match`), on all cores.
pub fn regex(d: &Dict, matcher: &RegexMatcher, negated: bool) -> Vec<bool> {
    let candidates = match matcher.required_literal() {
        Some(literal) if literal.len() >= 2 => d.containing(false, literal),
        _ => vec![true; d.len()],
    };
    negate(
        d.decide_candidates(candidates, |value| matcher.is_match(value)),
        negated,
    )
}

/// `length(dict[e])`: characters up to the first NUL.
pub fn lengths_match(d: &Dict, test: impl Fn(usize) -> bool + Sync) -> Vec<bool> {
    d.each(false, |e| {
        let chars = d
            .before_nul(e)
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count();
        test(chars)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The per-value definitions the dictionary passes must equal (the engine's before them).
    fn fold(s: &str, case_sensitive: bool) -> String {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_ascii_lowercase()
        }
    }

    fn before_nul(s: &str) -> &str {
        s.split('\0').next().unwrap_or_default()
    }

    /// SQLite's LIKE on characters, one value at a time.
    fn like_reference(pattern: &str, text: &str, case_sensitive: bool) -> bool {
        let f = |c: char| {
            if case_sensitive {
                c
            } else {
                c.to_ascii_lowercase()
            }
        };
        let mut tokens = Vec::new(); // None = %, Some(None) = _, Some(Some(c)) = c
        let mut chars = before_nul(pattern).chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => tokens.push(None),
                '_' => tokens.push(Some(None)),
                '\\' => match chars.next() {
                    Some(e) => tokens.push(Some(Some(f(e)))),
                    None => return false,
                },
                c => tokens.push(Some(Some(f(c)))),
            }
        }
        let text: Vec<char> = before_nul(text).chars().map(f).collect();
        fn go(tokens: &[Option<Option<char>>], text: &[char]) -> bool {
            match tokens.first() {
                None => text.is_empty(),
                Some(None) => (0..=text.len()).any(|i| go(&tokens[1..], &text[i..])),
                Some(Some(None)) => !text.is_empty() && go(&tokens[1..], &text[1..]),
                Some(Some(Some(c))) => text.first() == Some(c) && go(&tokens[1..], &text[1..]),
            }
        }
        go(&tokens, &text)
    }

    fn value() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('A'),
                Just('b'),
                Just('B'),
                Just('\0'),
                Just('é'),
                Just('É'),
                Just('_'),
                Just('%'),
                Just('\\'),
            ],
            0..6,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn dictionary_passes_equal_the_per_value_tests(
            dict in proptest::collection::vec(value(), 0..40),
            needle in value(),
            others in proptest::collection::vec(value(), 0..12),
            case_sensitive in any::<bool>(),
            negated in any::<bool>(),
        ) {
            let d = Dict::new(&dict);
            let each = |test: &dyn Fn(&str) -> bool| -> Vec<bool> {
                dict.iter().map(|s| test(s) != negated).collect()
            };
            let n = fold(&needle, case_sensitive);
            prop_assert_eq!(
                equals(&d, &needle, case_sensitive, negated),
                each(&|s| fold(s, case_sensitive) == n)
            );
            let folded_others: Vec<String> =
                others.iter().map(|o| fold(o, case_sensitive)).collect();
            prop_assert_eq!(
                one_of(&d, &others, case_sensitive, negated),
                each(&|s| folded_others.contains(&fold(s, case_sensitive)))
            );
            prop_assert_eq!(
                contains(&d, &needle, case_sensitive, negated),
                each(&|s| fold(s, case_sensitive).contains(n.as_str()))
            );
            prop_assert_eq!(
                starts_with(&d, &needle, case_sensitive, negated),
                each(&|s| before_nul(&fold(s, case_sensitive)).starts_with(n.as_str()))
            );
            prop_assert_eq!(
                ends_with(&d, &needle, case_sensitive, negated),
                each(&|s| before_nul(&fold(s, case_sensitive)).ends_with(n.as_str()))
            );
            prop_assert_eq!(
                like(&d, &needle, case_sensitive, negated),
                each(&|s| like_reference(&needle, s, case_sensitive))
            );
            let wanted = needle.chars().count();
            prop_assert_eq!(
                lengths_match(&d, |chars| chars == wanted),
                dict.iter().map(|s| before_nul(s).chars().count() == wanted).collect::<Vec<_>>()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn regular_expressions_over_the_dictionary_equal_is_match_per_value(
            dict in proptest::collection::vec(value(), 0..40),
            pattern in prop_oneof![
                Just(r"ab"), Just(r"^aB"), Just(r"é\x00"), Just(r"(?i)ab"), Just(r"b%$"),
                Just(r"\\"), Just(r"^$"), Just(r"a*"), Just(r"\bab"), Just(r"(?-u:\B)"),
                Just(r"(ab|é)+_"), Just(r"[^a]é"), Just(r"(?m)^b"), Just(r"x|"),
            ],
            negated in any::<bool>(),
        ) {
            let d = Dict::new(&dict);
            let reference = ::regex::Regex::new(pattern).unwrap();
            let matcher = RegexMatcher::new(pattern).unwrap();
            prop_assert_eq!(
                regex(&d, &matcher, negated),
                dict.iter().map(|s| reference.is_match(s) != negated).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_literal_crossing_into_the_next_value_is_no_regex_candidate() {
        let dict: Vec<String> = ["xa", "bx", "ab", "a\0b", "é@ab"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let d = Dict::new(&dict);
        let matcher = RegexMatcher::new("ab").unwrap();
        assert_eq!(matcher.required_literal(), Some(&b"ab"[..]));
        assert_eq!(
            regex(&d, &matcher, false),
            [false, false, true, false, true]
        );
        assert_eq!(regex(&d, &matcher, true), [true, true, false, true, false]);
    }

    #[test]
    fn like_patterns_with_long_literals_use_the_prefilter_and_stay_exact() {
        let dict: Vec<String> = [
            "ann@GMAIL.com",
            "gmail",
            "x@gmail.co",
            "Ann@gmail.com\0x",
            "é@gmail.com",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let d = Dict::new(&dict);
        assert_eq!(
            like(&d, "%@gmail.com", false, false),
            [true, false, false, true, true]
        );
        assert_eq!(
            like(&d, "%@gmail.com", true, false),
            [false, false, false, true, true]
        );
        assert_eq!(
            like(&d, "_@gmail.com", false, false),
            [false, false, false, false, true]
        );
        assert_eq!(
            contains(&d, "gmail.com", false, false),
            [true, false, false, true, true]
        );
        assert_eq!(
            ends_with(&d, ".com", true, false),
            [true, false, false, true, true]
        );
        assert_eq!(
            contains(&d, "\0x", true, false),
            [false, false, false, true, false]
        );
        assert_eq!(
            starts_with(&d, "ANN", false, true),
            [false, true, true, false, true]
        );
    }
}
