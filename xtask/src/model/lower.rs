//! Catalog schemas to Rust types. Structs and enums are interned per area by
//! structure, and every use (which operation, which field, which parent) is
//! recorded, so [`names`](super::names) can place and name them.

use std::collections::HashSet;

use super::intern::push_use;
use super::paths::{placeholders, PathParts};
use super::{Encrypt, Field, Model, Ref, Response, Role, Side, StructDef, Ty, Use};
use crate::catalog::{Kind, Operation, Schema, Sensitive};
use crate::naming::{ident, is_identifier, pascal, snake};
use crate::tables;

pub(super) struct Ctx<'a> {
    pub(super) area: &'a str,
    pub(super) op: usize,
    pub(super) side: Side,
    /// The operation carries `Wechatpay-Serial`: base64 fields are encrypted.
    pub(super) serial: bool,
}

impl Model {
    /// The request struct (path, query, body and header fields) and the
    /// response type of one operation.
    pub(super) fn lower_op(
        &mut self,
        index: usize,
        op: &Operation,
        parts: &PathParts,
    ) -> Result<(), String> {
        let serial = op.headers.iter().any(|h| h.name == "Wechatpay-Serial");
        let ctx = Ctx {
            area: &parts.area,
            op: index,
            side: Side::Req,
            serial,
        };
        let mut fields: Vec<Field> = Vec::new();

        // Path: the placeholders are authoritative.
        let names = placeholders(&op.path);
        let unmatched: Vec<_> = op
            .path_params
            .iter()
            .filter(|p| !names.contains(&p.name))
            .collect();
        let undeclared: Vec<_> = names
            .iter()
            .filter(|n| !op.path_params.iter().any(|p| &p.name == *n))
            .collect();
        for name in &names {
            if !is_identifier(name) || snake(name) != *name {
                return Err(format!("{}: path parameter `{name}`", op.path));
            }
            let declared = op.path_params.iter().find(|p| &p.name == name).or(
                // `{user_id}` declared as `use_id`: borrow its label.
                if unmatched.len() == 1 && undeclared.len() == 1 {
                    unmatched.first().copied()
                } else {
                    None
                },
            );
            let schema = declared.map(|p| p.schema.clone());
            let ty = match schema.as_ref().map(|s| (s.kind, s.format.as_deref())) {
                Some((Kind::Integer | Kind::Number, Some("uint64"))) => Ty::U64,
                Some((Kind::Integer | Kind::Number, _)) => Ty::I64,
                _ => Ty::Str,
            };
            fields.push(Field {
                wire: name.clone(),
                ident: ident(name),
                ty,
                required: true,
                role: Role::Path,
                label: schema.as_ref().and_then(|s| s.label.clone()),
                notes: Vec::new(),
                encrypt: Encrypt::No,
                doc_example: schema.as_ref().and_then(|s| s.example.clone()),
                schema: schema.unwrap_or_else(|| string_schema(None)),
                caller: false,
            });
        }

        for param in &op.query {
            if names.contains(&param.name) {
                // A placeholder the catalog also lists as a query parameter.
                continue;
            }
            let ty = self.lower(&param.schema, &ctx, param.schema.label.as_deref())?;
            let encrypt =
                if is_sensitive_request(&string_schema(None), &param.name, &param.schema, serial) {
                    request_encrypt(&ty, op, &param.name)?
                } else {
                    Encrypt::No
                };
            let field = self.field(
                &param.name,
                ty,
                (param.required && !param.schema.nullable) || required_override(op, &param.name),
                Role::Query,
                &param.schema,
                encrypt,
            );
            fields.push(caller_merchant(op, field));
        }

        if let Some(body) = &op.body {
            let mut props: Vec<&(String, Schema)> = body.property_list().iter().collect();
            if let Some((_, _, order)) = tables::FIELD_ORDER
                .iter()
                .find(|(m, p, _)| *m == op.method && *p == op.path)
            {
                props.sort_by_key(|(name, _)| {
                    order.iter().position(|o| o == name).unwrap_or(order.len())
                });
            }
            for (name, schema) in props {
                let ty = self.lower(schema, &ctx, schema.label.as_deref())?;
                let encrypt = if is_sensitive_request(body, name, schema, serial) {
                    request_encrypt(&ty, op, name)?
                } else {
                    Encrypt::No
                };
                let mut field = self.field(
                    name,
                    ty,
                    (body.required.contains(name) && !schema.nullable)
                        || required_override(op, name),
                    Role::Body,
                    schema,
                    encrypt,
                );
                if names.contains(name) {
                    // Also a path parameter: both are sent, the body one under another Rust name.
                    field.ident = ident(&format!("body_{}", snake(name)));
                }
                fields.push(caller_merchant(op, field));
            }
        }

        // `Wechatpay-Serial` is the client's to set: it names the key the
        // `Sensitive` fields were encrypted with (the catalog lists the
        // header wherever a field may be encrypted, optional ones too, as
        // for 实名支付 in a prepay). An operation the catalog lists it for
        // but that has nothing to encrypt always names the key
        // (`wechatpay_serial`).
        let encrypts = self.encrypts(&fields);
        self.ops[index].encrypts = encrypts;
        self.ops[index].wechatpay_serial = serial && !encrypts;
        for header in &op.headers {
            if header.name == "Wechatpay-Serial" {
                continue;
            }
            fields.push(Field {
                wire: header.name.clone(),
                ident: ident(&snake(&header.name)),
                ty: Ty::Str,
                required: header.required,
                role: Role::Header(header.name.clone()),
                label: header.schema.label.clone(),
                notes: Vec::new(),
                encrypt: Encrypt::No,
                doc_example: header.schema.example.clone(),
                schema: string_schema(header.schema.example.clone()),
                caller: false,
            });
        }

        let mut seen = HashSet::new();
        for f in &fields {
            if !seen.insert(f.ident.clone()) {
                return Err(format!(
                    "{} {}: two fields named `{}`",
                    op.method, op.path, f.ident
                ));
            }
        }

        let lifetime = fields.iter().any(|f| self.borrows(&f.ty));
        let id = self.structs.len();
        self.structs.push(StructDef {
            side: Side::Req,
            fields,
            uses: Vec::new(),
            label: None,
            lifetime,
            request_of: Some(index),
            name: self.ops[index].request_name(),
            home: parts.module.clone(),
        });
        self.add_child_uses(id, index);
        self.ops[index].request = id;

        let ctx = Ctx {
            side: Side::Resp,
            ..ctx
        };
        let response = ["200", "201", "202", "204"]
            .iter()
            .find_map(|code| op.responses.iter().find(|(c, _)| c == code));
        self.ops[index].response = match response {
            // A 200 the catalog gives no schema for may still carry JSON.
            Some((code, s)) if s.kind == Kind::Untyped && code.as_str() <= "201" => Response::Value,
            Some((_, s)) => self.lower_response(index, s, &ctx)?,
            None => Response::Unit,
        };
        Ok(())
    }

