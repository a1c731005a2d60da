//! Interning: a struct, enum or one-of is declared once per area and
//! structure, however many operations use it, and every use (which
//! operation, which field, which parent) is recorded for
//! [`names`](super::names) to place and name it.

use std::collections::HashSet;

use super::lower::{is_sensitive, is_sensitive_request, request_encrypt, variant_name, Ctx};
use super::{Encrypt, Model, Ref, Role, Side, StructDef, Use};
use crate::catalog::Schema;
use crate::naming::{is_identifier, unraw};

impl Model {
    /// A string enum, when every value makes a distinct variant name; values
    /// like `01` or `一级` stay strings (their docs list them).
    pub(super) fn intern_enum(
        &mut self,
        s: &Schema,
        ctx: &Ctx,
        label: Option<&str>,
    ) -> Option<usize> {
        if s.enum_values.is_empty() {
            return None;
        }
        let variants: Vec<String> = s.enum_values.iter().map(|v| variant_name(v)).collect();
        let distinct: HashSet<&String> = variants.iter().collect();
        if variants
            .iter()
            .any(|v| !is_identifier(v) || v.starts_with('_'))
            || distinct.len() != variants.len()
        {
            return None;
        }
        let key = (
            ctx.area.to_owned(),
            format!("E|{}", s.enum_values.join("\u{1}")),
        );
        if let Some(Ref::Enum(id)) = self.interned.get(&key) {
            // One enum for every field with these values (a query and the
            // notification share `trade_state`); a label they disagree on
            // is not shown.
            let id = *id;
            let own_label = s.label.clone().or(label.map(str::to_owned));
            if self.enums[id].label != own_label {
                self.enums[id].label = None;
            }
            return Some(id);
        }
        let id = self.enums.len();
        self.enums.push(super::EnumDef {
            values: s.enum_values.clone(),
            variants,
            uses: Vec::new(),
            label: s.label.clone().or(label.map(str::to_owned)),
            name: String::new(),
            home: Vec::new(),
        });
        self.interned.insert(key, Ref::Enum(id));
        Some(id)
    }

    pub(super) fn intern_struct(
        &mut self,
        s: &Schema,
        ctx: &Ctx,
        label: Option<&str>,
    ) -> Result<usize, String> {
        let mut fields = Vec::new();
        for (name, p) in s.property_list() {
            let ty = self.lower(p, ctx, p.label.as_deref())?;
            let encrypt = match ctx.side {
                Side::Resp if is_sensitive(s, name, p, ctx.serial) => Encrypt::Response,
                Side::Req if is_sensitive_request(s, name, p, ctx.serial) => {
                    request_encrypt(&ty, &self.ops[ctx.op].cat, name)?
                }
                _ => Encrypt::No,
            };
            fields.push(self.field(
                name,
                ty,
                s.required.contains(name) && !p.nullable,
                Role::Body,
                p,
                encrypt,
            ));
        }
        let mut seen = HashSet::new();
        for f in &mut fields {
            while !seen.insert(f.ident.clone()) {
                // Two wire names with one snake_case form (`payAuthNo`, `pay_auth_no`).
                f.ident = format!("{}_", unraw(&f.ident));
            }
        }
        let sig = format!(
            "S|{:?}|{}",
            ctx.side,
            fields
                .iter()
                // The label too: a merged type shows one set of field docs,
                // so only shapes whose labels agree are merged.
                .map(|f| format!(
                    "{}:{}:{}:{}:{}",
                    f.wire,
                    f.required,
                    f.ty.sig(),
                    f.notes.len(),
                    f.label.as_deref().unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        let key = (ctx.area.to_owned(), sig);
        let id = match self.interned.get(&key) {
            Some(Ref::Struct(id)) => {
                // What differs between the merged uses is not shown.
                let id = *id;
                let own_label = s.label.clone().or(label.map(str::to_owned));
                let def = &mut self.structs[id];
                if def.label != own_label {
                    def.label = None;
                }
                for (kept, new) in def.fields.iter_mut().zip(&fields) {
                    if kept.doc_example != new.doc_example {
                        kept.doc_example = None;
                    }
                }
                id
            }
            _ => {
                let lifetime = ctx.side == Side::Req && fields.iter().any(|f| self.borrows(&f.ty));
                let id = self.structs.len();
                self.structs.push(StructDef {
                    side: ctx.side,
                    fields,
                    uses: Vec::new(),
                    label: s.label.clone().or(label.map(str::to_owned)),
                    lifetime,
                    request_of: None,
                    name: String::new(),
                    home: Vec::new(),
                });
                self.interned.insert(key, Ref::Struct(id));
                id
            }
        };
        self.add_child_uses(id, ctx.op);
        Ok(id)
    }

    /// The enum of a request's one-of fields, one per area and shape.
    pub(super) fn intern_one_of(
        &mut self,
        variants: &[(String, Schema)],
        ctx: &Ctx,
    ) -> Result<usize, String> {
        if ctx.side != Side::Req {
            return Err("a one-of outside a request".into());
        }
        let mut fields = Vec::new();
        for (name, schema) in variants {
            let ty = self.lower(schema, ctx, schema.label.as_deref())?;
            fields.push(self.field(name, ty, true, Role::Body, schema, Encrypt::No));
        }
        let sig = format!(
            "O|{}",
            fields
                .iter()
                .map(|f| format!("{}:{}", f.wire, f.ty.sig()))
                .collect::<Vec<_>>()
                .join(",")
        );
        let key = (ctx.area.to_owned(), sig);
        if let Some(Ref::OneOf(id)) = self.interned.get(&key) {
            return Ok(*id);
        }
        let lifetime = fields.iter().any(|f| self.borrows(&f.ty));
        let id = self.one_ofs.len();
        self.one_ofs.push(super::OneOfDef {
            variants: fields,
            uses: Vec::new(),
            lifetime,
            name: String::new(),
            home: Vec::new(),
        });
        self.interned.insert(key, Ref::OneOf(id));
        Ok(id)
    }

    /// Records that operation `op` uses the types the fields of `parent` hold.
    pub(super) fn add_child_uses(&mut self, parent: usize, op: usize) {
        let mut refs = Vec::new();
        for f in &self.structs[parent].fields {
            let mut r = Vec::new();
            f.ty.refs(false, &mut r);
            refs.extend(r.into_iter().map(|(r, item)| (r, item, f.wire.clone())));
        }
        for (r, item, field) in refs {
            let u = Use {
                op,
                field: Some(field),
                parent: Some(parent),
                item,
            };
            match r {
                Ref::Struct(id) => push_use(&mut self.structs[id].uses, u),
                Ref::Enum(id) => push_use(&mut self.enums[id].uses, u),
                Ref::OneOf(id) => push_use(&mut self.one_ofs[id].uses, u),
            }
        }
    }
}

pub(super) fn push_use(uses: &mut Vec<Use>, u: Use) {
    if !uses.contains(&u) {
        uses.push(u);
    }
}
