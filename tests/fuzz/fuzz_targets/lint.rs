//! Load arbitrary text as a mapping file; when it loads, lint it (with and without the unleash
//! profile), render every output format, and plan the fixes.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(file) = common::check_load(text) {
        common::check_lint(text, &file);
    }
});
