//! APIv2: the catalog's XML operations as request and answer structs
//! declared with `#[wxpay_api(v2, POST, "v2/...")]`, one module per business
//! area under `wxpay_apis::v2`, each behind a `v2-*` feature.
//!
//! APIv2 fields are flat text, so the model is small: a field is text, an
//! integer, a number or a boolean (JSON-in-text fields are text); answers
//! keep every field optional (WeChat leaves fields out by case, and the
//! catalog's `required` mixes cases), and the numbered fields
//! (`coupon_fee_$n`) stay in the answer's `other` map.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::catalog::{Kind, Operation, Schema};
use crate::emit::{Constructor, HEADER};
use crate::model::doc_text;
use crate::naming::{ident, pascal};
use crate::tables::{
    V2Area, V2_AREAS, V2_CERTIFICATE, V2_NAMES, V2_RAW_ANSWERS, V2_UNSIGNED_ANSWERS, V2_UNTYPED,
    V2_WORDS,
};

mod emit;

use emit::module_source;

/// Request fields the client writes itself (`mch_id`, the nonce, the sign).
const CLIENT_FIELDS: &[&str] = &["mch_id", "nonce_str", "sign", "sign_type"];
/// Answer fields already checked before decoding (a typed answer is a
/// success): left in `other`.
const CHECKED_FIELDS: &[&str] = &[
    "return_code",
    "return_msg",
    "result_code",
    "err_code",
    "err_code_des",
    "sign",
    "nonce_str",
];
/// Request fields only service providers send: optional whatever the
/// catalog says (it merges the direct-merchant and partner pages).
const PARTNER_FIELDS: &[&str] = &["sub_mch_id", "sub_appid"];

/// A field's value type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Text,
    Int,
    Float,
    Bool,
}

struct ReqField {
    ident: String,
    scalar: Scalar,
    required: bool,
    doc: String,
}

struct RespField {
    ident: String,
    scalar: Scalar,
    doc: String,
}

enum Answer {
    /// A bill: raw data.
    Bill,
    Fields {
        fields: Vec<RespField>,
        /// `coupon_fee_$n` and its label.
        numbered: Vec<(String, String)>,
    },
}

struct V2Op {
    cat: Operation,
    /// The path without `v2/`.
    short: String,
    area: &'static V2Area,
    name: String,
    fields: Vec<ReqField>,
    answer: Answer,
    /// The one sign type WeChat accepts, when the catalog names one only.
    sign_type: Option<String>,
    /// The operation needs the merchant API certificate (mutual TLS).
    certificate: bool,
    /// WeChat answers it without a `sign`.
    unsigned_answer: bool,
}

