//! The documentation the generated code carries: per operation (a short
//! call, links, aliases) and per field (role, required, format, example).

use std::fmt::Write;

use crate::model::{doc_text, Field, Model, Op, Response, Role, Side};

/// What a constructor builds.
pub(super) fn what(request_of: Option<usize>) -> &'static str {
    match request_of {
        Some(_) => "The request",
        None => "The object",
    }
}

/// Documentation links, English `/docs/` pages first.
pub(super) fn links(op: &Op) -> Vec<String> {
    let mut links: Vec<&String> = op.cat.docs.iter().collect();
    links.sort_by_key(|l| !l.contains("/docs/"));
    links.dedup();
    links.into_iter().map(|l| format!("<{l}>")).collect()
}

/// Where a field goes, whether it must be given, its format and the
/// catalog's example: `Body, required. Format `rfc3339`. Example: `...`.`
pub(super) fn field_facts(field: &Field, side: Side, top_level_request: bool) -> String {
    let required = match (side, field.required) {
        (Side::Req, true) => "required",
        (Side::Req, false) => "optional",
        (Side::Resp, true) => "always present",
        (Side::Resp, false) => "may be absent",
    };
    let mut text = if top_level_request {
        let role = match &field.role {
            Role::Path => "Path parameter".to_owned(),
            Role::Query => "Query parameter".to_owned(),
            Role::Body => "Body field".to_owned(),
            Role::Header(name) => format!("Header `{name}`"),
        };
        format!("{role}, {required}.")
    } else {
        let mut r = required.to_owned();
        r[..1].make_ascii_uppercase();
        format!("{r}.")
    };
    if field.encrypt.on_request() {
        // The catalog's format and example are of the ciphertext; the field
        // holds the plaintext.
        return text;
    }
    if let Some(format) = field.schema.format.as_deref().filter(|f| !f.is_empty()) {
        write!(text, " Format `{}`.", format.replace('`', "'")).unwrap();
    }
    if let Some(example) = field.doc_example.as_deref().map(str::trim) {
        if !example.is_empty() && !example.contains('\n') {
            let mut example: String = example.replace('`', "'");
            if example.chars().count() > 80 {
                example = example.chars().take(77).collect::<String>() + "...";
            }
            write!(text, " Example: `{example}`.").unwrap();
        }
    }
    text
}

/// `#[doc(alias)]`es, so rustdoc search finds an operation by its Chinese
/// name and its `METHOD path` (rustdoc refuses quotes, tabs and newlines).
pub(super) fn aliases(op: &Op) -> Vec<String> {
    let summary = op
        .cat
        .summary
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    [
        summary,
        format!("{} {}", op.cat.method, op.cat.path),
        op.cat.path.clone(),
    ]
    .into_iter()
    .filter(|a| !a.is_empty() && !a.contains(['"', '\'']))
    .collect()
}

/// `let response = NameRequest::new(NameRequired { a, b }).send(&client).await?;`:
/// the required fields named in a struct literal (or the one required value
/// given as it is), then an optional one set.
fn short_call(model: &Model, op: &Op) -> String {
    let request = &model.structs[op.request];
    let args: Vec<&str> = request
        .required_fields()
        .map(|f| f.ident.as_str())
        .collect();
    // Not the calling merchant: the client fills that one.
    let optional = request.fields.iter().find(|f| !f.required && !f.caller);
    let mut code = String::from("```ignore\n");
    let binding = if optional.is_some() { "mut " } else { "" };
    let call = match request.required_struct() {
        Some(name) => format!("{name} {{\n    {},\n}}", args.join(",\n    ")),
        None => args.join(", "),
    };
    writeln!(
        code,
        "let {binding}request = {}::new({call});",
        op.request_name()
    )
    .unwrap();
    if let Some(f) = optional {
        writeln!(code, "request.{} = Some({});", f.ident, f.ident).unwrap();
    }
    let response = match op.response {
        Response::Unit => "",
        _ => "let response = ",
    };
    write!(code, "{response}request.send(&client).await?;\n```").unwrap();
    code
}

pub(super) fn request_docs(model: &Model, op: &Op) -> Vec<String> {
    let mut paragraphs = vec![format!(
        "{}: `{}`.",
        doc_text(&op.cat.summary),
        op.display()
    )];
    paragraphs.push(short_call(model, op));
    let links = links(op);
    paragraphs.push(if links.is_empty() {
        "The catalog gives no documentation link.".to_owned()
    } else {
        format!("Official documentation: {}.", links.join(", "))
    });
    if !op.cat.roles.is_empty() {
        let roles: Vec<String> = op.cat.roles.iter().map(|r| doc_text(r)).collect();
        paragraphs.push(format!("For: {}.", roles.join(", ")));
    }
    if op.encrypts {
        paragraphs.push(
            "Give sensitive fields in plaintext as `Sensitive::new(..)`: `send` encrypts them \
             with RSA-OAEP under the client's WeChat Pay key and sets `Wechatpay-Serial`."
                .to_owned(),
        );
    }
    if let Some(base) = &op.cat.base_uri {
        paragraphs.push(format!(
            "Served from <{base}>: send it with a client built with that base URL."
        ));
    }
    paragraphs
}
