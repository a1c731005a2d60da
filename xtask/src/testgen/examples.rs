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

    /// A field's example; records where every value `send` encrypts is
    /// sent (`pointer`: where the field sits, a JSON pointer into the body
    /// or `?name` for a query parameter, if anywhere a test can read).
    pub(super) fn field(
        &self,
        field: &Field,
        side: Side,
        pointer: Option<&str>,
        encrypted: &mut Vec<String>,
    ) -> (String, Value) {
        let schema = Some((&field.schema, field.wire.as_str()));
        let mut record = |at: Option<String>, value: &Value| match at {
            Some(at) if value.is_string() => encrypted.push(at),
            _ => panic!("`{}` is encrypted where a test cannot find it", field.wire),
        };
        match (field.encrypt, &field.ty) {
            (Encrypt::Request, ty) => {
                let (expr, value) = self.value(ty, side, schema, pointer, &mut Vec::new());
                record(pointer.map(str::to_owned), &value);
                (sensitive(&expr), value)
            }
            (Encrypt::Items, Ty::Array(item)) => {
                // One item, as every array example has: `/list/0` in the
                // body, every value of `?list` in the query.
                let at = pointer.map(|p| match p.starts_with('?') {
                    true => p.to_owned(),
                    false => format!("{p}/0"),
                });
                let items = schema.and_then(|(s, w)| s.items.as_deref().map(|i| (i, w)));
                let (expr, value) = self.value(item, side, items, None, &mut Vec::new());
                record(at, &value);
                let name = self.array(&sensitive(&expr));
                (name, Value::Array(vec![value]))
            }
            (_, ty) => self.value(ty, side, schema, pointer, encrypted),
        }
    }

    /// `let itemsN = [item];` for the request to borrow: its name, as `&itemsN`.
    fn array(&self, item: &str) -> String {
        let mut arrays = self.arrays.borrow_mut();
        let name = format!("items{}", arrays.len());
        arrays.push(format!("let {name} = [{item}];\n"));
        format!("&{name}")
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
                (self.array(&e), Value::Array(vec![v]))
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

/// A caller's plaintext for a sensitive value.
fn sensitive(expr: &str) -> String {
    format!("wxpay_core::sensitive::Sensitive::new({expr})")
}
