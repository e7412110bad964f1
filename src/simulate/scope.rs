//! Who Entra treats as soft-deleted: the derivation of `IsSoftDeleted` (reference §4) and the
//! objectMapping's scoping filters (reference §7).
//!
//! A user is soft-deleted when the account is disabled (`accountEnabled: false`), deleted
//! (`deletedDateTime` set, or `IsSoftDeleted: true` given in the input), not assigned to the app
//! (`assigned: false`), or outside every scoping filter group. Groups are ORed, the clauses of a
//! group are ANDed, and a clause on a null (or empty) attribute is false, except `IS NULL`.

use crate::eval::{Attributes, Value};
use crate::mapping::{ScopeClause, ScopeGroup};
use fancy_regex::Regex;
use std::fmt;

/// A scoping-filter operator (`operatorName` in Graph, `operator` in YAML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    IsTrue,
    IsFalse,
    IsNull,
    IsNotNull,
    Includes,
    EndsWith,
    RegexMatch,
    NotRegexMatch,
    GreaterThan,
    GreaterThanOrEquals,
    /// `&`: every bit of the value is set in the attribute.
    BitAnd,
    /// `!&`: not every bit of the value is set in the attribute.
    NotBitAnd,
}

impl Operator {
    /// Every operator with its canonical (portal) spelling.
    pub const ALL: [(Operator, &'static str); 14] = [
        (Operator::Equals, "EQUALS"),
        (Operator::NotEquals, "NOT EQUALS"),
        (Operator::IsTrue, "IS TRUE"),
        (Operator::IsFalse, "IS FALSE"),
        (Operator::IsNull, "IS NULL"),
        (Operator::IsNotNull, "IS NOT NULL"),
        (Operator::Includes, "Includes"),
        (Operator::EndsWith, "ENDS_WITH"),
        (Operator::RegexMatch, "REGEX MATCH"),
        (Operator::NotRegexMatch, "NOT REGEX MATCH"),
        (Operator::GreaterThan, "Greater_Than"),
        (Operator::GreaterThanOrEquals, "Greater_Than_OR_EQUALS"),
        (Operator::BitAnd, "&"),
        (Operator::NotBitAnd, "!&"),
    ];

    /// Reads an operator name: case is ignored and spaces, underscores and hyphens are
    /// interchangeable (`NOT EQUALS`, `Not_Equals`, `REGEX_MATCH`, `greater_than_or_equals`).
    pub fn parse(name: &str) -> Option<Operator> {
        let key = |s: &str| -> String {
            s.trim()
                .chars()
                .filter(|c| !matches!(c, ' ' | '_' | '-'))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = key(name);
        Operator::ALL
            .iter()
            .find(|(_, spelling)| key(spelling) == wanted)
            .map(|(op, _)| *op)
    }

    pub fn as_str(self) -> &'static str {
        Operator::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("?", |(_, s)| s)
    }

    /// Whether the operator ignores its values (`IS TRUE`, `IS NULL`, …).
    pub fn is_unary(self) -> bool {
        matches!(
            self,
            Operator::IsTrue | Operator::IsFalse | Operator::IsNull | Operator::IsNotNull
        )
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a scoping filter cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("scoping clause on {attribute}: unknown operator {operator:?} (known: {known})", known = Operator::ALL.iter().map(|(_, s)| *s).collect::<Vec<_>>().join(", "))]
    UnknownOperator { attribute: String, operator: String },
    #[error("scoping clause {attribute} {operator}: {message}")]
    BadValue {
        attribute: String,
        operator: Operator,
        message: String,
    },
}

/// What a clause compares against, prepared once.
#[derive(Debug, Clone)]
enum Operand {
    None,
    Text(String),
    Int(i64),
    Regex(Box<Regex>),
}

/// One prepared clause.
#[derive(Debug, Clone)]
pub struct Clause {
    pub attribute: String,
    pub operator: Operator,
    operand: Operand,
}

/// The scoping filter of an objectMapping, prepared once (operators resolved, regexes compiled,
/// integers read).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Each group with its name (or `group N`) and its clauses.
    groups: Vec<(String, Vec<Clause>)>,
}

