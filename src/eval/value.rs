//! The values an expression computes, and every coercion between them.
//!
//! Entra's expression language is stringly typed: attributes arrive as text, booleans surface as
//! `True` / `False`, numbers are written as constants and Graph stores them as text. The
//! evaluator nevertheless keeps a value's kind while it can (an attribute typed Boolean stays a
//! boolean until it is printed), and this module is the single place that decides how one kind
//! becomes another:
//!
//! | to | from |
//! | --- | --- |
//! | text | booleans `True` / `False`; integers in decimal; dates `M/d/yyyy h:mm:ss tt` (UTC, en-US); a multi-valued value with exactly one value is that value |
//! | integer | decimal text (surrounding white space allowed, optional sign), VB hex `&HFF` / octal `&O17` text (up to 8 digits a 32-bit pattern: `&HFFFFFFFF` is -1, as in VB), booleans 1 / 0 |
//! | boolean | `True` / `False` in any casing; integers (non-zero is true); integer text |
//! | date | dates; text in any of the forms .NET's `DateTime.Parse` reads for en-US (see [`dates::parse_lenient`]) |
//!
//! Null is the absence of a value: an attribute the object does not have. It never flows to a
//! target. The empty string is a value.

use super::EvalErrorKind;
use crate::dotnet as dates;
use std::borrow::Cow;
use std::fmt;

/// One value of the expression language.
#[derive(Debug, Clone, PartialEq, Eq)]
// An eight-byte tag, as `crate::wire::Wire` has and for its reason.
#[repr(u64)]
pub enum Value {
    /// No value: an absent attribute, an omitted argument, a function that produced nothing.
    Null,
    /// Single-valued text.
    Str(String),
    /// A multi-valued attribute or list (`proxyAddresses`, the result of `Split`).
    Multi(Vec<String>),
    /// A boolean (`IsSoftDeleted`, `accountEnabled`, `IsPresent(…)`); prints `True` / `False`.
    Bool(bool),
    /// An integer (`Count`, `InStr`, `DateDiff`, `NumFromDate`).
    Int(i64),
    /// A point in time (`CDate`, `Now`, `DateAdd`, `DateFromNum`); prints `M/d/yyyy h:mm:ss tt`
    /// in UTC.
    Date(crate::dotnet::Instant),
}

/// Why a value could not be coerced; the evaluator adds where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoercionError {
    pub kind: EvalErrorKind,
    pub message: String,
}

impl CoercionError {
    pub fn new(kind: EvalErrorKind, message: impl Into<String>) -> Self {
        CoercionError {
            kind,
            message: message.into(),
        }
    }
}

pub type Coerced<T> = Result<T, CoercionError>;

