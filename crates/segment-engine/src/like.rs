//! SQL LIKE as SQLite evaluates it: `%` any run of characters, `_` exactly one character, `\`
//! escapes the next character, and ASCII letters match regardless of case unless the condition
//! is case-sensitive (then as SQLite's `LIKE … AND GLOB …`). Like SQLite, the
//! pattern and the text end at their first NUL.

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Char(char),
    One,
    Many,
}

/// A LIKE pattern that is a plain test of the text up to its first NUL, literals folded as
/// the pattern folds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LikeShape {
    /// The whole text equals it.
    Exact(Vec<u8>),
    /// `literal%`.
    Prefix(Vec<u8>),
    /// `%literal`.
    Suffix(Vec<u8>),
    /// `%literal%` (and `%` alone: the empty literal).
    Infix(Vec<u8>),
    General,
}

/// A compiled LIKE pattern.
#[derive(Debug, Clone)]
pub struct Like {
    tokens: Vec<Token>,
    /// A trailing escape character makes the pattern match nothing.
    dangling_escape: bool,
    /// ASCII letters match either case.
    #[cfg_attr(not(test), allow(dead_code))]
    fold: bool,
}

impl Like {
    pub fn new(pattern: &str, case_sensitive: bool) -> Self {
        let fold = !case_sensitive;
        let case = |c: char| if fold { c.to_ascii_lowercase() } else { c };
        let mut tokens = Vec::new();
        let mut chars = crate::eval::before_nul(pattern).chars();
        let mut dangling_escape = false;
        while let Some(c) = chars.next() {
            match c {
                '%' => {
                    if tokens.last() != Some(&Token::Many) {
                        tokens.push(Token::Many);
                    }
                }
                '_' => tokens.push(Token::One),
                '\\' => match chars.next() {
                    Some(escaped) => tokens.push(Token::Char(case(escaped))),
                    None => dangling_escape = true,
                },
                other => tokens.push(Token::Char(case(other))),
            }
        }
        Like {
            tokens,
            dangling_escape,
            fold,
        }
    }

    #[cfg(test)]
    pub fn matches(&self, text: &str) -> bool {
        let text = crate::eval::before_nul(text).as_bytes();
        if self.fold {
            self.matches_prepared(&text.to_ascii_lowercase())
        } else {
            self.matches_prepared(text)
        }
    }

    /// Matches text already cut at its first NUL and, when the pattern folds case, already
    /// folded to ASCII lower case (the dictionary's folded copy): no allocation.
    pub(crate) fn matches_prepared(&self, text: &[u8]) -> bool {
        if self.dangling_escape {
            return false;
        }
        // Iterative wildcard matching with one backtrack point (the last `%`), stepping whole
        // UTF-8 characters (`_` is one character, as in SQLite).
        let (mut t, mut p) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Char(c)) if starts_with_char(&text[t..], *c) => {
                    t += c.len_utf8();
                    p += 1;
                }
                Some(Token::One) => {
                    t += char_width(text[t]);
                    p += 1;
                }
                Some(Token::Many) => {
                    star = Some((p, t));
                    p += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        let next = st + char_width(text[st]);
                        p = sp + 1;
                        t = next;
                        star = Some((sp, next));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|tok| *tok == Token::Many)
    }

    /// The pattern as a plain text test when it is one (no `_`, `%` only at its ends).
    pub(crate) fn shape(&self) -> LikeShape {
        if self.dangling_escape || self.tokens.contains(&Token::One) {
            return LikeShape::General;
        }
        let leading = self.tokens.first() == Some(&Token::Many);
        let trailing =
            self.tokens.len() > usize::from(leading) && self.tokens.last() == Some(&Token::Many);
        let inner = &self.tokens[usize::from(leading)..self.tokens.len() - usize::from(trailing)];
        let mut literal = String::new();
        for token in inner {
            match token {
                Token::Char(c) => literal.push(*c),
                _ => return LikeShape::General,
            }
        }
        let literal = literal.into_bytes();
        match (leading, trailing) {
            (false, false) => LikeShape::Exact(literal),
            (false, true) => LikeShape::Prefix(literal),
            (true, false) if literal.is_empty() => LikeShape::Infix(literal),
            (true, false) => LikeShape::Suffix(literal),
            (true, true) => LikeShape::Infix(literal),
        }
    }

    /// The longest run of literal characters, as (folded) UTF-8: every matching text contains it.
    pub(crate) fn longest_literal(&self) -> Vec<u8> {
        let mut best = String::new();
        let mut run = String::new();
        for token in &self.tokens {
            match token {
                Token::Char(c) => run.push(*c),
                _ => {
                    if run.len() > best.len() {
                        best = std::mem::take(&mut run);
                    }
                    run.clear();
                }
            }
        }
        if run.len() > best.len() {
            best = run;
        }
        best.into_bytes()
    }
}

fn starts_with_char(text: &[u8], c: char) -> bool {
    if c.is_ascii() {
        text.first() == Some(&(c as u8))
    } else {
        let mut buf = [0u8; 4];
        text.starts_with(c.encode_utf8(&mut buf).as_bytes())
    }
}

/// The byte length of the UTF-8 character starting with `lead`.
fn char_width(lead: u8) -> usize {
    match lead {
        0..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::Like;

    #[test]
    fn like_follows_sqlite() {
        let m = |p: &str, t: &str| Like::new(p, false).matches(t);
        assert!(m("%@gmail.com", "Ann@GMAIL.com"));
        assert!(m("a_c", "aéc"));
        assert!(!m("a_c", "ac"));
        assert!(m("100\\%", "100%"));
        assert!(!m("100\\%", "1000"));
        assert!(m("%", ""));
        assert!(!m("_", ""));
        assert!(m("%a%b%", "xxaxxbxx"));
        assert!(!m("%a%b", "xxaxxbxxc"));
        assert!(!m("abc\\", "abc\\"));
        assert!(!m("É", "é"), "only ASCII letters fold");
        assert!(m("a", "a\0b"), "the text ends at NUL");
        assert!(m("a\0zz", "a"), "the pattern ends at NUL");
        assert!(!m("a%b", "a\0b"));
        let cs = |p: &str, t: &str| Like::new(p, true).matches(t);
        assert!(cs("%@gmail.com", "ann@gmail.com"));
        assert!(!cs("%@gmail.com", "Ann@GMAIL.com"));
        assert!(!cs("A_", "ab"));
        assert!(cs("A\\_", "A_"));
    }
}