/// The APIv2 operations, typed and not.
pub struct V2Model {
    ops: Vec<V2Op>,
    untyped: Vec<(Operation, &'static str)>,
}

impl V2Model {
    pub fn build(catalog: Vec<Operation>) -> Result<V2Model, String> {
        let listed = V2_UNTYPED
            .iter()
            .chain(V2_NAMES)
            .map(|(path, _)| path)
            .chain(V2_UNSIGNED_ANSWERS)
            .chain(V2_CERTIFICATE);
        for path in listed {
            if !catalog.iter().any(|o| short(&o.path) == *path) {
                return Err(format!(
                    "the APIv2 tables name `{path}`, not in the catalog"
                ));
            }
        }
        let mut ops = Vec::new();
        let mut untyped = Vec::new();
        for cat in catalog {
            let short = short(&cat.path).to_owned();
            if let Some((_, why)) = V2_UNTYPED.iter().find(|(p, _)| *p == short) {
                untyped.push((cat, *why));
                continue;
            }
            if cat.method != "POST" {
                return Err(format!(
                    "APIv2 `{} {}` is not a POST: list it in V2_UNTYPED",
                    cat.method, cat.path
                ));
            }
            let area = V2_AREAS
                .iter()
                .find(|a| a.prefixes.iter().any(|p| short.starts_with(p)))
                .ok_or_else(|| format!("APIv2 `{short}` is in no V2_AREAS module"))?;
            let fields = request_fields(cat.body.as_ref());
            let answer = if V2_RAW_ANSWERS.contains(&short.as_str()) {
                Answer::Bill
            } else {
                answer(
                    cat.responses
                        .iter()
                        .find(|(code, _)| code == "200")
                        .map(|(_, s)| s),
                )
            };
            let sign_type = cat
                .body
                .as_ref()
                .and_then(|b| b.property_list().iter().find(|(n, _)| n == "sign_type"))
                .filter(|(_, s)| s.enum_values.len() == 1)
                .map(|(_, s)| s.enum_values[0].clone());
            ops.push(V2Op {
                sign_type,
                certificate: short.starts_with("secapi/")
                    || V2_CERTIFICATE.contains(&short.as_str()),
                unsigned_answer: V2_UNSIGNED_ANSWERS.contains(&short.as_str()),
                name: op_name(&short),
                short,
                area,
                fields,
                answer,
                cat,
            });
        }
        let mut seen = BTreeSet::new();
        for op in &ops {
            if let Answer::Fields { fields, .. } = &op.answer {
                if fields.iter().any(|f| f.ident == "other") {
                    return Err(format!("APIv2 `{}` answers a field `other`", op.short));
                }
            }
            if !seen.insert((op.area.module, &op.name)) {
                return Err(format!(
                    "two APIv2 operations are named `{}::{}`: add one to V2_NAMES",
                    op.area.module, op.name
                ));
            }
        }
        Ok(V2Model { ops, untyped })
    }

    /// `(method, path, module::Name)` per typed operation, for `--names`.
    pub fn names(&self) -> Vec<(String, String, String)> {
        self.ops
            .iter()
            .map(|o| {
                let name = format!("v2::{}::{}Request", o.area.module, o.name);
                (o.cat.method.clone(), o.cat.path.clone(), name)
            })
            .collect()
    }

    pub fn typed(&self) -> usize {
        self.ops.len()
    }

    /// Files relative to `wxpay-apis/src/generated/`, and the constructors
    /// written in them.
    pub fn files(&self) -> (BTreeMap<String, String>, Vec<Constructor>) {
        let mut files = BTreeMap::new();
        let mut constructors = Vec::new();
        let mut root = format!(
            "{HEADER}\n\
             //! APIv2, the legacy XML API: the operations WeChat Pay serves only\n\
             //! there (付款码支付 micropay, 现金红包, 企业付款, 代金券 ...), sent\n\
             //! with a [`V2Client`](wxpay_core::v2::V2Client). Each module is a\n\
             //! `v2-*` feature (`v2` turns on all); none is on by default.\n\
             //!\n\
             //! A request leaves out `mch_id`, `nonce_str`, `sign_type` and\n\
             //! `sign`: the client adds them (its merchant id, a fresh nonce, its\n\
             //! sign type). Fields WeChat wants as JSON text (`detail`,\n\
             //! `scene_info`) are given as that text. An answer's fields are all\n\
             //! `Option`s (WeChat leaves fields out by case); the numbered ones\n\
             //! (`coupon_fee_$n`, `refund_id_$n`), the checked `return_code` and\n\
             //! `result_code`, and any WeChat adds later are in its `other` field:\n\
             //! `answer.other.indexed(\"refund_status_$n\", &[0])`. Operations\n\
             //! that need the merchant API certificate (declared `certificate`)\n\
             //! are refused by a client without one. The answers of the few\n\
             //! operations WeChat does not sign (red packets, transfers, bills;\n\
             //! declared `unsigned_answer`) are checked for `return_code` and\n\
             //! `result_code` only; call them with `V2Client::call` to see\n\
             //! `V2Response::verified`.\n\
             // `new` may take no field.\n\
             #![allow(clippy::new_without_default)]\n\n"
        );
        for area in V2_AREAS {
            let ops: Vec<&V2Op> = self
                .ops
                .iter()
                .filter(|o| o.area.module == area.module)
                .collect();
            let feature = feature(area);
            writeln!(
                root,
                "#[cfg(feature = \"{feature}\")]\n\
                 #[cfg_attr(docsrs, doc(cfg(feature = \"{feature}\")))]\n\
                 pub mod {};",
                area.module
            )
            .unwrap();
            let (source, made) = module_source(area, &ops);
            files.insert(format!("v2/{}.rs", area.module), source);
            constructors.extend(made);
        }
        files.insert("v2/mod.rs".to_owned(), root);
        (files, constructors)
    }

