//! Parse arbitrary text; whatever parses prints to text that parses to the same tree, and
//! converts to Graph's tree and back. Errors point inside the text and render.
#![no_main]

#[path = "common.rs"]
mod common;

use entramap::cli::render;
use entramap::{graph, syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match syntax::parse(text) {
        Err(e) => {
            common::check_span(text, e.span, "parse error");
            if let Some(open) = e.opened_at {
                common::check_span(text, open, "parse error (opened at)");
            }
            let _ = render::human(&e.to_diagnostic(), "<expression>", text, false);
        }
        Ok(expr) => {
            expr.walk(&mut |node| common::check_span(text, node.span, "node"));
            let printed = syntax::print(&expr);
            let again = syntax::parse(&printed)
                .unwrap_or_else(|e| panic!("printed text does not parse: {printed:?}: {e:?}"));
            assert_eq!(
                again.without_spans(),
                expr.without_spans(),
                "print changed the tree: {printed:?}"
            );
            assert_eq!(syntax::print(&again), printed, "printing is not stable");
            let _ = syntax::print_tree(&expr);
            let tree = graph::to_graph(&expr);
            let back = graph::from_graph(&tree)
                .expect("a tree made from a parsed expression converts back");
            let _ = syntax::print(&back);
            let _ = serde_json::to_string(&tree);
        }
    }
});
