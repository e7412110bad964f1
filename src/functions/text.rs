//! Text functions: Append, CStr, Guid, InStr, Join, Left, Mid, NormalizeDiacritics, PCase,
//! Prepend, RandomString, Replace, StripSpaces, ToLower, ToUpper, Trim, Word.
//!
//! Lengths and positions count characters (Unicode scalar values). .NET counts UTF-16 code
//! units, which differs only for characters outside the Basic Multilingual Plane (emoji).
//!
//! Null handling: the substring functions (Left, Mid, Word) read a null source as `""`, as their
//! VB ancestors and the docs do; the transformations (Append, NormalizeDiacritics, PCase,
//! Replace, StripSpaces, ToLower, ToUpper, Trim) turn a null source into null, so that nothing
//! flows; a multi-valued source is transformed value by value.

use super::{map_text, owned};
use crate::dotnet;
use crate::eval::{Args, EvalErrorKind, Res, Stop, Value};
use fancy_regex::{Captures, Regex};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub fn append<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    let suffix = a.text_or_empty(1)?;
    map_text(a, 0, source, |s| Ok(format!("{s}{suffix}")))
}

/// `Prepend(prefix, source)`: undocumented (named only in Graph's function schema); read as the
/// mirror of Append.
pub fn prepend<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let prefix = a.text_or_empty(0)?;
    let source = a.value(1)?;
    map_text(a, 1, source, |s| Ok(format!("{prefix}{s}")))
}

pub fn cstr<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    match a.as_text(0, v)? {
        None => Ok(super::null()),
        Some(t) => owned(Value::Str(t.into_owned())),
    }
}

/// A version-4 GUID from the seeded generator, lowercase `8-4-4-4-12`.
pub fn guid<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let mut rng = a.rng();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0F) | 0x40;
    bytes[8] = (bytes[8] & 0x3F) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    owned(Value::Str(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}

/// `InStr(value1, value2, start, compareType)`: VB's InStr with the arguments in Entra's order.
pub fn instr<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let hay = a.text(0)?;
    let needle = a.text_or_empty(1)?;
    let start = a.int(2)?.unwrap_or(1);
    let text_compare = match a.text(3)? {
        None => false,
        Some(t) if t.eq_ignore_ascii_case("vbBinaryCompare") || t.as_ref() == "0" => false,
        Some(t) if t.eq_ignore_ascii_case("vbTextCompare") || t.as_ref() == "1" => true,
        Some(t) => {
            return Err(a.fail_at(
                3,
                EvalErrorKind::InvalidArgument,
                format!("{t:?} is not a compare type (vbBinaryCompare or vbTextCompare)"),
            ));
        }
    };
    if start < 1 {
        return Err(a.fail_at(2, EvalErrorKind::InvalidArgument, "start counts from 1"));
    }
    let Some(hay) = hay else {
        return owned(Value::Int(0));
    };
    let from = (start - 1) as usize;
    if needle.is_empty() {
        let len = hay.chars().count();
        return owned(Value::Int(if from <= len { start } else { 0 }));
    }
    // Text compare folds both sides with the one-to-one lower-case mapping, which keeps
    // character positions, then both compares are a plain substring search.
    let fold = |t: &str| -> String { t.chars().map(|c| lower_char(c, false)).collect() };
    let (hay, needle) = if text_compare {
        (Cow::Owned(fold(&hay)), Cow::Owned(fold(&needle)))
    } else {
        (hay, needle)
    };
    let Some(byte_from) = hay
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(hay.len()))
        .nth(from)
    else {
        return owned(Value::Int(0));
    };
    let found = hay[byte_from..]
        .find(needle.as_ref())
        .map_or(0, |b| hay[..byte_from + b].chars().count() as i64 + 1);
    owned(Value::Int(found))
}

