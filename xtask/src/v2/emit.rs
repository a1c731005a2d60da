//! Writing the APIv2 modules: per operation its request struct (with `new`)
//! and its answer struct.

use std::fmt::Write;

use super::{feature, Answer, ReqField, Scalar, V2Op};
use crate::emit::{Constructor, HEADER};
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

pub(super) fn module_source(area: &V2Area, ops: &[&V2Op]) -> (String, Vec<Constructor>) {
    let mut out = format!(
        "{HEADER}\n//! APIv2 {}.\n//!\n//! Feature `{}`.\n\nuse crate::generated::prelude::*;\n",
        area.doc,
        feature(area)
    );
    let mut constructors = Vec::new();
    for op in ops {
        constructors.push(request_item(&mut out, op));
        answer_item(&mut out, op);
    }
    (out, constructors)
}

/// Writes the request struct and its `new` (see [`Constructor`]), and
/// returns the constructor's parameter types.
fn request_item(out: &mut String, op: &V2Op) -> Constructor {
    let name = format!("{}Request", op.name);
    let borrows = op.fields.iter().any(|f| f.scalar == Scalar::Text);
    let lt = if borrows { "<'a>" } else { "" };
    let required: Vec<&ReqField> = op.fields.iter().filter(|f| f.required).collect();
    let args: Vec<&str> = required.iter().map(|f| f.ident.as_str()).collect();
    // Two or more required fields are named in a struct literal, so that
    // two of one type cannot swap unnoticed.
    let required_struct = (required.len() >= 2).then(|| format!("{}Required", op.name));
    let call = match &required_struct {
        Some(r) => format!("{r} {{\n    {},\n}}", args.join(",\n    ")),
        None => args.join(", "),
    };
    let summary = doc_text(&op.cat.summary);
    let mut doc = format!(
        "{summary}: `POST /{}` (APIv2, XML).\n\n```ignore\nlet request = {name}::new({call});\n\
         let answer = request.send(&v2_client).await?;\n```",
        op.short,
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
    let required_lt = if required.iter().any(|f| f.scalar == Scalar::Text) {
        "<'a>"
    } else {
        ""
    };
    let (params, unpack, what) = match (&required_struct, required.as_slice()) {
        (Some(r), _) => {
            let doc = format!(
                "The required fields of [`{name}`], each named where it is given: \
                 `{name}::new({r} {{ .. }})`."
            );
            writeln!(
                out,
                "#[doc = {}]\npub struct {r}{required_lt} {{",
                lit(&doc)
            )
            .unwrap();
            for f in &required {
                writeln!(out, "    #[doc = {}]", lit(&f.doc)).unwrap();
                writeln!(
                    out,
                    "    pub {}: {},",
                    f.ident,
                    request_type(f.scalar, true)
                )
                .unwrap();
            }
            writeln!(out, "}}\n").unwrap();
            (
                vec![("required".to_owned(), format!("{r}{required_lt}"))],
                format!("let {r} {{ {} }} = required;\n", args.join(", ")),
                format!("its required fields, each named in a [`{r}`]"),
            )
        }
        (None, [one]) => (
            vec![(one.ident.clone(), request_type(one.scalar, true))],
            String::new(),
            format!("its one required field, `{}`", one.ident),
        ),
        (None, _) => (Vec::new(), String::new(), "no required field".to_owned()),
    };
    let constructor = (
        name.clone(),
        params.iter().map(|(_, ty)| ty.clone()).collect(),
    );
    let params: Vec<String> = params.iter().map(|(n, ty)| format!("{n}: {ty}")).collect();
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
         /// The request from {what}; the optional ones start as `None`.\n\
         #[inline]\n\
         pub fn new({}) -> Self {{\n\
         {unpack}\
         Self {{ {} }}\n\
         }}\n\
         }}",
        params.join(", "),
        inits.join(", ")
    )
    .unwrap();
    constructor
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
