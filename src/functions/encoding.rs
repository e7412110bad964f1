//! Encoding functions: ConvertFromBase64, ConvertToBase64, ConvertToUTF8Hex, StringFromSid.
//!
//! "Unicode" is .NET's name for UTF-16LE. Binary attributes (`objectSid`) are given as Base64
//! text, the way Graph transports Binary values.

use super::map_text;
use crate::eval::{Args, EvalErrorKind, Res, Stop};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf16Le,
    Utf8,
    Ascii,
}

fn encoding(a: &Args<'_, '_>, i: usize) -> Result<Encoding, Stop> {
    let Some(name) = a.text(i)? else {
        return Ok(Encoding::Utf16Le);
    };
    let n = name.replace(['-', '_'], "");
    if n.eq_ignore_ascii_case("Unicode") || n.eq_ignore_ascii_case("UTF16") {
        Ok(Encoding::Utf16Le)
    } else if n.eq_ignore_ascii_case("UTF8") {
        Ok(Encoding::Utf8)
    } else if n.eq_ignore_ascii_case("ASCII") {
        Ok(Encoding::Ascii)
    } else {
        Err(a.fail_at(
            i,
            EvalErrorKind::InvalidArgument,
            format!("{name:?} is not an encoding (Unicode, UTF8 or ASCII)"),
        ))
    }
}

/// Base64 decoding as .NET's `Convert.FromBase64String` does it: white space is ignored.
fn decode(a: &Args<'_, '_>, i: usize, text: &str) -> Result<Vec<u8>, Stop> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact.as_bytes()).map_err(|e| {
        a.fail_at(
            i,
            EvalErrorKind::InvalidEncoding,
            format!("the text is not valid Base64: {e}"),
        )
    })
}

/// `ConvertFromBase64(source, encoding)`: Base64 to text, UTF-16LE unless UTF8 or ASCII is named;
/// undecodable bytes become U+FFFD (ASCII: `?`), as in .NET.
pub fn convert_from_base64<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    let encoding = encoding(a, 1)?;
    map_text(a, 0, source, |text| {
        let bytes = decode(a, 0, text)?;
        Ok(match encoding {
            Encoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
            Encoding::Ascii => bytes
                .iter()
                .map(|&b| if b.is_ascii() { b as char } else { '?' })
                .collect(),
            Encoding::Utf16Le => {
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .map(|c| {
                        if c.len() == 2 {
                            u16::from_le_bytes([c[0], c[1]])
                        } else {
                            0xFFFD
                        }
                    })
                    .collect();
                String::from_utf16_lossy(&units)
            }
        })
    })
}

/// `ConvertToBase64(source)`: Base64 of the UTF-16LE bytes.
pub fn convert_to_base64<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |text| {
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        Ok(STANDARD.encode(bytes))
    })
}

/// `ConvertToUTF8Hex(source)`: upper-case hex of the UTF-8 bytes.
pub fn convert_to_utf8_hex<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |text| {
        let mut out = String::with_capacity(text.len() * 2);
        for b in text.bytes() {
            let _ = write!(out, "{b:02X}");
        }
        Ok(out)
    })
}

/// `StringFromSid(objectSid)`: the binary SID (Base64 text) as `S-1-5-21-…`.
pub fn string_from_sid<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |text| {
        let bytes = decode(a, 0, text)?;
        sid_text(&bytes).map_err(|why| a.fail_at(0, EvalErrorKind::InvalidEncoding, why))
    })
}

/// The text form of a binary SID: revision, 48-bit identifier authority (big-endian; printed in
/// hex when it does not fit 32 bits, as Windows does), then the 32-bit little-endian
/// sub-authorities.
pub fn sid_text(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() < 8 {
        return Err(format!(
            "a SID has at least 8 bytes, this one {}",
            bytes.len()
        ));
    }
    let count = usize::from(bytes[1]);
    if bytes.len() != 8 + 4 * count {
        return Err(format!(
            "a SID with {count} sub-authorities has {} bytes, this one {}",
            8 + 4 * count,
            bytes.len()
        ));
    }
    let authority = bytes[2..8]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let mut out = format!("S-{}-", bytes[0]);
    if authority > u64::from(u32::MAX) {
        let _ = write!(out, "0x{authority:012X}");
    } else {
        let _ = write!(out, "{authority}");
    }
    for chunk in bytes[8..].chunks_exact(4) {
        let _ = write!(
            out,
            "-{}",
            u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids() {
        let bytes = STANDARD
            .decode("AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoAAIAAA==")
            .unwrap();
        assert_eq!(
            sid_text(&bytes).unwrap(),
            "S-1-5-21-1004336348-1177238915-682003330-512"
        );
        assert_eq!(sid_text(&[1, 0, 0, 0, 0, 0, 0, 0]).unwrap(), "S-1-0");
        assert!(sid_text(&[1, 2, 0, 0, 0, 0, 0, 5]).is_err());
        assert!(sid_text(&[]).is_err());
    }
}