/// `Join(separator, source…)`: every value of every source, null and empty ones skipped.
pub fn join<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let separator = a.text_or_empty(0)?;
    let mut out = String::new();
    let mut first = true;
    // Past the size limit nothing more is added; the evaluator refuses the result.
    let mut push = |s: &str| {
        if !s.is_empty() && out.len() <= crate::eval::MAX_VALUE_BYTES {
            if !first {
                out.push_str(&separator);
            }
            out.push_str(s);
            first = false;
        }
    };
    for i in 1..a.len() {
        if !a.given(i) {
            continue;
        }
        let v = a.value(i)?;
        match &*v {
            Value::Null => {}
            Value::Multi(values) => values.iter().for_each(|s| push(s)),
            Value::Str(s) => push(s),
            other => {
                if let Some(t) = other.text().ok().flatten() {
                    push(&t);
                }
            }
        }
    }
    owned(Value::Str(out))
}

pub fn left<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let s = a.text_or_empty(0)?;
    let n = a.require_int(1)?;
    let out = if n < 0 {
        s.into_owned()
    } else {
        s.chars()
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .collect()
    };
    owned(Value::Str(out))
}

pub fn mid<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let s = a.text_or_empty(0)?;
    let start = a.require_int(1)?;
    let length = a.require_int(2)?;
    if start < 1 {
        return Err(a.fail_at(1, EvalErrorKind::InvalidArgument, "start counts from 1"));
    }
    if length < 0 {
        return Err(a.fail_at(
            2,
            EvalErrorKind::InvalidArgument,
            "length cannot be negative",
        ));
    }
    let out = s
        .chars()
        .skip(usize::try_from(start - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(length).unwrap_or(usize::MAX))
        .collect();
    owned(Value::Str(out))
}

pub fn normalize_diacritics<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |s| Ok(remove_diacritics(s)))
}

/// Replaces accented Latin letters by their plain forms: the documented table's letter
/// substitutions (æ→ae, ø→oe, ß→ss, ł→l, ı→i, and the other stroked letters đ ħ ŧ ŀ), then
/// canonical decomposition with the combining marks on Latin letters dropped. Marks on other
/// scripts are kept (and recomposed).
pub fn remove_diacritics(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut base_is_latin = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            if !base_is_latin {
                out.push(c);
            }
            continue;
        }
        base_is_latin = is_latin(c);
        let replacement = match c {
            'æ' => "ae",
            'Æ' => "AE",
            'ø' | 'œ' => "oe",
            'Ø' | 'Œ' => "OE",
            'ß' => "ss",
            'ẞ' => "SS",
            'ł' | 'ŀ' => "l",
            'Ł' | 'Ŀ' => "L",
            'ı' => "i",
            'đ' => "d",
            'Đ' => "D",
            'ħ' => "h",
            'Ħ' => "H",
            'ŧ' => "t",
            'Ŧ' => "T",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(replacement);
    }
    if out.is_ascii() {
        out
    } else {
        out.nfc().collect()
    }
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}' | '\u{A720}'..='\u{A7FF}')
}

pub fn pcase<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    let separators = a.text(1)?;
    map_text(a, 0, source, |s| Ok(proper_case(s, separators.as_deref())))
}

/// Lower-cases the text, then upper-cases the first letter of each word. Words are separated
/// by the given characters, or else by .NET's title-case separators: white space, control and
/// format characters, punctuation (the apostrophe included) and symbols. Characters before a
/// word's first letter (digits) are kept as they are.
pub fn proper_case(s: &str, separators: Option<&str>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut want_capital = true;
    for c in s.chars() {
        let separates = match separators {
            Some(seps) => seps.contains(c),
            None => is_title_separator(c),
        };
        if separates {
            out.push(c);
            want_capital = true;
        } else if want_capital && c.is_alphabetic() {
            out.push(title_char(c));
            want_capital = false;
        } else {
            out.push(lower_char(c, false));
        }
    }
    out
}

fn is_title_separator(c: char) -> bool {
    !(c.is_alphanumeric() || is_combining_mark(c))
}

/// .NET's one-to-one upper-case mapping (characters whose upper case is longer stay as they are,
/// so `ß` is kept).
fn upper_char(c: char, turkic: bool) -> char {
    match c {
        'i' if turkic => 'İ',
        'ı' => 'I',
        _ => {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        }
    }
}

