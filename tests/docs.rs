//! Every `console` example in README.md is run, and its output must match exactly.

mod common;

/// Splits a command line like a POSIX shell would for the quoting README examples use.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[test]
fn readme_examples_produce_their_documented_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut ran = 0;
    let mut blocks = readme.split("```console\n").skip(1);
    for block in blocks.by_ref() {
        let block = block.split("\n```").next().unwrap();
        let (command, expected) = block.split_once('\n').unwrap_or((block, ""));
        let command = command
            .strip_prefix("$ ")
            .expect("a console block starts with `$ `");
        let words = shell_words(command);
        assert_eq!(words[0], "entramap", "{command}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let (_, stdout, stderr) = common::run_with(&args, "");
        let actual = stdout + &stderr;
        let expected = format!("{expected}\n");
        assert_eq!(
            actual.trim_end(),
            expected.trim_end(),
            "README example `{command}`"
        );
        ran += 1;
    }
    assert!(ran >= 3, "only {ran} README examples found");
}