    /// The `pub mod v2;` line of `generated/mod.rs`.
    pub fn root_declaration(&self) -> String {
        let features: Vec<String> = V2_AREAS
            .iter()
            .map(|a| format!("feature = \"{}\"", feature(a)))
            .collect();
        let any = features.join(", ");
        format!(
            "#[cfg(any({any}))]\n\
             #[cfg_attr(docsrs, doc(cfg(any({any}))))]\n\
             pub mod v2;\n"
        )
    }

    /// The `[features]` entries, and the list `full` adds.
    pub fn features_block(&self) -> (String, String) {
        let mut out = String::new();
        for area in V2_AREAS {
            writeln!(out, "## APIv2 {}: v2::{}", area.doc, area.module).unwrap();
            writeln!(out, "{} = []", feature(area)).unwrap();
        }
        let all: Vec<String> = V2_AREAS
            .iter()
            .map(|a| format!("\"{}\"", feature(a)))
            .collect();
        writeln!(out, "## Every APIv2 area.").unwrap();
        writeln!(out, "v2 = [{}]", all.join(", ")).unwrap();
        (out, "\"v2\"".to_owned())
    }

    /// The APIv2 part of the crate docs.
    pub fn crate_docs(&self) -> String {
        let mut out = format!(
            "\n## APIv2\n\n{} APIv2 (XML) operations are generated under `v2` \
             ({} more are listed below), sent with `wxpay_core::v2::V2Client`. Each module is \
             a feature; `v2` turns on all of them, `full` includes `v2`, the defaults include \
             none.\n\n| feature | operations | module | area |\n| --- | ---: | --- | --- |\n",
            self.ops.len(),
            self.untyped.len()
        );
        for area in V2_AREAS {
            let count = self
                .ops
                .iter()
                .filter(|o| o.area.module == area.module)
                .count();
            writeln!(
                out,
                "| `{}` | {count} | `v2::{}` | {} |",
                feature(area),
                area.module,
                area.doc
            )
            .unwrap();
        }
        out.push_str(
            "\nNot generated: none of these is an XML POST, which is what a `V2Client` \
             sends (the query of a signed page URL or GET is signed with \
             `wxpay_core::v2::sign`):\n\n\
             | operation | name | why |\n| --- | --- | --- |\n",
        );
        for (op, why) in &self.untyped {
            writeln!(
                out,
                "| `{} /{}` | {} | {why} |",
                op.method,
                op.path,
                doc_text(&op.summary)
            )
            .unwrap();
        }
        out
    }
}

fn short(path: &str) -> &str {
    path.strip_prefix("v2/").unwrap_or(path)
}

fn feature(area: &V2Area) -> String {
    format!("v2-{}", area.module.replace('_', "-"))
}

fn op_name(short: &str) -> String {
    if let Some((_, name)) = V2_NAMES.iter().find(|(p, _)| *p == short) {
        return (*name).to_owned();
    }
    let last = short
        .rsplit('/')
        .next()
        .unwrap_or(short)
        .to_ascii_lowercase();
    last.split('_').map(split_words).collect()
}

/// `getupgradestate` → `GetUpgradeState`: the longest word of [`V2_WORDS`]
/// at each step; an unknown rest is one word.
fn split_words(part: &str) -> String {
    let mut out = String::new();
    let mut rest = part;
    while !rest.is_empty() {
        match V2_WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len())
        {
            Some(word) => {
                out.push_str(&pascal(word));
                rest = &rest[word.len()..];
            }
            None => {
                out.push_str(&pascal(rest));
                break;
            }
        }
    }
    out
}