/// .NET's one-to-one lower-case mapping; `İ` becomes `i` (and `I` becomes `ı` in Turkic cultures).
fn lower_char(c: char, turkic: bool) -> char {
    match c {
        'I' if turkic => 'ı',
        'İ' => 'i',
        _ => {
            let mut low = c.to_lowercase();
            match (low.next(), low.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

fn title_char(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => upper_char(c, false),
    }
}

/// Whether a culture name (RFC 4646) uses the Turkic dotted/dotless i rules.
fn is_turkic(culture: Option<&str>) -> bool {
    culture.is_some_and(|c| {
        let lang = c.split(['-', '_']).next().unwrap_or("");
        lang.eq_ignore_ascii_case("tr") || lang.eq_ignore_ascii_case("az")
    })
}

fn change_case<'a>(a: &Args<'_, 'a>, upper: bool) -> Res<'a> {
    let source = a.value(0)?;
    let culture = a.text(1)?;
    let turkic = is_turkic(culture.as_deref());
    map_text(a, 0, source, |s| {
        Ok(if s.is_ascii() && !turkic {
            if upper {
                s.to_ascii_uppercase()
            } else {
                s.to_ascii_lowercase()
            }
        } else {
            s.chars()
                .map(|c| {
                    if upper {
                        upper_char(c, turkic)
                    } else {
                        lower_char(c, turkic)
                    }
                })
                .collect()
        })
    })
}

pub fn to_lower<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    change_case(a, false)
}

pub fn to_upper<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    change_case(a, true)
}

pub fn strip_spaces<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |s| Ok(s.replace(' ', "")))
}

pub fn trim<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.value(0)?;
    map_text(a, 0, source, |s| Ok(s.trim().to_string()))
}

/// `Word(string, wordNumber, delimiters)`: words are the non-empty runs between delimiter
/// characters.
pub fn word<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let s = a.text_or_empty(0)?;
    let n = a.require_int(1)?;
    let delimiters = a.text_or_empty(2)?;
    let out = if n < 1 {
        ""
    } else {
        s.split(|c: char| delimiters.contains(c))
            .filter(|w| !w.is_empty())
            .nth(usize::try_from(n - 1).unwrap_or(usize::MAX))
            .unwrap_or("")
    };
    owned(Value::Str(out.to_string()))
}

// ------------------------------------------------------------------------------------ RandomString

/// The non-alphanumeric characters Windows password complexity counts as special.
const SPECIAL: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

