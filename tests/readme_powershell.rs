//! The README's PowerShell examples (```powershell blocks, which tests/docs.rs does not run: there
//! is no PowerShell here) must pass entramap exactly what their POSIX twins (the ```sh or
//! ```console block just before) pass: the same arguments, in the same order, and the same
//! standard input. POSIX lines are split with the `shlex` crate; PowerShell lines with the rules
//! of its quoting below.

mod common;

/// What one entramap invocation receives.
#[derive(Debug, PartialEq, Eq)]
struct Invocation {
    args: Vec<String>,
    /// Standard input, when something is piped in.
    stdin: Option<String>,
}

/// A command line's words, with whether each was written bare (an operator like `|` or `>`
/// counts only when bare).
type Words = Vec<(String, bool)>;

/// Splits a POSIX shell line. shlex loses quoting, so a bare `|`/`>` is recognised by the words
/// around it: README lines never quote those characters alone.
fn posix_words(line: &str) -> Words {
    shlex::split(line)
        .unwrap_or_else(|| panic!("unbalanced quotes in `{line}`"))
        .into_iter()
        .map(|w| {
            let bare = matches!(w.as_str(), "|" | ">" | ">>" | "<" | ";" | "&&");
            (w, bare)
        })
        .collect()
}

/// Splits a PowerShell line as PowerShell passes it to a native program: `'…'` is literal with
/// `''` for a quote; `"…"` takes `` ` `` escapes and `""` for a quote, and expands `$variables`
/// (refused here: an example must not depend on one); `#` at a word's start begins a comment.
fn powershell_words(line: &str) -> Words {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut in_word, mut quoted) = (false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => break,
            '\'' => {
                (in_word, quoted) = (true, true);
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            word.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => panic!("unclosed ' in `{line}`"),
                    }
                }
            }
            '"' => {
                (in_word, quoted) = (true, true);
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            word.push('"');
                        }
                        Some('"') => break,
                        Some('`') => word.extend(chars.next()),
                        Some('$') => word.push_str("${variable}"),
                        Some(c) => word.push(c),
                        None => panic!("unclosed \" in `{line}`"),
                    }
                }
            }
            '`' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push((std::mem::take(&mut word), !quoted));
                    (in_word, quoted) = (false, false);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push((word, !quoted));
    }
    words
}

/// Whether a word names the entramap program: `entramap`, `./dir/entramap`, `.\dir\entramap.exe`.
fn is_entramap(program: &str) -> bool {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    name == "entramap" || name == "entramap.exe"
}

/// The entramap invocation on a line, if any. A pipeline's source is what a user would pipe an
/// expression from: `echo 'TEXT'` in POSIX shells, a string literal in PowerShell; both add a
/// line break. Output redirection (`> file`) does not change what entramap receives.
fn invocation(words: &Words, powershell: bool) -> Option<Invocation> {
    let segments: Vec<&[(String, bool)]> = words
        .split(|(w, bare)| *bare && (w == "|" || w == ";" || w == "&&"))
        .collect();
    let (last, sources) = segments.split_last()?;
    let (program, rest) = last.split_first()?;
    if !is_entramap(&program.0) {
        return None;
    }
    let args: Vec<String> = rest
        .iter()
        .take_while(|(w, bare)| !(*bare && w.starts_with('>')))
        .map(|(w, _)| w.clone())
        .collect();
    for arg in &args {
        assert!(
            !arg.contains("${variable}"),
            "a PowerShell variable in {args:?}"
        );
    }
    let stdin = match sources {
        [] => None,
        [.., source] => Some(match (powershell, source) {
            (true, [(text, false)]) => format!("{text}\n"),
            (false, [(echo, _), text @ ..]) if echo == "echo" => {
                let text: Vec<&str> = text.iter().map(|(w, _)| w.as_str()).collect();
                format!("{}\n", text.join(" "))
            }
            _ => panic!("unsupported pipeline source {source:?}"),
        }),
    };
    Some(Invocation { args, stdin })
}

