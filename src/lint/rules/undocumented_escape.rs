use crate::lint::{MappingCx, Rule, RuleMeta, Sink};
use crate::span::Span;
use crate::syntax::{Expr, ExprKind};

crate::declare_rule! {
    /// ## What it does
    /// Reports a backslash in a string constant that is followed by something other than `\` or
    /// `"`, such as `"\+"` or `"\d"`.
    ///
    /// ## Why it matters
    /// Microsoft documents only `\\` and `\"`. entramap keeps the backslash (as the Workday guide's
    /// `"\+(?<isdCode>…)"` example needs), but whether Entra does is undocumented; in a regular
    /// expression the difference decides whether it matches at all.
    ///
    /// ## Example
    /// ```text
    /// Replace([telephoneNumber], , "\+(?<isdCode>\d*)", , "", , )
    /// ```
    ///
    /// ## Fix
    /// Double the backslash: `"\\+(?<isdCode>\\d*)"`.
    pub struct UndocumentedEscape {
        code: "EM006",
        name: "undocumented-escape",
        severity: Warning,
        summary: "a backslash escape other than \\\\ or \\\" in a string",
    }
}

impl Rule for UndocumentedEscape {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, cx: &MappingCx, node: &Expr, out: &mut Sink) {
        let ExprKind::Str(_) = &node.kind else { return };
        let Some(raw) = cx.text().get(node.span.range()) else {
            return;
        };
        let mut chars = raw.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                continue;
            }
            let Some(&(j, next)) = chars.peek() else {
                break;
            };
            chars.next();
            if next == '\\' || next == '"' {
                continue;
            }
            let start = node.span.start as usize + i;
            let span = Span::new(start, node.span.start as usize + j + next.len_utf8());
            let mut finding = cx.at_expr(
                &Self::META,
                span,
                format!("`\\{next}` is not a documented escape"),
            );
            finding.diagnostic.help = Some(format!(
                "write `\\\\{next}` for a backslash followed by `{next}`; only `\\\\` and `\\\"` are documented escapes"
            ));
            out.push(finding);
        }
    }
}