pub fn random_string<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let mut n = [0usize; 5];
    for (i, slot) in n.iter_mut().enumerate() {
        let v = a.require_int(i)?;
        *slot = usize::try_from(v)
            .map_err(|_| a.fail_at(i, EvalErrorKind::InvalidArgument, "cannot be negative"))?;
    }
    let [length, digits, special, capital, lower] = n;
    if length > 256 {
        return Err(a.fail_at(
            0,
            EvalErrorKind::InvalidArgument,
            "the length is at most 256",
        ));
    }
    let required = digits + special + capital + lower;
    if required > length {
        return Err(a.fail(
            EvalErrorKind::InvalidArgument,
            format!("the minimum counts add up to {required}, more than the length {length}"),
        ));
    }
    let avoid = a.text_or_empty(5)?;
    let pool =
        |chars: &str| -> Vec<char> { chars.chars().filter(|c| !avoid.contains(*c)).collect() };
    let classes = [
        (pool("0123456789"), digits, 1),
        (pool(SPECIAL), special, 2),
        (pool("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), capital, 3),
        (pool("abcdefghijklmnopqrstuvwxyz"), lower, 4),
    ];
    let all: Vec<char> = classes
        .iter()
        .flat_map(|(p, _, _)| p.iter().copied())
        .collect();
    let mut rng = a.rng();
    let mut out: Vec<char> = Vec::with_capacity(length);
    for (chars, min, arg) in &classes {
        if *min > 0 && chars.is_empty() {
            return Err(a.fail_at(
                *arg,
                EvalErrorKind::InvalidArgument,
                "charactersToAvoid excludes every character of this class",
            ));
        }
        for _ in 0..*min {
            out.push(chars[rng.below(chars.len())]);
        }
    }
    if out.len() < length && all.is_empty() {
        return Err(a.fail_at(
            5,
            EvalErrorKind::InvalidArgument,
            "no characters are left to use",
        ));
    }
    while out.len() < length {
        out.push(all[rng.below(all.len())]);
    }
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    owned(Value::Str(out.into_iter().collect()))
}

// ------------------------------------------------------------------------------------ Replace

const SOURCE: usize = 0;
const OLD_VALUE: usize = 1;
const PATTERN: usize = 2;
const GROUP_NAME: usize = 3;
const REPLACEMENT: usize = 4;
const REPLACEMENT_ATTRIBUTE: usize = 5;
const TEMPLATE: usize = 6;

/// `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
/// replacementAttributeName, template)`. The filled slots choose the overload, tried in this
/// order:
///
/// 1. regexPattern + regexGroupName + replacementAttributeName: the source when it has a value;
///    otherwise the named group's capture in the other attribute's value (FN's reading).
/// 2. regexPattern + regexGroupName + replacementValue: in each match, only the group's text is
///    replaced.
/// 3. regexPattern + replacementValue: .NET `Regex.Replace` (`$1`, `${name}`, `$$`, `$&` …).
/// 4. oldValue + replacementValue: every literal occurrence.
/// 5. oldValue + template: the template with every oldValue replaced by the source.
///
/// A slot counts as filled when it is written and not null (`""` is filled). A null source gives
/// null in overloads 2 to 5.
pub fn replace<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let pattern = a.text(PATTERN)?;
    let group = a.text(GROUP_NAME)?;
    if let (Some(pattern), Some(group)) = (&pattern, &group)
        && a.given(REPLACEMENT_ATTRIBUTE)
    {
        let source = a.value(SOURCE)?;
        if !source.is_null_or_empty() {
            return Ok(source);
        }
        let re = compile(a, pattern)?;
        let Some(other) = a.text(REPLACEMENT_ATTRIBUTE)? else {
            return Ok(super::null());
        };
        charge_match(a, pattern, &other)?;
        let caps = re.captures(&other).map_err(|e| regex_runtime(a, e))?;
        return match caps.and_then(|c| c.name(group).map(|m| m.as_str().to_string())) {
            Some(found) => owned(Value::Str(found)),
            None => Ok(super::null()),
        };
    }
    let source = a.value(SOURCE)?;
    let replacement = a.text(REPLACEMENT)?;
    if let (Some(pattern), Some(replacement)) = (&pattern, &replacement) {
        let re = compile(a, pattern)?;
        let names = group_names(pattern);
        let subst = Substitution::parse(replacement, &re, &names);
        if let Some(group) = &group
            && !names.iter().any(|n| n == group.as_ref())
        {
            return Err(a.fail_at(
                GROUP_NAME,
                EvalErrorKind::InvalidRegex,
                format!("the pattern has no group named {group:?}"),
            ));
        }
        return map_text(a, SOURCE, source, |s| {
            charge_match(a, pattern, s)?;
            regex_replace(&re, s, &subst, group.as_deref()).map_err(|e| regex_runtime(a, e))
        });
    }
    let old = a.text(OLD_VALUE)?;
    if let Some(old) = &old {
        if old.is_empty() && (replacement.is_some() || a.given(TEMPLATE)) {
            return Err(a.fail_at(
                OLD_VALUE,
                EvalErrorKind::InvalidArgument,
                "oldValue is empty",
            ));
        }
        if let Some(replacement) = &replacement {
            return map_text(a, SOURCE, source, |s| {
                let n = s.matches(old.as_ref()).count();
                a.check_size(s.len().saturating_add(n.saturating_mul(replacement.len())))?;
                Ok(s.replace(old.as_ref(), replacement))
            });
        }
        if let Some(template) = a.text(TEMPLATE)? {
            let n = template.matches(old.as_ref()).count();
            return map_text(a, SOURCE, source, |s| {
                a.check_size(template.len().saturating_add(n.saturating_mul(s.len())))?;
                Ok(template.replace(old.as_ref(), s))
            });
        }
    }
    let filled: Vec<&str> = (1..a.len())
        .filter(|&i| a.given(i))
        .map(|i| a.param(i))
        .collect();
    Err(a.fail(
        EvalErrorKind::NoReplaceOverload,
        format!(
            "no overload takes {} (null arguments count as empty)",
            if filled.is_empty() {
                "only a source".to_string()
            } else {
                format!("the arguments {}", filled.join(", "))
            }
        ),
    ))
}

