//! User text in error messages, bounded: every crate that echoes input (parsers, the library,
//! SQL failures) clips it the same way, so no input makes an unbounded message.

use std::borrow::Cow;

/// Most characters of user text (a name, a word, a number, an id) a message repeats.
pub const MAX_SHOWN: usize = 80;

/// Most characters of a whole message: a backstop for text that reaches one unclipped.
pub const MAX_MESSAGE: usize = 600;

/// User text as a message shows it: at most [`MAX_SHOWN`] characters, then "…". The position
/// or line already locates it; echoing a 10 MB identifier in full would flood the UI and logs.
pub fn clip(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_SHOWN) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// `text` with every run of more than [`MAX_SHOWN`] non-blank characters clipped (such a run is
/// echoed input: an identifier, a number, a value serde quotes), then bounded to `max`
/// characters, keeping its head and tail (the tail often says what was expected).
pub fn bound(text: String, max: usize) -> String {
    let mut run = 0;
    let long_run = text.chars().any(|c| {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        run > MAX_SHOWN
    });
    let text = if long_run {
        let mut out = String::with_capacity(text.len().min(4 * max));
        let mut run = 0;
        for c in text.chars() {
            run = if c.is_whitespace() { 0 } else { run + 1 };
            if run <= MAX_SHOWN {
                out.push(c);
            } else if run == MAX_SHOWN + 1 {
                out.push('…');
            }
        }
        out
    } else {
        text
    };
    let count = text.chars().count();
    if count <= max {
        return text;
    }
    let head: String = text.chars().take(max * 2 / 3).collect();
    let tail: String = text.chars().skip(count - max / 3).collect();
    format!("{head} … {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_runs_are_clipped_and_messages_bounded() {
        assert_eq!(clip("short"), "short");
        assert_eq!(clip(&"x".repeat(200)).chars().count(), MAX_SHOWN + 1);
        let bounded = bound(format!("unknown {} here", "y".repeat(5_000)), MAX_MESSAGE);
        assert!(
            bounded.starts_with("unknown ") && bounded.ends_with(" here"),
            "{bounded}"
        );
        assert!(bounded.chars().count() < 100);
        let words = "word ".repeat(1_000);
        assert!(bound(words, MAX_MESSAGE).chars().count() <= MAX_MESSAGE + 3);
    }
}