/// The text of a boolean, as .NET's `Boolean.ToString()` writes it.
pub fn bool_text(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

impl Value {
    /// The shared null, for borrowing.
    pub const NULL: Value = Value::Null;

    /// A short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Str(_) => "text",
            Value::Multi(_) => "multi-valued",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Date(_) => "date",
        }
    }

    /// Null, or a multi-valued value without values.
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Multi(values) => values.is_empty(),
            _ => false,
        }
    }

    /// Null, the empty string, or a multi-valued value whose values are all empty.
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::Multi(values) => values.iter().all(String::is_empty),
            _ => false,
        }
    }

    /// The value as single text; `None` for null.
    ///
    /// A multi-valued value stands for its only value; with none it is null, and with several it
    /// cannot be read as one text.
    pub fn text(&self) -> Coerced<Option<Cow<'_, str>>> {
        Ok(Some(match self {
            Value::Null => return Ok(None),
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            Value::Bool(b) => Cow::Borrowed(bool_text(*b)),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Date(t) => Cow::Owned(dates::format_default(*t)),
            Value::Multi(values) => match values.as_slice() {
                [] => return Ok(None),
                [one] => Cow::Borrowed(one.as_str()),
                _ => return Err(multiple(values.len())),
            },
        }))
    }

    /// Like [`Value::text`], consuming the value (no copy of owned text).
    pub fn into_text(self) -> Coerced<Option<Cow<'static, str>>> {
        Ok(Some(match self {
            Value::Null => return Ok(None),
            Value::Str(s) => Cow::Owned(s),
            Value::Bool(b) => Cow::Borrowed(bool_text(b)),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Date(t) => Cow::Owned(dates::format_default(t)),
            Value::Multi(mut values) => match values.len() {
                0 => return Ok(None),
                1 => Cow::Owned(values.swap_remove(0)),
                n => return Err(multiple(n)),
            },
        }))
    }

    /// Every value as text: one entry for a single value, each value of a multi-valued value,
    /// nothing for null. This is what flows to a target.
    pub fn texts(&self) -> Vec<String> {
        match self {
            Value::Null => Vec::new(),
            Value::Multi(values) => values.clone(),
            other => other
                .text()
                .ok()
                .flatten()
                .map(Cow::into_owned)
                .into_iter()
                .collect(),
        }
    }

    /// The value as an integer; `None` for null.
    pub fn to_int(&self) -> Coerced<Option<i64>> {
        match self {
            Value::Null => Ok(None),
            Value::Int(i) => Ok(Some(*i)),
            Value::Bool(b) => Ok(Some(i64::from(*b))),
            Value::Date(_) => Err(CoercionError::new(
                EvalErrorKind::NotANumber,
                "a date is not a number (NumFromDate turns a date into a FILETIME number)",
            )),
            _ => match self.text()? {
                None => Ok(None),
                Some(text) => parse_int(&text).map(Some),
            },
        }
    }

    /// The value as a boolean; `None` for null.
    pub fn to_bool(&self) -> Coerced<Option<bool>> {
        match self {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            Value::Int(i) => Ok(Some(*i != 0)),
            Value::Date(_) => Err(CoercionError::new(
                EvalErrorKind::NotABoolean,
                "a date is not a boolean",
            )),
            _ => match self.text()? {
                None => Ok(None),
                Some(text) => parse_bool(&text).map(Some),
            },
        }
    }

    /// The value as a point in time; `None` for null.
    pub fn to_date(&self) -> Coerced<Option<crate::dotnet::Instant>> {
        match self {
            Value::Null => Ok(None),
            Value::Date(t) => Ok(Some(*t)),
            Value::Bool(_) | Value::Int(_) => Err(CoercionError::new(
                EvalErrorKind::InvalidDate,
                format!(
                    "a {} is not a date (DateFromNum reads FILETIME numbers)",
                    self.kind_name()
                ),
            )),
            _ => match self.text()? {
                None => Ok(None),
                Some(text) => parse_date(&text).map(Some),
            },
        }
    }

    /// A value from JSON input (an `--input` file, a conformance case, a Graph request).
    ///
    /// `null` is an absent attribute; booleans and integers keep their kind; other numbers become
    /// their text; strings stay text, except for attributes Entra defines as Boolean
    /// ([`is_boolean_attribute`]), where `true` / `false` in any casing become booleans; a list is
    /// multi-valued (its elements as text, objects as compact JSON text, which is how
    /// `appRoleAssignments` entries are given); an object becomes its compact JSON text.
    pub fn from_json(name: &str, json: &serde_json::Value) -> Result<Value, String> {
        use serde_json::Value as J;
        Ok(match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Str(n.to_string()),
            },
            J::String(s) => Value::from_input_text(name, s),
            J::Array(items) => Value::Multi(
                items
                    .iter()
                    .map(|item| match item {
                        J::String(s) => Ok(s.clone()),
                        J::Bool(b) => Ok(bool_text(*b).to_string()),
                        J::Number(n) => Ok(n.to_string()),
                        J::Object(_) => Ok(item.to_string()),
                        J::Null => Err(format!("{name}: a list may not contain null")),
                        J::Array(_) => Err(format!("{name}: a list may not contain lists")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            J::Object(_) => Value::Str(json.to_string()),
        })
    }

    /// A value given as text on the command line or in a Graph request: typed Boolean for the
    /// attributes Entra defines as Boolean when the text is `true` / `false` (any casing), text
    /// otherwise.
    pub fn from_input_text(name: &str, text: &str) -> Value {
        if is_boolean_attribute(name)
            && let Ok(b) = parse_bool(text)
        {
            return Value::Bool(b);
        }
        Value::Str(text.to_string())
    }
}

/// Whether Entra's user schema defines an attribute as Boolean (ASCII case ignored): input
/// text for it is read as a boolean (`--set IsSoftDeleted=true`). The one list is the schema
/// model's ([`crate::mapping::schema::entra_booleans`]).
///
/// Called for every text value of every user a simulation reads, so the names are gathered once
/// and a name of a length no Boolean attribute has is answered without comparing.
pub fn is_boolean_attribute(name: &str) -> bool {
    static BOOLEANS: std::sync::OnceLock<(Vec<&'static str>, u64)> = std::sync::OnceLock::new();
    let (names, lengths) = BOOLEANS.get_or_init(|| {
        let names: Vec<&'static str> = crate::mapping::schema::entra_booleans().collect();
        // Bit n set: some Boolean attribute's name is n bytes long (n < 64).
        let lengths = names.iter().fold(0u64, |m, n| {
            m | 1u64.checked_shl(n.len() as u32).unwrap_or(0)
        });
        (names, lengths)
    });
    let fits = name.len() < 64 && lengths & (1u64 << name.len()) != 0;
    (fits || name.len() >= 64) && names.iter().any(|b| b.eq_ignore_ascii_case(name))
}

fn multiple(n: usize) -> CoercionError {
    CoercionError::new(
        EvalErrorKind::MultipleValues,
        format!("a multi-valued value with {n} values where a single value is needed"),
    )
}

/// Reads an integer the way VB's conversions do: decimal with optional sign and surrounding
/// white space, or `&H` hex / `&O` octal. A hex or octal literal of up to 32 bits is a 32-bit
/// pattern (`&HFFFFFFFF` is -1), a longer one a 64-bit pattern.
pub fn parse_int(text: &str) -> Coerced<i64> {
    let t = text.trim();
    let not_a_number = || {
        CoercionError::new(
            EvalErrorKind::NotANumber,
            format!("{:?} is not an integer", shorten(text)),
        )
    };
    let overflow = || {
        CoercionError::new(
            EvalErrorKind::Overflow,
            format!("{:?} is too large for a 64-bit integer", shorten(text)),
        )
    };
    if let Some(rest) = t.strip_prefix('&') {
        let (radix, digits, bits_per_digit) = match rest.as_bytes().first() {
            Some(b'H' | b'h') => (16, &rest[1..], 4u32),
            Some(b'O' | b'o') => (8, &rest[1..], 3u32),
            _ => return Err(not_a_number()),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Err(not_a_number());
        }
        let digits = digits.trim_start_matches('0');
        let bits = digits.len() as u64 * u64::from(bits_per_digit);
        let value = u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, radix)
            .map_err(|_| overflow())?;
        if bits <= 32 || value <= u64::from(u32::MAX) {
            return Ok(i64::from(value as u32 as i32));
        }
        return Ok(value as i64);
    }
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number());
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<i64>().map_err(|_| overflow())
}