    fn lower_response(&mut self, index: usize, s: &Schema, ctx: &Ctx) -> Result<Response, String> {
        Ok(match Some(s) {
            Some(s) if is_bill(s) => Response::Bill,
            Some(s) if s.kind == Kind::Object && !s.property_list().is_empty() => {
                let id = self.intern_struct(s, ctx, None)?;
                push_use(
                    &mut self.structs[id].uses,
                    Use {
                        op: index,
                        field: None,
                        parent: None,
                        item: false,
                    },
                );
                Response::Struct(id)
            }
            Some(s) if s.kind == Kind::Object => Response::Value,
            _ => Response::Unit,
        })
    }

    /// A field with its doc notes: money, listed values, JSON in a string,
    /// and what to do about encryption.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn field(
        &self,
        wire: &str,
        ty: Ty,
        required: bool,
        role: Role,
        schema: &Schema,
        encrypt: Encrypt,
    ) -> Field {
        let mut notes = Vec::new();
        let label = schema.label.clone();
        if matches!(ty, Ty::I64) && label.as_deref().is_some_and(|l| l.contains("金额")) {
            notes.push("Amount in fen (分).".to_owned());
        }
        if !schema.enum_values.is_empty() && !matches!(ty, Ty::Enum(_)) {
            let values: Vec<String> = schema
                .enum_values
                .iter()
                .map(|v| format!("`{}`", v.replace('`', "'")))
                .collect();
            notes.push(format!("One of {}.", values.join(", ")));
        }
        if schema.x_json.is_some() {
            notes.push("Sent as JSON text inside a string.".to_owned());
        }
        match encrypt {
            Encrypt::No => {}
            Encrypt::Request => notes.push(
                "Sensitive: give the plaintext (`Sensitive::new(..)`, whose `Debug` is \
                 redacted); `send` encrypts it with RSA-OAEP under the client's WeChat Pay key \
                 and sets `Wechatpay-Serial`."
                    .to_owned(),
            ),
            Encrypt::Items => notes.push(
                "Sensitive: give each item in plaintext (`Sensitive::new(..)`, whose `Debug` is \
                 redacted); `send` encrypts each with RSA-OAEP under the client's WeChat Pay \
                 key and sets `Wechatpay-Serial`."
                    .to_owned(),
            ),
            Encrypt::Response if wire == "ciphertext" => {
                notes.push("Encrypted with AEAD_AES_256_GCM under the APIv3 key.".to_owned())
            }
            Encrypt::Response if ty == Ty::Str => notes.push(
                "Sensitive: encrypted with RSA-OAEP under the merchant's public key; \
                 `Encrypted::decrypt(&client)` gives the plaintext."
                    .to_owned(),
            ),
            Encrypt::Response => notes.push(
                "Sensitive: encrypted with RSA-OAEP under the merchant's public key; \
                 decrypt it with `Client::decrypt_sensitive`."
                    .to_owned(),
            ),
        }
        let snake_name = snake(wire);
        Field {
            wire: wire.to_owned(),
            ident: ident(if snake_name.is_empty() {
                "field"
            } else {
                &snake_name
            }),
            ty,
            required,
            role,
            label,
            notes,
            encrypt,
            doc_example: schema.example.clone(),
            schema: schema.clone(),
            caller: false,
        }
    }

    /// Whether `send` encrypts some of these fields (or fields of the
    /// structs and one-of choices they hold).
    fn encrypts(&self, fields: &[Field]) -> bool {
        fields.iter().any(|f| {
            let mut refs = Vec::new();
            f.ty.refs(false, &mut refs);
            f.encrypt.on_request()
                || refs.into_iter().any(|(r, _)| match r {
                    Ref::Struct(id) => self.encrypts(&self.structs[id].fields),
                    Ref::OneOf(id) => self.encrypts(&self.one_ofs[id].variants),
                    Ref::Enum(_) => false,
                })
        })
    }

    /// Whether a request field of this type borrows (needs `'a`).
    pub(crate) fn borrows(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Str | Ty::Time | Ty::Media | Ty::Array(_) => true,
            Ty::Struct(id) => self.structs[*id].lifetime,
            Ty::OneOf(id) => self.one_ofs[*id].lifetime,
            Ty::Json(t) => self.borrows(t),
            _ => false,
        }
    }

    pub(super) fn lower(
        &mut self,
        s: &Schema,
        ctx: &Ctx,
        label: Option<&str>,
    ) -> Result<Ty, String> {
        if let Some(variants) = &s.one_of {
            return Ok(Ty::OneOf(self.intern_one_of(variants, ctx)?));
        }
        if let Some(inner) = &s.x_json {
            let inner_ty = self.lower(inner, ctx, label)?;
            return Ok(Ty::Json(Box::new(inner_ty)));
        }
        Ok(match s.kind {
            Kind::Object if !s.property_list().is_empty() => {
                Ty::Struct(self.intern_struct(s, ctx, label)?)
            }
            Kind::Object => Ty::Value,
            Kind::Array => match &s.items {
                Some(items) => Ty::Array(Box::new(self.lower(
                    items,
                    ctx,
                    s.label.as_deref().or(label),
                )?)),
                None => Ty::Array(Box::new(Ty::Value)),
            },
            Kind::String | Kind::Untyped | Kind::File => match self.intern_enum(s, ctx, label) {
                Some(id) => Ty::Enum(id),
                None => match s.format.as_deref() {
                    Some("rfc3339") => Ty::Time,
                    Some("MediaId") => Ty::Media,
                    _ => Ty::Str,
                },
            },
            Kind::Integer | Kind::Number => match self.intern_enum(s, ctx, label) {
                // Values that are words, not numbers, though the type says number.
                Some(id) if s.enum_values.iter().all(|v| v.parse::<f64>().is_err()) => Ty::Enum(id),
                _ => number_type(s),
            },
            Kind::Boolean => Ty::Bool,
        })
    }
}