/// Why a user counts as soft-deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoftDeleted {
    /// `accountEnabled` is false.
    Disabled,
    /// `deletedDateTime` is set or the input says `IsSoftDeleted: true`.
    Deleted,
    /// `assigned: false`: the user is not assigned to the app.
    NotAssigned,
    /// No scoping-filter group matches; the text names the first failing clause of each group.
    OutOfScope(String),
}

impl fmt::Display for SoftDeleted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SoftDeleted::Disabled => {
                f.write_str("the account is disabled (accountEnabled is false)")
            }
            SoftDeleted::Deleted => f.write_str("the user is soft-deleted"),
            SoftDeleted::NotAssigned => f.write_str("the user is not assigned to the app"),
            SoftDeleted::OutOfScope(why) => write!(f, "outside the scoping filter ({why})"),
        }
    }
}

impl SoftDeleted {
    /// A short kebab-case name, for JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            SoftDeleted::Disabled => "disabled",
            SoftDeleted::Deleted => "deleted",
            SoftDeleted::NotAssigned => "not-assigned",
            SoftDeleted::OutOfScope(_) => "out-of-scope",
        }
    }
}

impl Scope {
    /// Prepares the scoping filter groups of an objectMapping.
    pub fn new(groups: &[ScopeGroup]) -> Result<Scope, ScopeError> {
        let mut out = Vec::with_capacity(groups.len());
        for (i, group) in groups.iter().enumerate() {
            let name = group
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("group {}", i + 1));
            let clauses = group
                .clauses
                .iter()
                .map(Clause::new)
                .collect::<Result<Vec<_>, _>>()?;
            out.push((name, clauses));
        }
        Ok(Scope { groups: out })
    }

    /// Whether there is no filter (everyone assigned is in scope).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// `Ok(())` when some group matches (or there are none), otherwise why not: the first failing
    /// clause of each group.
    pub fn check(&self, user: &dyn Attributes) -> Result<(), String> {
        if self.groups.is_empty() {
            return Ok(());
        }
        let mut why = Vec::new();
        for (name, clauses) in &self.groups {
            match clauses.iter().find(|c| !c.matches(user)) {
                None => return Ok(()),
                Some(c) => why.push(format!("{name}: {} fails", c.describe())),
            }
        }
        Err(why.join("; "))
    }
}

impl Clause {
    fn new(clause: &ScopeClause) -> Result<Clause, ScopeError> {
        let operator =
            Operator::parse(&clause.operator).ok_or_else(|| ScopeError::UnknownOperator {
                attribute: clause.attribute.clone(),
                operator: clause.operator.clone(),
            })?;
        let bad = |message: String| ScopeError::BadValue {
            attribute: clause.attribute.clone(),
            operator,
            message,
        };
        let value = || -> Result<&str, ScopeError> {
            match clause.values.as_slice() {
                [one] => Ok(one.as_str()),
                [] => Err(bad("the clause needs a value".into())),
                _ => Err(bad(format!(
                    "the clause has {} values; it takes one",
                    clause.values.len()
                ))),
            }
        };
        let operand = match operator {
            o if o.is_unary() => Operand::None,
            Operator::Equals | Operator::NotEquals | Operator::Includes | Operator::EndsWith => {
                Operand::Text(value()?.to_string())
            }
            Operator::RegexMatch | Operator::NotRegexMatch => {
                let pattern = value()?;
                let re = crate::dotnet::regex::compile(pattern).map_err(|e| {
                    let (crate::dotnet::regex::CompileError::Invalid(e)
                    | crate::dotnet::regex::CompileError::TooLarge(e)) = e;
                    bad(format!("{pattern:?} is not a valid regex: {e}"))
                })?;
                Operand::Regex(Box::new(re))
            }
            _ => {
                let text = value()?;
                let n = crate::eval::value::parse_int(text)
                    .map_err(|_| bad(format!("{text:?} is not an integer")))?;
                Operand::Int(n)
            }
        };
        Ok(Clause {
            attribute: clause.attribute.clone(),
            operator,
            operand,
        })
    }

