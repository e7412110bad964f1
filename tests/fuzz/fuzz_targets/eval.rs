//! Parse an expression and evaluate it against generated attributes with a pinned clock and
//! seed. Input: the expression on the first line; then one attribute per line, `name=value`
//! (`a|b|c` makes a multi-valued attribute, `true`/`false` a boolean, digits an integer,
//! `name` alone a null), and `existing=value` lines for SelectUniqueValue's taken values.
#![no_main]

use entramap::cli::render;
use entramap::eval::{self, Context, Value};
use entramap::syntax;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let expression = lines.next().unwrap_or_default();
    let Ok(expr) = syntax::parse(expression) else {
        return;
    };
    let Ok(expr) = entramap::check::checked(expr) else {
        return;
    };
    let mut attributes: HashMap<String, Value> = HashMap::new();
    let mut existing: Vec<String> = Vec::new();
    for line in lines {
        let (name, value) = match line.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (line, None),
        };
        if name == "existing" {
            existing.push(value.unwrap_or_default().to_string());
            continue;
        }
        let value = match value {
            None => Value::Null,
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            Some(v) if v.contains('|') => Value::Multi(v.split('|').map(str::to_string).collect()),
            Some(v) => match v.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Str(v.to_string()),
            },
        };
        attributes.insert(name.to_string(), value);
    }
    let now: jiff::Timestamp = "2024-05-06T07:08:09Z".parse().expect("a fixed instant");
    let ctx = Context::new(&attributes)
        .with_now(now)
        .with_seed(7)
        .with_existing(&existing);
    match eval::evaluate(&expr, &ctx) {
        Ok(outcome) => {
            let _ = outcome.texts();
            // The same context gives the same outcome.
            assert_eq!(
                eval::evaluate(&expr, &ctx).ok(),
                Some(outcome),
                "evaluation is not deterministic"
            );
        }
        Err(e) => {
            let (s, end) = (e.span.start as usize, e.span.end as usize);
            assert!(
                s <= end && end <= expression.len(),
                "error span outside the expression"
            );
            assert!(expression.is_char_boundary(s) && expression.is_char_boundary(end));
            let _ = render::human(&e.to_diagnostic(), "<expression>", expression, false);
        }
    }
});