/// `{download_url, hash_type, hash_value}`, all required text: the answer
/// `Client::download_bill` takes (`wxpay_core::bills::BillInfo`).
fn is_bill(s: &Schema) -> bool {
    let mut names: Vec<&str> = s.property_list().iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    s.kind == Kind::Object
        && names == ["download_url", "hash_type", "hash_value"]
        && s.property_list().iter().all(|(n, p)| {
            p.kind == Kind::String
                && p.enum_values.is_empty()
                && !p.nullable
                && s.required.contains(n)
        })
}

/// Marks a top-level query or body field that is the calling merchant's id
/// ([`tables::CALLER_RULES`]): the client fills it, so `new` does not ask
/// for it.
fn caller_merchant(op: &Operation, mut field: Field) -> Field {
    if crate::merchant::caller_rule(op, &field.wire, &field.schema).is_none() {
        return field;
    }
    field.caller = true;
    field.required = false;
    field.notes.push(
        "The calling merchant: leave it `None` and the client sends its own merchant id \
         (`Client::mchid()`); another id is refused before sending."
            .to_owned(),
    );
    field
}

/// How a request field the catalog marks sensitive is typed: text is
/// `Sensitive`, an array of text has `Sensitive` items. Anything else has
/// no encrypted form the SDK could write, and stops the generator.
pub(super) fn request_encrypt(ty: &Ty, op: &Operation, field: &str) -> Result<Encrypt, String> {
    match ty {
        Ty::Str => Ok(Encrypt::Request),
        Ty::Array(item) if **item == Ty::Str => Ok(Encrypt::Items),
        other => Err(format!(
            "{} {}: `{field}` is marked sensitive but is a {other:?}, which has no encrypted form",
            op.method, op.path
        )),
    }
}