/// Charges the work of matching `pattern` over `text` to the evaluation's budget, and refuses
/// text over the cap for patterns that backtrack (see [`dotnet::regex`]).
fn charge_match(a: &Args<'_, '_>, pattern: &str, text: &str) -> Result<(), Stop> {
    if !dotnet::regex::within_cap(pattern, text) {
        return Err(a.fail_at(
            PATTERN,
            EvalErrorKind::BudgetExceeded,
            format!(
                "a pattern with lookaround or backreferences is matched against at most {} bytes of text, and this text has {}",
                dotnet::regex::MAX_BACKTRACKING_INPUT,
                text.len()
            ),
        ));
    }
    a.charge(text.len())
}

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, Rc<Regex>>> = RefCell::new(HashMap::new());
}

/// Compiles a .NET-syntax pattern (fancy-regex accepts the constructs the docs use: named groups
/// `(?<n>…)` and `(?'n'…)`, lazy quantifiers, lookaround, backreferences), caching recent ones.
fn compile(a: &Args<'_, '_>, pattern: &str) -> Result<Rc<Regex>, Stop> {
    if let Some(re) = REGEX_CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = dotnet::regex::compile(pattern).map_err(|e| {
        let message = match e {
            dotnet::regex::CompileError::TooLarge(message) => format!(
                "the pattern is too large once compiled (over {} bytes; a repetition such as `\\w{{1000}}{{1000}}`): {message}",
                dotnet::regex::SIZE_LIMIT
            ),
            dotnet::regex::CompileError::Invalid(message) => {
                format!("the pattern is not a valid regular expression: {message}")
            }
        };
        a.fail_at(PATTERN, EvalErrorKind::InvalidRegex, message)
    })?;
    let re = Rc::new(re);
    REGEX_CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

fn regex_runtime(a: &Args<'_, '_>, e: fancy_regex::Error) -> Stop {
    a.fail_at(
        PATTERN,
        EvalErrorKind::RegexTooComplex,
        format!("matching was stopped: {e}"),
    )
}

/// The names of a pattern's named groups (`(?<n>…)`, `(?P<n>…)`, `(?'n'…)`), read from its
/// text. fancy-regex's own `capture_names` panics when a named group sits under a `{0}`
/// repetition (the group is compiled away but its name is not), so it is not used.
fn group_names(pattern: &str) -> Vec<String> {
    let b = pattern.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1, // skip the escaped character
            b'[' if !in_class => {
                in_class = true;
                // A `]` first in the class (after an optional `^`) is a literal.
                if b.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &pattern[i + 1..];
                let (open, close) = if let Some(r) = rest.strip_prefix("?P<") {
                    (r, '>')
                } else if let Some(r) = rest.strip_prefix("?<")
                    && !r.starts_with(['=', '!'])
                {
                    (r, '>')
                } else if let Some(r) = rest.strip_prefix("?'") {
                    (r, '\'')
                } else {
                    ("", ' ')
                };
                if let Some(end) = open.find(close)
                    && end > 0
                {
                    names.push(open[..end].to_string());
                }
            }
            _ => {}
        }
        i += 1;
    }
    names
}

/// One piece of a .NET replacement pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Group(usize),
    Named(String),
    Before,
    After,
    LastGroup,
    Input,
}

/// A parsed .NET replacement pattern: `$n`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`;
/// a reference to a group the pattern lacks stays literal text, as in .NET.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Substitution(Vec<Piece>);