fn scalar(schema: &Schema) -> Scalar {
    if schema.x_json.is_some() {
        return Scalar::Text;
    }
    match schema.kind {
        Kind::Integer => Scalar::Int,
        Kind::Number => match schema.format.as_deref() {
            Some("uint" | "uint32" | "uint64" | "integer" | "int32" | "int64") => Scalar::Int,
            _ => Scalar::Float,
        },
        Kind::Boolean => Scalar::Bool,
        _ => Scalar::Text,
    }
}

fn is_numbered(name: &str) -> bool {
    name.contains('$')
}

/// The field's documentation: its label, then the facts.
fn field_doc(schema: &Schema, requirement: &str) -> String {
    let mut doc = schema.label.as_deref().map(doc_text).unwrap_or_default();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(requirement);
    if let Some(json) = &schema.x_json {
        let what = json.label.as_deref().map(doc_text).unwrap_or_default();
        write!(
            doc,
            " JSON text{}.",
            if what.is_empty() {
                String::new()
            } else {
                format!(" ({what})")
            }
        )
        .unwrap();
    }
    if !schema.enum_values.is_empty() {
        let values: Vec<String> = schema
            .enum_values
            .iter()
            .map(|v| format!("`{}`", v.replace('`', "'")))
            .collect();
        write!(doc, " One of {}.", values.join(", ")).unwrap();
    }
    if let Some(example) = schema.example.as_deref().map(str::trim) {
        if !example.is_empty() && !example.contains('\n') {
            let mut example = example.replace('`', "'");
            if example.chars().count() > 80 {
                example = example.chars().take(77).collect::<String>() + "...";
            }
            write!(doc, " Example: `{example}`.").unwrap();
        }
    }
    doc
}

fn request_fields(body: Option<&Schema>) -> Vec<ReqField> {
    let Some(body) = body else {
        return Vec::new();
    };
    let required: BTreeSet<&str> = body.required.iter().map(String::as_str).collect();
    // The catalog marks both of "transaction_id or out_trade_no" required
    // (and all four ids of a refund query): one of them is.
    let one_of: &[&str] = if required.contains("refund_id") && required.contains("out_refund_no") {
        &[
            "transaction_id",
            "out_trade_no",
            "refund_id",
            "out_refund_no",
        ]
    } else if required.contains("transaction_id") && required.contains("out_trade_no") {
        &["transaction_id", "out_trade_no"]
    } else {
        &[]
    };
    body.property_list()
        .iter()
        .filter(|(name, _)| !CLIENT_FIELDS.contains(&name.as_str()) && !is_numbered(name))
        .map(|(name, schema)| {
            let in_one_of = one_of.contains(&name.as_str());
            let is_required = required.contains(name.as_str())
                && !in_one_of
                && !PARTNER_FIELDS.contains(&name.as_str());
            let requirement = if in_one_of {
                let names: Vec<String> = one_of.iter().map(|n| format!("`{n}`")).collect();
                format!("Optional: one of {} is required.", names.join(", "))
            } else if PARTNER_FIELDS.contains(&name.as_str()) {
                "Optional: service providers give it.".to_owned()
            } else if is_required {
                "Required.".to_owned()
            } else {
                "Optional.".to_owned()
            };
            ReqField {
                ident: ident(name),
                scalar: scalar(schema),
                required: is_required,
                doc: field_doc(schema, &requirement),
            }
        })
        .collect()
}

fn answer(schema: Option<&Schema>) -> Answer {
    let mut fields = Vec::new();
    let mut numbered = Vec::new();
    for (name, schema) in schema.map(Schema::property_list).unwrap_or_default() {
        if is_numbered(name) {
            let label = schema.label.as_deref().map(doc_text).unwrap_or_default();
            numbered.push((name.clone(), label));
        } else if !CHECKED_FIELDS.contains(&name.as_str()) {
            fields.push(RespField {
                ident: ident(name),
                scalar: scalar(schema),
                doc: field_doc(schema, "May be absent."),
            });
        }
    }
    Answer::Fields { fields, numbered }
}
