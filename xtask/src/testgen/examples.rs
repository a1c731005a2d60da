//! Example values for the generated tests: a Rust expression of a request
//! value built as a caller would, and the JSON it must encode to (or, for
//! an answer, the JSON of the catalog's example as it is).

use std::cell::RefCell;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::new_call;
use crate::catalog::Schema;
use crate::model::{variant_name, Encrypt, Field, Model, Ref, Side, Ty};

pub(super) struct Examples<'m> {
    pub(super) model: &'m Model,
    /// `let itemsN = [...];` lines for the request's arrays: a request
    /// borrows them, and an array of `new(...)` calls is a temporary that
    /// would not outlive the statement that builds the request.
    pub(super) arrays: RefCell<Vec<String>>,
}

impl Examples<'_> {
    fn path(&self, r: Ref) -> String {
        let (name, home) = self.model.ref_name(r);
        format!("wxpay_apis::{}::{name}", home.join("::"))
    }

    /// A field's example; records the JSON pointer of every value `send`
    /// encrypts (`pointer` is where the field sits in the body, if anywhere).
    pub(super) fn field(
        &self,
        field: &Field,
        side: Side,
        pointer: Option<&str>,
        encrypted: &mut Vec<String>,
    ) -> (String, Value) {
        let (expr, value) = self.value(
            &field.ty,
            side,
            Some((&field.schema, field.wire.as_str())),
            pointer,
            encrypted,
        );
        if matches!(field.encrypt, Encrypt::Attr | Encrypt::With) {
            match pointer {
                Some(p) if value.is_string() => encrypted.push(p.to_owned()),
                _ => panic!("`{}` is encrypted where a test cannot find it", field.wire),
            }
            return (
                format!("wxpay_core::sensitive::Sensitive::new({expr})"),
                value,
            );
        }
        (expr, value)
    }

    /// A Rust expression of a request value and the JSON it must encode to.
    pub(super) fn value(
        &self,
        ty: &Ty,
        side: Side,
        schema: Option<(&Schema, &str)>,
        pointer: Option<&str>,
        encrypted: &mut Vec<String>,
    ) -> (String, Value) {
        let example =
            schema.and_then(|(s, _)| s.example.clone().or_else(|| s.enum_values.first().cloned()));
        let wire = schema.map(|(_, w)| w).unwrap_or("value");
        match ty {
            Ty::Str => {
                let s = example.unwrap_or_else(|| format!("{wire}-example"));
                (format!("{s:?}"), Value::String(s))
            }
            Ty::Time => {
                let s = example
                    .filter(|e| e.len() >= 20 && e.as_bytes().get(10) == Some(&b'T'))
                    .unwrap_or_else(|| "2018-06-08T10:34:56+08:00".to_owned());
                (
                    format!("wxpay_core::types::Timestamp::new({s:?})"),
                    Value::String(s),
                )
            }
            Ty::Media => {
                let s = example.unwrap_or_else(|| format!("{wire}-media-id"));
                (
                    format!("wxpay_core::types::MediaId::new({s:?})"),
                    Value::String(s),
                )
            }
            Ty::I64 => {
                let n = example.and_then(|e| e.parse::<i64>().ok()).unwrap_or(1);
                (n.to_string(), Value::from(n))
            }
            Ty::U64 => {
                let n = example.and_then(|e| e.parse::<u64>().ok()).unwrap_or(1);
                (n.to_string(), Value::from(n))
            }
            Ty::F64 => {
                let n = example
                    .and_then(|e| e.parse::<f64>().ok())
                    .filter(|n| n.is_finite())
                    .unwrap_or(1.5);
                (format!("{n:?}"), Value::from(n))
            }
            Ty::Bool => {
                let b = !example.is_some_and(|e| e.eq_ignore_ascii_case("false"));
                (b.to_string(), Value::Bool(b))
            }
            Ty::Value => (
                "serde_json::Value::Object(Default::default())".to_owned(),
                Value::Object(Map::new()),
            ),
            Ty::Enum(id) => {
                let def = &self.model.enums[*id];
                // An answer carries the catalog's example as it is, so that
                // `check_response` sees one the enum does not name; a
                // request can only be built from a named value.
                let value = example
                    .filter(|e| side == Side::Resp || def.values.contains(e))
                    .unwrap_or_else(|| def.values[0].clone());
                (
                    format!("{}::{}", self.path(Ref::Enum(*id)), variant_name(&value)),
                    Value::String(value),
                )
            }
            Ty::Struct(id) => {
                // Built as a caller would: `new` with the required fields,
                // then the optional ones assigned.
                let def = &self.model.structs[*id];
                let mut args: Vec<(String, String)> = Vec::new();
                let mut sets = String::new();
                let mut map = Map::new();
                for f in &def.fields {
                    let inner = pointer.map(|p| format!("{p}/{}", f.wire));
                    let (e, v) = self.field(f, side, inner.as_deref(), encrypted);
                    if f.required {
                        args.push((f.ident.clone(), e));
                    } else {
                        writeln!(sets, "v.{} = Some({e});", f.ident).unwrap();
                    }
                    match (&f.ty, v) {
                        (Ty::OneOf(_), Value::Object(chosen)) => map.extend(chosen),
                        (_, v) => {
                            map.insert(f.wire.clone(), v);
                        }
                    }
                }
                let module = format!("wxpay_apis::{}", def.home.join("::"));
                let new = new_call(&module, def, &def.name, args);
                let expr = if sets.is_empty() {
                    new
                } else {
                    format!("{{\nlet mut v = {new};\n{sets}v\n}}")
                };
                (expr, Value::Object(map))
            }
            Ty::OneOf(id) => {
                // The first shape, as the object the parent flattens in place.
                let def = &self.model.one_ofs[*id];
                let f = &def.variants[0];
                // The chosen field sits beside the group's siblings.
                let parent = pointer.map(|p| p.rsplit_once('/').map_or("", |(parent, _)| parent));
                let at = parent.map(|p| format!("{p}/{}", f.wire));
                let (e, v) = self.field(f, side, at.as_deref(), encrypted);
                let mut map = Map::new();
                map.insert(f.wire.clone(), v);
                (
                    format!(
                        "{}::{}({e})",
                        self.path(Ref::OneOf(*id)),
                        variant_name(&f.wire)
                    ),
                    Value::Object(map),
                )
            }
            Ty::Array(item) => {
                let inner = pointer.map(|p| format!("{p}/0"));
                let (e, v) = self.value(
                    item,
                    side,
                    schema.and_then(|(s, w)| s.items.as_deref().map(|i| (i, w))),
                    inner.as_deref(),
                    encrypted,
                );
                if side == Side::Resp {
                    // Only the JSON of a response example is used.
                    return (String::new(), Value::Array(vec![v]));
                }
                let mut arrays = self.arrays.borrow_mut();
                let name = format!("items{}", arrays.len());
                arrays.push(format!("let {name} = [{e}];\n"));
                (format!("&{name}"), Value::Array(vec![v]))
            }
            Ty::Json(inner) => {
                // Inside a string: no pointer reaches it.
                let (e, v) = self.value(
                    inner,
                    side,
                    schema.and_then(|(s, w)| s.x_json.as_deref().map(|x| (x, w))),
                    None,
                    encrypted,
                );
                (
                    format!("wxpay_core::types::JsonString({e})"),
                    Value::String(v.to_string()),
                )
            }
        }
    }
}
