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

/// A compiled LIKE pattern.
#[derive(Debug, Clone)]
pub struct Like {
    tokens: Vec<Token>,
    /// A trailing escape character makes the pattern match nothing.
    dangling_escape: bool,
    /// ASCII letters match either case.
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

    pub fn matches(&self, text: &str) -> bool {
        if self.dangling_escape {
            return false;
        }
        let text: Vec<char> = crate::eval::before_nul(text)
            .chars()
            .map(|c| if self.fold { c.to_ascii_lowercase() } else { c })
            .collect();
        // Iterative wildcard matching with one backtrack point (the last `%`).
        let (mut t, mut p) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                }
                Some(Token::One) => {
                    t += 1;
                    p += 1;
                }
                Some(Token::Many) => {
                    star = Some((p, t));
                    p += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|tok| *tok == Token::Many)
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