/// A fenced block: its language and its command lines (console blocks: the `$ ` lines).
struct Block {
    lang: String,
    lines: Vec<String>,
    line_no: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        if let Some(fence) = line.strip_prefix("```") {
            match current.take() {
                Some(block) => out.push(block),
                None => {
                    current = Some(Block {
                        lang: fence.trim().to_string(),
                        lines: Vec::new(),
                        line_no: i + 1,
                    })
                }
            }
        } else if let Some(block) = &mut current {
            let command = if block.lang == "console" {
                line.strip_prefix("$ ").map(str::to_string)
            } else {
                Some(line.to_string())
            };
            block.lines.extend(command);
        }
    }
    out
}

fn invocations(block: &Block) -> Vec<Invocation> {
    let powershell = block.lang == "powershell";
    block
        .lines
        .iter()
        .filter_map(|line| {
            let words = if powershell {
                powershell_words(line)
            } else {
                posix_words(line)
            };
            invocation(&words, powershell)
        })
        .collect()
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn each_powershell_example_passes_what_its_posix_twin_passes() {
    let all = blocks(&readme());
    let mut pairs = 0;
    let mut invocations_checked = 0;
    for (i, block) in all.iter().enumerate() {
        if block.lang != "powershell" {
            continue;
        }
        let twin = i
            .checked_sub(1)
            .map(|j| &all[j])
            .filter(|b| b.lang == "sh" || b.lang == "console")
            .unwrap_or_else(|| {
                panic!(
                    "the powershell block at README.md:{} has no sh/console block just before it",
                    block.line_no
                )
            });
        let ps = invocations(block);
        let posix = invocations(twin);
        assert!(
            !ps.is_empty(),
            "the powershell block at README.md:{} runs no entramap",
            block.line_no
        );
        assert_eq!(
            ps, posix,
            "README.md:{} (powershell) and README.md:{} ({}) differ",
            block.line_no, twin.line_no, twin.lang
        );
        pairs += 1;
        invocations_checked += ps.len();
    }
    assert!(pairs >= 2, "only {pairs} PowerShell examples found");
    assert!(
        invocations_checked >= 5,
        "only {invocations_checked} invocations"
    );
}

#[test]
fn the_windows_examples_run_and_agree_on_their_output() {
    // The examples of the Windows section, run: the stdin form gives the same result as the
    // argument form PowerShell 7.3+ (and POSIX shells) allow.
    let all = blocks(&readme());
    let ps = all
        .iter()
        .find(|b| b.lang == "powershell" && b.lines.iter().any(|l| l.contains("parse")))
        .expect("the PowerShell quoting example");
    let runs = invocations(ps);
    let parse = &runs[0];
    let args: Vec<&str> = parse.args.iter().map(String::as_str).collect();
    let (code, out, err) = common::run_with(&args, parse.stdin.as_deref().unwrap());
    assert_eq!(code, 0, "{err}");
    let expr = parse.stdin.as_deref().unwrap().trim_end();
    assert_eq!(out, format!("{expr}\n"));
    // The same with a Windows line break, which PowerShell writes when it pipes a string.
    let (code, crlf, _) = common::run_with(&args, &format!("{expr}\r\n"));
    assert_eq!((code, crlf), (0, out));

    let eval = &runs[1];
    let args: Vec<&str> = eval.args.iter().map(String::as_str).collect();
    let (code, out, err) = common::run_with(&args, eval.stdin.as_deref().unwrap());
    assert_eq!((code, out.as_str()), (0, "Ada Lovelace\n"), "{err}");
}

#[test]
fn powershell_quoting_rules() {
    let words = |line: &str| -> Vec<String> {
        powershell_words(line).into_iter().map(|(w, _)| w).collect()
    };
    assert_eq!(
        words("entramap 'It''s' \"a \"\"b\"\"\""),
        ["entramap", "It's", "a \"b\""]
    );
    assert_eq!(words("a `\"b # comment"), ["a", "\"b"]);
    assert_eq!(words("a#b"), ["a#b"]);
    let piped = invocation(&powershell_words("'x y' | entramap parse -"), true).unwrap();
    assert_eq!(piped.stdin.as_deref(), Some("x y\n"));
    let posix = invocation(&posix_words("echo 'x y' | entramap parse - > out"), false).unwrap();
    assert_eq!(posix, piped);
}
