//! Load arbitrary text as an entramap YAML mapping file (inputs starting like JSON are
//! skipped: the JSON target covers those).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if matches!(body.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        return;
    }
    common::check_load(text);
});
