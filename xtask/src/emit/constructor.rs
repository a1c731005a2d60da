//! Each request (and request object) gets `new`: positional for one
//! required field, a `{Type}Required` struct literal for two or more, so
//! that no call can swap two required values of one type unnoticed; and
//! the check that counts the constructors that would let them.

use std::fmt::Write;

use super::docs::what;
use super::Writer;
use crate::model::{doc_text, Field, Side};
use crate::naming::unraw;

/// A generated `new`: the type it builds and its parameters' types.
pub type Constructor = (String, Vec<String>);

/// The constructors among `constructors` whose parameters include two
/// neighbours of one type (which a caller could swap without the compiler
/// noticing), as `Type::new(A, A, ...)` lines.
pub fn swappable(constructors: &[Constructor]) -> Vec<String> {
    constructors
        .iter()
        .filter(|(_, params)| params.windows(2).any(|w| w[0] == w[1]))
        .map(|(name, params)| format!("{name}::new({})", params.join(", ")))
        .collect()
}

impl Writer<'_> {
    /// `new`: with no argument when nothing is required, with the one
    /// required value, or with a `{Type}Required` struct literal that names
    /// every required field (so two values of one type cannot swap
    /// unnoticed); the optional fields start as `None` and are set on the
    /// value afterwards.
    ///
    /// Public fields after `new` rather than one setter per optional field:
    /// one function per struct instead of one per field (about 20,000 more
    /// functions to compile), and the fields read the same in both directions.
    pub(super) fn constructor(&mut self, id: usize) {
        let def = &self.model.structs[id];
        let generics = if def.lifetime { "<'a>" } else { "" };
        let required: Vec<&Field> = def.required_fields().collect();
        let inits: Vec<String> = def
            .fields
            .iter()
            .map(|f| {
                if f.required {
                    f.ident.clone()
                } else {
                    format!("{}: None", f.ident)
                }
            })
            .collect();
        let optional: Vec<String> = def
            .fields
            .iter()
            .filter(|f| !f.required)
            .map(|f| format!("`{}`", unraw(&f.ident)))
            .collect();
        let (mut doc, params, unpack) = if let Some(name) = def.required_struct() {
            self.required_item(id, &name);
            let lifetime = if def.required_lifetime(self.model) {
                "<'a>"
            } else {
                ""
            };
            let fields: Vec<&str> = required.iter().map(|f| f.ident.as_str()).collect();
            (
                format!(
                    "{} from its required fields, each named in a [`{name}`].",
                    what(def.request_of)
                ),
                vec![("required".to_owned(), format!("{name}{lifetime}"))],
                Some(format!(
                    "let {name} {{ {} }} = required;",
                    fields.join(", ")
                )),
            )
        } else if let [one] = required.as_slice() {
            (
                format!(
                    "{} from its one required field, `{}`.",
                    what(def.request_of),
                    unraw(&one.ident)
                ),
                vec![(one.ident.clone(), self.field_ty(one, Side::Req))],
                None,
            )
        } else {
            (
                format!("{} without a required field.", what(def.request_of)),
                Vec::new(),
                None,
            )
        };
        self.constructors.push((
            def.name.clone(),
            params.iter().map(|(_, ty)| ty.clone()).collect(),
        ));
        if !optional.is_empty() {
            write!(
                doc,
                " The optional ones ({}) start as `None`: assign them on the value.",
                optional.join(", ")
            )
            .unwrap();
        }
        let params: Vec<String> = params
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        self.line("");
        self.line(&format!("impl{generics} {}{generics} {{", def.name));
        self.line(&format!("    /// {doc}"));
        self.line("    #[inline]");
        self.line(&format!("    pub fn new({}) -> Self {{", params.join(", ")));
        if let Some(unpack) = unpack {
            self.line(&format!("        {unpack}"));
        }
        self.line(&format!("        Self {{ {} }}", inits.join(", ")));
        self.line("    }");
        self.line("}");
    }

    /// The `{Type}Required` struct: the required fields of a request or
    /// request object, public, to be written as a struct literal. Not
    /// `#[non_exhaustive]`: a field WeChat Pay makes required is a breaking
    /// change whatever the shape, and a literal is what names the fields.
    fn required_item(&mut self, id: usize, name: &str) {
        let def = &self.model.structs[id];
        let lifetime = if def.required_lifetime(self.model) {
            "<'a>"
        } else {
            ""
        };
        self.line("");
        self.doc_attr(
            "",
            &[format!(
                "The required fields of [`{0}`], each named where it is given: \
                 `{0}::new({name} {{ .. }})`.",
                def.name
            )],
        );
        self.line(&format!("pub struct {name}{lifetime} {{"));
        for f in def.required_fields() {
            let label = f
                .label
                .as_deref()
                .map(doc_text)
                .unwrap_or_else(|| format!("`{}`", f.wire));
            // rustdoc cannot follow a raw identifier (`r#type`).
            let see = if f.ident.starts_with("r#") {
                format!("`{}::{}`", def.name, unraw(&f.ident))
            } else {
                format!("[`{}::{}`]", def.name, f.ident)
            };
            self.line(&format!(
                "    #[doc = {:?}]",
                format!("{label} (see {see}).")
            ));
            self.line(&format!(
                "    pub {}: {},",
                f.ident,
                self.field_ty(f, Side::Req)
            ));
        }
        self.line("}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_of_one_type_are_swappable() {
        let c = |name: &str, params: &[&str]| -> Constructor {
            (
                name.to_owned(),
                params.iter().map(|p| p.to_string()).collect(),
            )
        };
        let constructors = [
            c("A", &[]),
            c("B", &["&'a str"]),
            c("C", &["ARequired<'a>"]),
            c("D", &["i64", "&'a str", "i64"]),
            c("E", &["i64", "&'a str", "&'a str"]),
        ];
        assert_eq!(swappable(&constructors), ["E::new(i64, &'a str, &'a str)"]);
    }
}
