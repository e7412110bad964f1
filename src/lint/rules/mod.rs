//! One rule per file. Each file's doc comment is what `entramap explain` prints.

pub mod active_not_lowercase_boolean;
pub mod argument_kind;
pub mod cloud_sync_only;
pub mod constant_expression;
pub mod duplicate_target;
pub mod emails_source;
pub mod expression_too_long;
pub mod function_name_case;
pub mod iif_condition_null;
pub mod missing_matching_attribute;
pub mod nondeterministic_always;
pub mod required_target_missing;
pub mod select_unique_value_nested;
pub mod switch_boolean_key_case;
pub mod switch_odd_arguments;
pub mod syntax_error;
pub mod target_not_allowed;
pub mod undocumented_escape;
pub mod unknown_function;
pub mod unknown_rule_in_suppression;
pub mod unknown_source_attribute;
pub mod unknown_target_attribute;
pub mod unused_suppression;
pub mod wrong_argument_count;