    /// `attribute OPERATOR value`, for messages.
    pub fn describe(&self) -> String {
        match &self.operand {
            Operand::None => format!("{} {}", self.attribute, self.operator),
            Operand::Text(t) => format!("{} {} {t:?}", self.attribute, self.operator),
            Operand::Int(n) => format!("{} {} {n}", self.attribute, self.operator),
            Operand::Regex(re) => format!("{} {} {:?}", self.attribute, self.operator, re.as_str()),
        }
    }

    /// Whether the user satisfies the clause. Null and empty values fail every clause except
    /// `IS NULL`; multi-valued attributes (which Entra cannot scope on) count as their only
    /// value, and fail when they have several.
    pub fn matches(&self, user: &dyn Attributes) -> bool {
        let value = user.lookup(&self.attribute);
        let value: &Value = value.as_deref().unwrap_or(&Value::NULL);
        if self.operator == Operator::IsNull {
            return value.is_null_or_empty();
        }
        if value.is_null_or_empty() {
            return false;
        }
        if self.operator == Operator::IsNotNull {
            return true;
        }
        match self.operator {
            Operator::IsTrue => return matches!(value.to_bool(), Ok(Some(true))),
            Operator::IsFalse => return matches!(value.to_bool(), Ok(Some(false))),
            _ => {}
        }
        let Ok(Some(text)) = value.text() else {
            return false;
        };
        match (&self.operand, self.operator) {
            (Operand::Text(v), Operator::Equals) => *text == **v,
            (Operand::Text(v), Operator::NotEquals) => *text != **v,
            (Operand::Text(v), Operator::Includes) => text.contains(v.as_str()),
            (Operand::Text(v), Operator::EndsWith) => text.ends_with(v.as_str()),
            // A match that cannot be decided within the regex bounds (catastrophic
            // backtracking, a backtracking pattern over a text past its cap) fails the clause.
            (Operand::Regex(re), Operator::RegexMatch) => {
                crate::dotnet::regex::within_cap(re.as_str(), &text)
                    && re.is_match(&text).unwrap_or(false)
            }
            (Operand::Regex(re), Operator::NotRegexMatch) => {
                crate::dotnet::regex::within_cap(re.as_str(), &text)
                    && matches!(re.is_match(&text), Ok(false))
            }
            (Operand::Int(n), op) => {
                let Some(a) = int_of(value, &text) else {
                    return false;
                };
                match op {
                    Operator::GreaterThan => a > *n,
                    Operator::GreaterThanOrEquals => a >= *n,
                    Operator::BitAnd => a & n == *n,
                    Operator::NotBitAnd => a & n != *n,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

fn int_of(value: &Value, text: &str) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::Bool(_) | Value::Date(_) => None,
        _ => crate::eval::value::parse_int(text).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_spellings() {
        assert_eq!(Operator::parse("NOT EQUALS"), Some(Operator::NotEquals));
        assert_eq!(Operator::parse("not_equals"), Some(Operator::NotEquals));
        assert_eq!(Operator::parse("ENDS WITH"), Some(Operator::EndsWith));
        assert_eq!(
            Operator::parse("Greater Than Or Equals"),
            Some(Operator::GreaterThanOrEquals)
        );
        assert_eq!(Operator::parse("!&"), Some(Operator::NotBitAnd));
        assert_eq!(Operator::parse("CONTAINS"), None);
        for (op, s) in Operator::ALL {
            assert_eq!(Operator::parse(s), Some(op));
        }
    }
}
