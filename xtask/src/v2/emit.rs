//! Writing the APIv2 modules: per operation its request struct (with `new`)
//! and its answer struct.

use std::fmt::Write;

use super::{feature, Answer, Scalar, V2Op};
use crate::emit::HEADER;
use crate::model::doc_text;
use crate::tables::V2Area;

fn request_type(scalar: Scalar, required: bool) -> String {
    let ty = match scalar {
        Scalar::Text => "&'a str",
        Scalar::Int => "i64",
        Scalar::Float => "f64",
        Scalar::Bool => "bool",
    };
    if required {
        ty.to_owned()
    } else {
        format!("Option<{ty}>")
    }
}

fn answer_type(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::Text => "Option<String>",
        Scalar::Int => "Option<i64>",
        Scalar::Float => "Option<f64>",
        Scalar::Bool => "Option<bool>",
    }
}

fn lit(text: &str) -> String {
    format!("{text:?}")
}

pub(super) fn module_source(area: &V2Area, ops: &[&V2Op]) -> String {
    let mut out = format!(
        "{HEADER}\n//! APIv2 {}.\n//!\n//! Feature `{}`.\n\nuse crate::generated::prelude::*;\n",
        area.doc,
        feature(area)
    );
    for op in ops {
        request_item(&mut out, op);
        answer_item(&mut out, op);
    }
    out
}

fn request_item(out: &mut String, op: &V2Op) {
    let name = format!("{}Request", op.name);
    let borrows = op.fields.iter().any(|f| f.scalar == Scalar::Text);
    let lt = if borrows { "<'a>" } else { "" };
    let args: Vec<&str> = op
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.ident.as_str())
        .collect();
    let summary = doc_text(&op.cat.summary);
    let mut doc = format!(
        "{summary}: `POST /{}` (APIv2, XML).\n\n```ignore\nlet request = {name}::new({});\n\
         let answer = request.send(&v2_client).await?;\n```",
        op.short,
        args.join(", ")
    );
    if let Some(sign_type) = &op.sign_type {
        write!(
            doc,
            "\n\nWeChat accepts only {sign_type} signs here: the request is signed so \
             whatever the client's sign type."
        )
        .unwrap();
    }
    for link in &op.cat.docs {
        write!(doc, "\n\n<{link}>").unwrap();
    }
    let response = match op.answer {
        Answer::Bill => "wxpay_core::v2::V2Bill".to_owned(),
        Answer::Fields { .. } => format!("{}Response", op.name),
    };
    writeln!(out, "\n#[doc = {}]", lit(&doc)).unwrap();
    writeln!(
        out,
        "#[doc(alias({}, {}, {}))]",
        lit(op.cat.summary.trim()),
        lit(&op.cat.path),
        lit(&op.short)
    )
    .unwrap();
    let mut facts = op
        .sign_type
        .as_deref()
        .map(|t| format!(", sign_type = {}", lit(t)))
        .unwrap_or_default();
    if op.certificate {
        facts.push_str(", certificate");
    }
    if op.unsigned_answer {
        facts.push_str(", unsigned_answer");
    }
    writeln!(
        out,
        "#[wxpay_api(v2, POST, {}, response = {response}{facts})]",
        lit(&op.cat.path)
    )
    .unwrap();
    writeln!(out, "#[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]").unwrap();
    writeln!(out, "pub struct {name}{lt} {{").unwrap();
    for f in &op.fields {
        writeln!(out, "    #[doc = {}]", lit(&f.doc)).unwrap();
        writeln!(
            out,
            "    pub {}: {},",
            f.ident,
            request_type(f.scalar, f.required)
        )
        .unwrap();
    }
    writeln!(out, "}}\n").unwrap();
    let params: Vec<String> = op
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| format!("{}: {}", f.ident, request_type(f.scalar, true)))
        .collect();
    let inits: Vec<String> = op
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
    writeln!(
        out,
        "impl{lt} {name}{lt} {{\n\
         /// The request from its required fields, in declaration order; the optional ones start as `None`.\n\
         #[inline]\n\
         pub fn new({}) -> Self {{\n\
         Self {{ {} }}\n\
         }}\n\
         }}",
        params.join(", "),
        inits.join(", ")
    )
    .unwrap();
}

fn answer_item(out: &mut String, op: &V2Op) {
    let Answer::Fields { fields, numbered } = &op.answer else {
        return;
    };
    let doc = format!(
        "The answer to [`{}Request`]: every field may be absent (WeChat leaves fields out by case).",
        op.name
    );
    writeln!(out, "\n#[doc = {}]", lit(&doc)).unwrap();
    writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, Deserialize)]\n#[non_exhaustive]"
    )
    .unwrap();
    writeln!(out, "pub struct {}Response {{", op.name).unwrap();
    for f in fields {
        writeln!(out, "    #[doc = {}]", lit(&f.doc)).unwrap();
        writeln!(out, "    pub {}: {},", f.ident, answer_type(f.scalar)).unwrap();
    }
    let mut other = "The other fields: `return_code`, `result_code` and the like (checked \
                     before decoding), fields WeChat adds later"
        .to_owned();
    if numbered.is_empty() {
        other.push('.');
    } else {
        other.push_str(", and the numbered ones, read with `other.indexed(\"name_$n\", &[n])`:\n");
        for (name, label) in numbered {
            write!(other, "\n- `{name}`: {label}").unwrap();
        }
    }
    writeln!(out, "    #[doc = {}]", lit(&other)).unwrap();
    writeln!(
        out,
        "    #[serde(flatten)]\n    pub other: wxpay_core::v2::V2Fields,"
    )
    .unwrap();
    writeln!(out, "}}").unwrap();
}