impl Substitution {
    fn parse(text: &str, re: &Regex, names: &[String]) -> Substitution {
        let groups = re.captures_len();
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            lit.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let (piece, used) = match after.as_bytes().first() {
                Some(b'$') => (Some(Piece::Text("$".into())), 1),
                Some(b'&') => (Some(Piece::Group(0)), 1),
                Some(b'`') => (Some(Piece::Before), 1),
                Some(b'\'') => (Some(Piece::After), 1),
                Some(b'+') => (Some(Piece::LastGroup), 1),
                Some(b'_') => (Some(Piece::Input), 1),
                Some(b'{') => match after.find('}') {
                    Some(close) => {
                        let name = &after[1..close];
                        let piece = match name.parse::<usize>() {
                            Ok(n) if n < groups => Some(Piece::Group(n)),
                            _ if names.iter().any(|n| n == name) => {
                                Some(Piece::Named(name.to_string()))
                            }
                            _ => None,
                        };
                        (piece, close + 1)
                    }
                    None => (None, 0),
                },
                Some(b) if b.is_ascii_digit() => {
                    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                    // The longest leading run of digits that names a group.
                    (1..=digits)
                        .rev()
                        .find_map(|len| {
                            after[..len]
                                .parse::<usize>()
                                .ok()
                                .filter(|&n| n < groups)
                                .map(|n| (Some(Piece::Group(n)), len))
                        })
                        .unwrap_or((None, 0))
                }
                _ => (None, 0),
            };
            match piece {
                Some(Piece::Text(t)) => lit.push_str(&t),
                Some(p) => {
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    pieces.push(p);
                }
                None => lit.push_str(&rest[pos..pos + 1 + used]),
            }
            rest = &after[used..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Substitution(pieces)
    }

    fn expand(&self, caps: &Captures<'_>, input: &str, out: &mut String) {
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(n) => out.push_str(caps.get(*n).map_or("", |m| m.as_str())),
                Piece::Named(name) => out.push_str(caps.name(name).map_or("", |m| m.as_str())),
                Piece::Before => out.push_str(&input[..whole.start]),
                Piece::After => out.push_str(&input[whole.end..]),
                Piece::LastGroup => {
                    let last = (1..caps.len()).rev().find_map(|i| caps.get(i));
                    out.push_str(last.map_or("", |m| m.as_str()));
                }
                Piece::Input => out.push_str(input),
            }
        }
    }
}

/// Replaces every match (or, with a group name, only that group's text within each match).
fn regex_replace(
    re: &Regex,
    input: &str,
    subst: &Substitution,
    group: Option<&str>,
) -> Result<String, fancy_regex::Error> {
    let mut out = String::with_capacity(input.len());
    let mut last = 0;
    for caps in re.captures_iter(input) {
        let caps = caps?;
        let target = match group {
            Some(name) => caps.name(name),
            None => caps.get(0),
        };
        let Some(m) = target else { continue };
        if m.start() < last {
            continue;
        }
        out.push_str(&input[last..m.start()]);
        subst.expand(&caps, input, &mut out);
        last = m.end();
        if out.len() > crate::eval::MAX_VALUE_BYTES {
            break; // the evaluator refuses the result
        }
    }
    out.push_str(&input[last..]);
    Ok(out)
}

