//! The one visible table of rules. Adding a rule: write `rules/<name>.rs` with `declare_rule!`
//! and an `impl Rule`, then list it here.

use super::Rule;
use super::rules::*;
use crate::diagnostic::Severity;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code: `EM0xx` for mapping rules, `EM1xx` for profile rules.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `entramap rules`.
    pub summary: &'static str,
    /// The rule's doc comment: What it does / Why it matters / Example / Fix.
    pub doc: &'static str,
    /// More general rules this one refines: where both report the same span of the same mapping,
    /// the walk keeps only this rule's finding (one mistake, one finding).
    pub refines: &'static [&'static str],
}

impl RuleMeta {
    /// Whether `key` names this rule (by name or code, ignoring case).
    pub fn matches(&self, key: &str) -> bool {
        self.name.eq_ignore_ascii_case(key) || self.code.eq_ignore_ascii_case(key)
    }
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &syntax_error::SyntaxError,
    &unknown_function::UnknownFunction,
    &function_name_case::FunctionNameCase,
    &wrong_argument_count::WrongArgumentCount,
    &argument_kind::ArgumentKind,
    &undocumented_escape::UndocumentedEscape,
    &cloud_sync_only::CloudSyncOnly,
    &unknown_source_attribute::UnknownSourceAttribute,
    &unknown_target_attribute::UnknownTargetAttribute,
    &duplicate_target::DuplicateTarget,
    &missing_matching_attribute::MissingMatchingAttribute,
    &expression_too_long::ExpressionTooLong,
    &switch_boolean_key_case::SwitchBooleanKeyCase,
    &switch_odd_arguments::SwitchOddArguments,
    &iif_condition_null::IifConditionNull,
    &nondeterministic_always::NondeterministicAlways,
    &select_unique_value_nested::SelectUniqueValueNested,
    &constant_expression::ConstantExpression,
    &placeholder::Placeholder,
    &switch_presence_test::SwitchPresenceTest,
    &single_assignment::SingleAssignment,
    &unknown_rule_in_suppression::UnknownRuleInSuppression,
    &unused_suppression::UnusedSuppression,
    &target_not_allowed::TargetNotAllowed,
    &required_target_missing::RequiredTargetMissing,
    &active_not_lowercase_boolean::ActiveNotLowercaseBoolean,
    &emails_source::EmailsSource,
    &required_source::RequiredSource,
    &active_not_equivalent::ActiveNotEquivalent,
    &scim_flag::ScimFlagRule,
    &groups_unsupported::GroupsUnsupported,
    &object_action_disabled::ObjectActionDisabled,
    &value_rule::ValueRule,
];

/// A rule by name or code.
pub fn find_rule(key: &str) -> Option<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).find(|m| m.matches(key))
}
