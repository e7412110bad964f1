//! .NET regular expressions through fancy-regex, with the bounds that keep matching linear in
//! practice: a backtracking limit (exponential patterns such as `(a+)+b`), a size limit for the
//! compiled pattern, and a cap on the text a pattern with lookaround or backreferences is run
//! over (those are matched by a backtracking engine whose scan can be quadratic in the text:
//! `(?=a*!)b` tries the lookahead at every position).

use fancy_regex::{Regex, RegexBuilder};

/// Backtracking steps one match may take before it is stopped as catastrophic.
pub const BACKTRACK_LIMIT: usize = 200_000;

/// The most memory (bytes) a compiled pattern and its lazy DFA may take.
pub const SIZE_LIMIT: usize = 1 << 21;

/// The longest text (bytes) a pattern with lookaround, backreferences or atomic groups is
/// matched against: 16 KiB, far above any directory attribute, small enough that a quadratic
/// scan ends in well under a second.
pub const MAX_BACKTRACKING_INPUT: usize = 16 * 1024;

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// Not a valid pattern.
    Invalid(String),
    /// Valid, but too large once compiled.
    TooLarge(String),
}

/// Compiles a .NET-syntax pattern with the limits above.
pub fn compile(pattern: &str) -> Result<Regex, CompileError> {
    RegexBuilder::new(pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .delegate_size_limit(SIZE_LIMIT)
        .delegate_dfa_size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let message = e.to_string();
            if message.contains("NFA") || message.contains("size limit") {
                CompileError::TooLarge(message)
            } else {
                CompileError::Invalid(message)
            }
        })
}

/// Whether a pattern needs the backtracking engine: it has lookaround (`(?=`, `(?!`, `(?<=`,
/// `(?<!`), an atomic group (`(?>`) or a backreference (`\1`…`\9`, `\k<name>`). Read from the
/// text, outside character classes; a false positive only applies the input cap.
pub fn backtracks(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut in_class = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if !in_class => {
                if matches!(b.get(i + 1), Some(b'1'..=b'9' | b'k')) {
                    return true;
                }
                i += 1;
            }
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'(' if !in_class && b.get(i + 1) == Some(&b'?') => {
                let rest = &b[i + 2..];
                if rest.starts_with(b"=")
                    || rest.starts_with(b"!")
                    || rest.starts_with(b"<=")
                    || rest.starts_with(b"<!")
                    || rest.starts_with(b">")
                {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Whether `pattern` may be run over `text` within the cap (see [`MAX_BACKTRACKING_INPUT`]).
pub fn within_cap(pattern: &str, text: &str) -> bool {
    text.len() <= MAX_BACKTRACKING_INPUT || !backtracks(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtracking_constructs_are_recognised() {
        for p in [
            r"(?=a*!)b",
            r"(?<!x)y",
            r"(a)\1",
            r"(?<n>a)\k<n>",
            r"(?>a+)b",
            r"(?!z)",
        ] {
            assert!(backtracks(p), "{p}");
        }
        for p in [
            r"\d+",
            r"[(?=]x",
            r"(?<name>a)",
            r"\\1",
            r"(?:a|b)+",
            r"(?i)x",
        ] {
            assert!(!backtracks(p), "{p}");
        }
    }

    #[test]
    fn the_cap_applies_only_to_backtracking_patterns() {
        let big = "a".repeat(MAX_BACKTRACKING_INPUT + 1);
        assert!(!within_cap(r"(?=a*!)b", &big));
        assert!(within_cap(r"(?=a*!)b", "aaa"));
        assert!(within_cap(r"a+", &big));
    }

    #[test]
    fn compile_errors_say_which() {
        assert!(matches!(
            compile("(unclosed"),
            Err(CompileError::Invalid(_))
        ));
        assert!(matches!(
            compile(r"\w{1000}{1000}"),
            Err(CompileError::TooLarge(_))
        ));
        assert!(compile(r"(?<x>\d+)").is_ok());
    }
}