/// Text after the regex substitution (for tests and the checker): `None` if the pattern is
/// invalid.
pub fn regex_replace_text(pattern: &str, input: &str, replacement: &str) -> Option<String> {
    let re = Regex::new(pattern).ok()?;
    let subst = Substitution::parse(replacement, &re, &group_names(pattern));
    regex_replace(&re, input, &subst, None).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_table_rows() {
        let cases = [
            ("Zoë", "Zoe"),
            ("Jéssica Smith", "Jessica Smith"),
            ("Straße", "Strasse"),
            ("ǟǡā̀å̄ĂĄ", "aaaaAA"),
            ("æǣ ÆǢ", "aeae AEAE"),
            ("čćc̄c̱ ČĆ", "cccc CC"),
            ("ďd̄ḏ", "ddd"),
            ("ḗḕē̂ê̄e̊̄ Ė", "eeeee E"),
            ("ğḡg̱", "ggg"),
            ("ïîìíıī́i̱ İ", "iiiiiii I"),
            ("ľłl̄ḹḻ ŁĽ", "lllll LL"),
            ("ñńňn̄ṉ", "nnnnn"),
            ("őṓṑȫǭȭȱo̱ Ȫ", "oooooooo O"),
            ("øø̄œ̄ ØŒ̄", "oeoeoe OEOE"),
            ("řr̄ṟṝ", "rrrr"),
            ("šśșşs̄s̱", "ssssss"),
            ("ťțt̄ṯ", "tttt"),
            ("ůűū́u̇̄ǖṻṳ̄u̱ Ű", "uuuuuuuu U"),
            ("ÿýȳȳ́ȳ̀ȳ̃y̱ Ÿ", "yyyyyyy Y"),
            ("źžżz̄ẕ", "zzzzz"),
            ("Đorđe", "Dorde"),
            ("Ελλάδα", "Ελλάδα"),
        ];
        for (input, expect) in cases {
            assert_eq!(remove_diacritics(input), expect, "{input}");
        }
    }

    #[test]
    fn proper_case_rules() {
        assert_eq!(
            proper_case("PABLO GONSALVES (SECOND)", None),
            "Pablo Gonsalves (Second)"
        );
        assert_eq!(proper_case("PINTO-DE'SILVA", Some(" '-")), "Pinto-De'Silva");
        assert_eq!(proper_case("PINTO-DE'SILVA", Some(" ")), "Pinto-de'silva");
        assert_eq!(proper_case("john's", None), "John'S");
        assert_eq!(proper_case("3RD street", None), "3Rd Street");
        assert_eq!(proper_case("élodie ÉMILE", None), "Élodie Émile");
        assert_eq!(proper_case("ǆemal", None), "ǅemal");
        assert_eq!(proper_case("", None), "");
    }

    #[test]
    fn case_mappings() {
        assert_eq!(upper_char('ß', false), 'ß');
        assert_eq!(upper_char('i', true), 'İ');
        assert_eq!(lower_char('I', true), 'ı');
        assert_eq!(lower_char('İ', false), 'i');
        assert!(is_turkic(Some("tr-TR")));
        assert!(is_turkic(Some("az-Latn-AZ")));
        assert!(!is_turkic(Some("en-US")));
    }

    fn eval(expr: &str, attrs: &[(&str, Value)]) -> Result<String, String> {
        use crate::eval::{Context, Outcome, evaluate};
        let map: std::collections::BTreeMap<String, Value> = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let parsed = crate::check::checked(crate::syntax::parse(expr).unwrap()).unwrap();
        match evaluate(&parsed, &Context::new(&map)) {
            Ok(Outcome::Value(v)) => Ok(v.texts().join("|")),
            Ok(other) => Ok(format!("<{}>", other.name())),
            Err(e) => Err(e.kind.name().to_string()),
        }
    }

    fn s(v: &str) -> Value {
        Value::Str(v.to_string())
    }

    #[test]
    fn replace_overloads() {
        let mail = [
            ("mail", s("jd@contoso.com")),
            ("mobile", s("+1 4255550100")),
        ];
        // oldValue + replacementValue: literal, every occurrence, case-sensitive.
        assert_eq!(
            eval(r#"Replace("a-b-B", "b", , , "_", , )"#, &[]),
            Ok("a-_-B".into())
        );
        assert_eq!(
            eval(r#"Replace([mail], "@contoso.com", , ,"", ,)"#, &mail),
            Ok("jd".into())
        );
        // oldValue + template: the source goes into the template.
        assert_eq!(
            eval(r#"Replace([mail], "<m>", , , , , "SMTP:<m>")"#, &mail),
            Ok("SMTP:jd@contoso.com".into())
        );
        // regexPattern + replacementValue, with .NET substitutions.
        assert_eq!(
            eval(
                r#"Replace([mail], , "(?<id>.*)@(?<domain>.*)", , "${domain}/$1", , )"#,
                &mail
            ),
            Ok("contoso.com/jd".into())
        );
        // regexPattern + regexGroupName + replacementValue: only the group is replaced.
        assert_eq!(
            eval(
                r#"Replace([mail], , "(?<id>.*)@(?<domain>.*)", "domain", "fabrikam.com", , )"#,
                &mail
            ),
            Ok("jd@fabrikam.com".into())
        );
        // regexPattern + regexGroupName + replacementAttributeName: the source when present,
        // else the group extracted from the other attribute.
        let extract =
            r#"Replace([telephoneNumber], , "\+(?<isd>\d+) (?<n>\d+)", "n", , [mobile], )"#;
        assert_eq!(eval(extract, &mail), Ok("4255550100".into()));
        let with_phone = [
            ("telephoneNumber", s("555")),
            ("mobile", s("+1 4255550100")),
        ];
        assert_eq!(eval(extract, &with_phone), Ok("555".into()));
        assert_eq!(eval(extract, &[]), Ok("<no-value>".into()));
        // Null source: nothing flows; multi-valued: each value.
        assert_eq!(
            eval(r#"Replace([x], "a", , , "b", , )"#, &[]),
            Ok("<no-value>".into())
        );
        let multi = [("x", Value::Multi(vec!["a1".into(), "a2".into()]))];
        assert_eq!(
            eval(r#"Replace([x], "a", , , "b", , )"#, &multi),
            Ok("b1|b2".into())
        );
        // Errors.
        assert_eq!(
            eval(r#"Replace([mail], "a", , , , , )"#, &mail),
            Err("no-replace-overload".into())
        );
        assert_eq!(
            eval(r#"Replace([mail], "", , , "x", , )"#, &mail),
            Err("invalid-argument".into())
        );
        assert_eq!(
            eval(r#"Replace([mail], , "(", , "x", , )"#, &mail),
            Err("invalid-regex".into())
        );
        assert_eq!(
            eval(r#"Replace([mail], , "(a)", "nope", "x", , )"#, &mail),
            Err("invalid-regex".into())
        );
        assert_eq!(
            eval(
                r#"Replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", , "^(a|a?)+\1$", , "x", , )"#,
                &[]
            ),
            Err("regex-too-complex".into())
        );
    }

    #[test]
    fn instr_positions_and_compare_types() {
        let e = |x: &str| eval(x, &[]).unwrap();
        assert_eq!(
            e(r#"InStr("The Quick fox", "quick", 1, vbTextCompare)"#),
            "5"
        );
        assert_eq!(
            e(r#"InStr("The Quick fox", "quick", 1, vbBinaryCompare)"#),
            "0"
        );
        assert_eq!(e(r#"InStr("The Quick fox", "quick")"#), "0");
        assert_eq!(e(r#"InStr("Zoë Zoë", "ë", 4)"#), "7");
        assert_eq!(e(r#"InStr("ÉCOLE école", "é", 2, vbTextCompare)"#), "7");
        assert_eq!(e(r#"InStr("abc", "c", 4)"#), "0");
        assert_eq!(e(r#"InStr("abc", "", 4)"#), "4");
        assert_eq!(e(r#"InStr("abc", "", 5)"#), "0");
        assert_eq!(e(r#"InStr([none], "a")"#), "0");
        assert_eq!(
            eval(r#"InStr("abc", "a", 0)"#, &[]),
            Err("invalid-argument".into())
        );
        assert_eq!(
            eval(r#"InStr("abc", "a", 1, "fuzzy")"#, &[]),
            Err("invalid-argument".into())
        );
    }

    #[test]
    fn net_substitutions() {
        let r = |p: &str, i: &str, s: &str| regex_replace_text(p, i, s).unwrap();
        assert_eq!(
            r(
                r"\+(?<isdCode>\d* )(?<phoneNumber>\d{10})",
                "+91 9998887777",
                "${phoneNumber}"
            ),
            "9998887777"
        );
        assert_eq!(r(r"(\w+)@(\w+)", "ab@cd", "$2@$1"), "cd@ab");
        assert_eq!(r(r"(\w)", "ab", "$10"), "a0b0");
        assert_eq!(r(r"b", "abc", "[$`|$&|$']"), "a[a|b|c]c");
        assert_eq!(
            r(r"b", "abc", "$$ ${nope} $9 $x $_"),
            "a$ ${nope} $9 $x abcc"
        );
        assert_eq!(
            r(r"(?'id'.*)@(?<domain>.*)", "jd@contoso.com", "${id}"),
            "jd"
        );
        assert_eq!(r(r"x*", "ab", "-"), "-a-b-");
        assert_eq!(r(r"(a)|(b)", "ab", "$+"), "ab");
    }
}