/// A top-level query or body field [`tables::REQUIRED_OVERRIDES`] makes required.
fn required_override(op: &Operation, field: &str) -> bool {
    tables::REQUIRED_OVERRIDES
        .iter()
        .any(|(m, p, f, _)| *m == op.method && *p == op.path && *f == field)
}

fn string_schema(example: Option<String>) -> Schema {
    Schema {
        kind: Kind::String,
        format: None,
        properties: None,
        required: Vec::new(),
        items: None,
        enum_values: Vec::new(),
        label: None,
        example,
        nullable: false,
        sensitive: Sensitive::No,
        x_json: None,
        one_of: None,
    }
}

/// Integers and numbers are `i64` (money is integer fen) unless the catalog
/// says `uint64`, or a float (`format: float`, an example with a point).
fn number_type(s: &Schema) -> Ty {
    match s.format.as_deref() {
        Some("uint64") => Ty::U64,
        Some("float") | Some("double") => Ty::F64,
        _ if s.example.as_deref().is_some_and(|e| e.contains('.')) => Ty::F64,
        _ => Ty::I64,
    }
}

/// `REFUND_TICKET` -> `RefundTicket`.
pub fn variant_name(value: &str) -> String {
    match pascal(value).as_str() {
        "Self" => "SelfValue".to_owned(),
        other => other.to_owned(),
    }
}

/// Marked by `x-is-sensitive`, or, in an operation that carries
/// `Wechatpay-Serial` (the catalog's way of saying "encrypted"), text in
/// base64 or labelled 加密 (not 加密算法, an algorithm's name).
pub(super) fn is_sensitive(parent: &Schema, name: &str, schema: &Schema, serial: bool) -> bool {
    let marked = match &parent.sensitive {
        Sensitive::Fields(names) => names.iter().any(|n| n == name),
        Sensitive::Field(n) => n == name,
        Sensitive::No => false,
    };
    marked || (serial && encrypted_text(schema))
}

/// A request field the caller gives in plaintext for `send` to encrypt:
/// [`is_sensitive`], or, in an operation that carries `Wechatpay-Serial`,
/// an array of such text (each item is encrypted on its own).
pub(super) fn is_sensitive_request(
    parent: &Schema,
    name: &str,
    schema: &Schema,
    serial: bool,
) -> bool {
    is_sensitive(parent, name, schema, serial)
        || (serial
            && schema.kind == Kind::Array
            && schema.items.as_deref().is_some_and(encrypted_text))
}

fn encrypted_text(s: &Schema) -> bool {
    s.kind == Kind::String
        && (s.format.as_deref() == Some("base64")
            || s.label
                .as_deref()
                .is_some_and(|l| l.contains("加密") && !l.contains("加密算法")))
}
