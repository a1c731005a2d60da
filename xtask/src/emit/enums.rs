//! The enumerations a module declares: closed sets of wire values
//! (`string_enum!`, unknown values kept) and one-of choices (an enum whose
//! variant is the field sent).

use super::docs::field_facts;
use super::Writer;
use crate::model::{doc_text, variant_name, Side};

impl Writer<'_> {
    pub(super) fn enum_item(&mut self, id: usize) {
        let def = &self.model.enums[id];
        self.line("string_enum! {");
        let label = def.label.as_deref().map(doc_text).unwrap_or_else(|| {
            let field = def
                .uses
                .iter()
                .find_map(|u| u.field.clone())
                .unwrap_or_default();
            format!("Values of `{field}`.")
        });
        self.line(&format!("    /// {label}"));
        self.line(&format!("    pub enum {} {{", def.name));
        for (value, variant) in def.values.iter().zip(&def.variants) {
            self.line(&format!("        /// `{}`", value.replace('`', "'")));
            self.line(&format!("        {variant} = {value:?},"));
        }
        self.line("    }");
        self.line("}");
    }

    /// A one-of: an enum whose variant names the field sent, serialised as
    /// `{"field": value}` (the parent flattens it in place).
    pub(super) fn one_of_item(&mut self, id: usize) {
        let def = &self.model.one_ofs[id];
        let generics = if def.lifetime { "<'a>" } else { "" };
        let names: Vec<String> = def
            .variants
            .iter()
            .map(|f| format!("`{}`", f.wire))
            .collect();
        self.doc_attr(
            "",
            &[format!(
                "Exactly one of {}: WeChat Pay takes one, and the variant is the field sent.",
                names.join(", ")
            )],
        );
        self.line("#[derive(Debug, Clone, PartialEq, Serialize)]");
        // A shape WeChat Pay allows later is not a breaking change.
        self.line("#[non_exhaustive]");
        self.line(&format!("pub enum {}{generics} {{", def.name));
        for f in &def.variants {
            let mut paragraphs = vec![f
                .label
                .as_deref()
                .map(doc_text)
                .unwrap_or_else(|| format!("`{}`", f.wire))];
            let facts = field_facts(f, Side::Req, false);
            let facts = facts.strip_prefix("Required.").unwrap_or(&facts);
            paragraphs.push(format!("Sent as `{}`.{facts}", f.wire));
            paragraphs.extend(f.notes.iter().cloned());
            self.doc_attr("    ", &paragraphs);
            self.line(&format!("    #[serde(rename = {:?})]", f.wire));
            self.line(&format!(
                "    {}({}),",
                variant_name(&f.wire),
                self.field_ty(f, Side::Req)
            ));
        }
        self.line("}");
    }
}
