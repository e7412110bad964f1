use crate::catalogue::Trait;
use crate::lint::{MappingCx, Rule, RuleMeta, Sink, known_call};
use crate::syntax::{Expr, ExprKind, print};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `Switch` whose source is a presence test (`IsPresent`, `IsNull`,
    /// `IsNullOrEmpty`) and whose keys are not the constants `"True"` / `"False"`: keys that are
    /// themselves presence tests, attributes or other calls — typically to pick the first of
    /// several values that is present.
    ///
    /// ## Why it matters
    /// A presence test gives the text `True` or `False`, and Switch compares that text with each
    /// key. A key that is another presence test matches whenever both answers agree, so the
    /// Switch does not pick the first present value: in Microsoft's own example,
    /// `Switch(IsPresent([directManager]), [directManager], IsPresent([skiplevelManager]),
    /// [skiplevelManager], …)` returns the skip-level manager for every user who has both.
    /// Microsoft's function reference cautions against presence tests as Switch's source.
    ///
    /// ## Example
    /// ```text
    /// Switch(IsPresent([directManager]), [directManager], IsPresent([skiplevelManager]), [skiplevelManager], IsPresent([director]), [director])
    /// ```
    ///
    /// ## Fix
    /// Write the intent with nested IIF:
    /// `IIF(IsPresent([directManager]), [directManager], IIF(IsPresent([skiplevelManager]),
    /// [skiplevelManager], [director]))`. To test one value, keep Switch over the attribute and
    /// use the key `""` for "empty".
    pub struct SwitchPresenceTest {
        code: "EM020",
        name: "switch-presence-test",
        severity: Error,
        summary: "a Switch over IsPresent/IsNull/IsNullOrEmpty whose keys are not \"True\"/\"False\"",
    }
}

impl Rule for SwitchPresenceTest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let Some((call, spec)) = known_call(node) else {
            return;
        };
        if !spec.has(Trait::KeyedChoice) || call.args.len() < 4 {
            return;
        }
        let source = &call.args[0];
        if !is_presence_test(source) {
            return;
        }
        // Keys sit at positions 2, 4, 6, …: after the source and the default. String keys are
        // judged by switch-boolean-key-case; here, keys that are computed.
        let keys: Vec<&Expr> = call.args.iter().skip(2).step_by(2).collect();
        let Some(first) = keys
            .iter()
            .find(|k| !matches!(k.kind, ExprKind::Str(_) | ExprKind::Omitted))
        else {
            return;
        };
        let message = format!(
            "{} gives the text `True` or `False`, and each key is compared with that text: the key {} matches whenever both answers agree, not when its own value is present",
            print(source),
            print(first)
        );
        let mut finding = cx.at_expr(&Self::META, node.span, message);
        finding.diagnostic.help = Some(match (nested_iif(&call.args), nested_switch(&call.args)) {
            (Some(iif), Some(switch)) => format!(
                "to take the first value that is present, write nested IIF: {iif}; or, as Microsoft's Switch caution advises, test each value with the key \"\": {switch}"
            ),
            (Some(iif), None) => {
                format!("to take the first value that is present, write nested IIF: {iif}")
            }
            _ => "compare a presence test only with the keys \"True\" and \"False\", or write the logic with nested IIF(IsPresent(…), …, IIF(…))".into(),
        });
        out.push(finding);
    }
}

fn is_presence_test(node: &Expr) -> bool {
    known_call(node).is_some_and(|(_, spec)| spec.has(Trait::PresenceTest))
}

/// The nested IIF that takes the first present value, when the Switch has that shape: a default,
/// and every key a presence test. The last pair becomes the innermost else when its key tests
/// its own value (`IsPresent([director]), [director]`).
fn nested_iif(args: &[Expr]) -> Option<String> {
    let default = &args[1];
    if matches!(default.kind, ExprKind::Omitted) || !args.len().is_multiple_of(2) {
        return None;
    }
    let pairs: Vec<(&Expr, &Expr)> = args[2..].chunks(2).map(|p| (&p[0], &p[1])).collect();
    if !pairs.iter().all(|(k, _)| is_presence_test(k)) {
        return None;
    }
    let (last_key, last_value) = pairs.last()?;
    let tests_itself = known_call(last_key).is_some_and(|(call, _)| {
        call.args.len() == 1 && call.args[0].without_spans() == last_value.without_spans()
    });
    let mut text = if tests_itself {
        print(last_value)
    } else {
        format!(
            "IIF({}, {}, IgnoreAttributeFlow)",
            print(last_key),
            print(last_value)
        )
    };
    for (key, value) in pairs[..pairs.len() - 1].iter().rev() {
        text = format!("IIF({}, {}, {text})", print(key), print(value));
    }
    Some(format!(
        "`IIF({}, {}, {text})`",
        print(&args[0]),
        print(default)
    ))
}

/// The argument a presence test examines, when it is a one-argument call.
fn tested(node: &Expr) -> Option<Expr> {
    let (call, spec) = known_call(node)?;
    (spec.has(Trait::PresenceTest) && call.args.len() == 1).then(|| call.args[0].without_spans())
}

/// The same choice written with Switch's `""` key, when every test examines the value it
/// guards (`IsPresent([a]), [a]`): `Switch([a], [a], "", Switch([b], [b], "", [c]))`.
fn nested_switch(args: &[Expr]) -> Option<String> {
    let guards = |test: &Expr, value: &Expr| tested(test) == Some(value.without_spans());
    if !guards(&args[0], &args[1]) || !args.len().is_multiple_of(2) {
        return None;
    }
    let pairs: Vec<(&Expr, &Expr)> = args[2..].chunks(2).map(|p| (&p[0], &p[1])).collect();
    if !pairs.iter().all(|(k, v)| guards(k, v)) {
        return None;
    }
    let mut text = print(pairs.last()?.1);
    for (_, value) in pairs[..pairs.len() - 1].iter().rev() {
        let v = print(value);
        text = format!("Switch({v}, {v}, \"\", {text})");
    }
    let first = print(&args[1]);
    Some(format!("`Switch({first}, {first}, \"\", {text})`"))
}