/// Reads `True` / `False` in any casing (surrounding white space allowed), or an integer
/// (non-zero is true).
pub fn parse_bool(text: &str) -> Coerced<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else if let Ok(i) = parse_int(t) {
        Ok(i != 0)
    } else {
        Err(CoercionError::new(
            EvalErrorKind::NotABoolean,
            format!("{:?} is not a boolean (True or False)", shorten(text)),
        ))
    }
}

/// Reads a date as .NET's `DateTime.Parse` would for the en-US culture, in UTC.
pub fn parse_date(text: &str) -> Coerced<crate::dotnet::Instant> {
    dates::parse_lenient(text).map_err(|why| {
        CoercionError::new(
            EvalErrorKind::InvalidDate,
            format!("{:?} is not a date: {why}", shorten(text)),
        )
    })
}

/// At most 60 characters of a text, for messages.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(60) {
        None => Cow::Borrowed(text),
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
    }
}

impl fmt::Display for Value {
    /// The value as Entra would flow it: text, one value per line when multi-valued, nothing
    /// for null.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Multi(values) => f.write_str(&values.join("\n")),
            Value::Str(s) => f.write_str(s),
            Value::Bool(b) => f.write_str(bool_text(*b)),
            Value::Int(i) => write!(f, "{i}"),
            Value::Date(t) => f.write_str(&dates::format_default(*t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached, length-filtered [`is_boolean_attribute`] answers as the plain scan of the
    /// schema does, for every Entra user attribute in several casings and for other names.
    #[test]
    fn is_boolean_attribute_is_the_schema_scan() {
        let plain = |name: &str| {
            crate::mapping::schema::entra_booleans().any(|b| b.eq_ignore_ascii_case(name))
        };
        let mut names: Vec<String> = crate::mapping::builtin::entra_user()
            .iter()
            .flat_map(|d| {
                [
                    d.name.clone(),
                    d.name.to_ascii_uppercase(),
                    format!("{}x", d.name),
                    d.name[1..].to_string(),
                ]
            })
            .collect();
        names.extend(
            [
                "",
                "x",
                "mail",
                "IsSoftDeleted",
                "isSOFTdeleted",
                "accountEnabled",
            ]
            .map(String::from),
        );
        names.push("a".repeat(64));
        names.push("a".repeat(200));
        let mut booleans = 0;
        for n in &names {
            assert_eq!(is_boolean_attribute(n), plain(n), "{n}");
            booleans += usize::from(plain(n));
        }
        assert!(booleans >= 4, "{booleans}");
        assert!(is_boolean_attribute("isSOFTdeleted"));
        assert!(!is_boolean_attribute("mail"));
    }

    #[test]
    fn integers_vb_style() {
        assert_eq!(parse_int(" 42 "), Ok(42));
        assert_eq!(parse_int("-14"), Ok(-14));
        assert_eq!(parse_int("+7"), Ok(7));
        assert_eq!(parse_int("&HF7"), Ok(0xF7));
        assert_eq!(parse_int("&hff"), Ok(255));
        assert_eq!(parse_int("&HFFFFFFFF"), Ok(-1));
        assert_eq!(parse_int("&H7FFFFFFFFFFFFFFF"), Ok(i64::MAX));
        assert_eq!(parse_int("&O17"), Ok(15));
        assert_eq!(parse_int("&H00000000000000000001"), Ok(1));
        assert_eq!(parse_int("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(
            parse_int("9223372036854775808").unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            parse_int("&H1FFFFFFFFFFFFFFFF").unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert!(parse_int("1.5").is_err());
        assert!(parse_int("").is_err());
        assert!(parse_int("-").is_err());
        assert!(parse_int("&H").is_err());
        assert!(parse_int("+-1").is_err());
    }

    #[test]
    fn booleans_print_capitalised_and_parse_any_case() {
        assert_eq!(Value::Bool(true).text().unwrap().unwrap(), "True");
        assert_eq!(Value::Bool(false).to_string(), "False");
        assert_eq!(parse_bool("TRUE"), Ok(true));
        assert_eq!(parse_bool(" false "), Ok(false));
        assert_eq!(parse_bool("0"), Ok(false));
        assert!(parse_bool("yes").is_err());
    }

    #[test]
    fn multi_with_one_value_is_that_value() {
        let one = Value::Multi(vec!["a".into()]);
        assert_eq!(one.text().unwrap().unwrap(), "a");
        assert_eq!(Value::Multi(vec![]).text().unwrap(), None);
        let two = Value::Multi(vec!["a".into(), "b".into()]);
        assert_eq!(two.text().unwrap_err().kind, EvalErrorKind::MultipleValues);
    }

    #[test]
    fn json_inputs() {
        let v = |name: &str, j: &str| Value::from_json(name, &serde_json::from_str(j).unwrap());
        assert_eq!(v("x", "null"), Ok(Value::Null));
        assert_eq!(v("IsSoftDeleted", "\"false\""), Ok(Value::Bool(false)));
        assert_eq!(v("title", "\"false\""), Ok(Value::Str("false".into())));
        assert_eq!(v("n", "12"), Ok(Value::Int(12)));
        assert_eq!(v("n", "1.5"), Ok(Value::Str("1.5".into())));
        assert_eq!(
            v("roles", r#"[{"id":"1","displayName":"Admin"}, "User"]"#),
            Ok(Value::Multi(vec![
                r#"{"id":"1","displayName":"Admin"}"#.into(),
                "User".into()
            ]))
        );
        assert!(v("x", "[null]").is_err());
    }
}
