//! Load arbitrary text as a Graph JSON mapping file (inputs not starting like JSON are
//! skipped: the YAML target covers those).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !matches!(body.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        return;
    }
    common::check_load(text);
});
