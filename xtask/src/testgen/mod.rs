//! One generated test per typed operation, in `wxpay-apis/tests/operations/`:
//! the method; the path, with a hostile value in every path parameter that
//! must stay one percent-encoded segment; the exact query, body and header
//! bytes of a request built from the catalog's examples; and the decoding of
//! an example response, which must encode back to the same JSON.
//!
//! Expected bytes are computed here, independently of serde and the macro,
//! so a regression in either shows up as a failing operation by name.

mod examples;

use examples::Examples;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Map, Value};

use crate::emit::HEADER;
use crate::model::{Field, Model, Op, Response, Role, Side, StructDef, Ty};
use crate::naming::{snake, unraw};

const SUPPORT: &str = r#"//! What every operation check calls.
// Which checks a build calls depends on the features turned on.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use serde::Serialize;
use wxpay_core::unstable::encode_component;
use wxpay_core::{ApiRequest, EncodeContext, EncodedRequest, Encryptor, Method};

/// The id the test's WeChat Pay public key goes by.
pub const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

/// The WeChat Pay key of the test (a fresh key pair), and its private half.
fn test_key() -> &'static (Encryptor, wxpay_core::PrivateKey) {
    static KEY: std::sync::OnceLock<(Encryptor, wxpay_core::PrivateKey)> =
        std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let key = wxpay_core::unstable::generate_private_key().expect("an RSA key");
        (Encryptor::new(KEY_ID, key.public_key().clone()), key)
    })
}

/// Checks the method, path, query, body and headers a request encodes to,
/// called by merchant `merchant` (what the client fills into the fields
/// that are the calling merchant; empty when the request has none).
///
/// `encrypted` names the values sent encrypted: a JSON pointer into the
/// body, or `?name` for every value of a query parameter. Each decrypts
/// with the test's key to the expected plaintext. A request that names the
/// key (`Wechatpay-Serial` among `headers`) does not encode without one;
/// any other encodes to the same bytes with or without it.
#[track_caller]
#[allow(clippy::too_many_arguments)]
pub fn check_request<R: ApiRequest>(
    request: &R,
    merchant: &str,
    method: Method,
    path: &str,
    query: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
    encrypted: &[&str],
) {
    let (encryptor, key) = test_key();
    let without_key = EncodedRequest::encode(request, &EncodeContext::new(merchant));
    let cx = EncodeContext::new(merchant).with_encryptor(encryptor);
    let e = EncodedRequest::encode(request, &cx).expect("the example request encodes");
    if headers.iter().any(|(name, _)| *name == "Wechatpay-Serial") {
        assert!(
            without_key.is_err(),
            "a request that names the WeChat Pay key (and never sends plaintext) needs one"
        );
    } else {
        assert_eq!(without_key.ok().as_ref(), Some(&e), "a request that encrypts nothing needs no key");
    }
    assert_eq!(e.method, method, "method");
    assert_eq!(e.path, path, "path");
    let decrypt = |ciphertext: &str| {
        key.decrypt_oaep_base64(ciphertext)
            .expect("decrypts with the WeChat Pay key")
    };
    let sent_query: Vec<String> = e
        .query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if encrypted.contains(&format!("?{name}").as_str()) => {
                let plaintext = decrypt(&percent_decode(value));
                format!("{name}={}", encode_component(&plaintext))
            }
            _ => pair.to_owned(),
        })
        .collect();
    assert_eq!(sent_query.join("&"), query, "query, decrypted");
    let pointers: Vec<&str> = encrypted.iter().copied().filter(|p| p.starts_with('/')).collect();
    let sent = e.body.as_deref().map(|b| std::str::from_utf8(b).expect("UTF-8 body"));
    if pointers.is_empty() {
        assert_eq!(sent, body, "body");
    } else {
        let mut json: serde_json::Value =
            serde_json::from_str(sent.expect("a body")).expect("a JSON body");
        for pointer in pointers {
            let slot = json
                .pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer} is in the body"));
            let plaintext = decrypt(slot.as_str().expect("ciphertext is text"));
            *slot = serde_json::Value::String(plaintext);
        }
        assert_eq!(Some(json.to_string().as_str()), body, "body, decrypted");
    }
    let sent: Vec<(&str, &str)> = e.headers.iter().map(|(n, v)| (n.as_ref(), v.as_str())).collect();
    assert_eq!(sent, headers, "headers");
}

/// `%XX` escapes decoded (a query value as sent is otherwise plain ASCII).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("a UTF-8 query value")
}

/// Decodes an example response, checks it encodes back to the same JSON,
/// and that every enumeration in it holds a value the SDK names: an
/// unknown value is kept (so the round trip alone would not notice it) and
/// shows in `Debug` as `Unknown("...")`, which no other value prints
/// (a string's quotes are escaped).
#[track_caller]
pub fn check_response<T: DeserializeOwned + Serialize + std::fmt::Debug>(json: &str) {
    let decoded: T = serde_json::from_str(json).expect("the example response decodes");
    let expected: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    assert_eq!(serde_json::to_value(&decoded).expect("re-encodes"), expected);
    let shown = format!("{decoded:?}");
    assert!(
        !shown.contains("Unknown(\""),
        "an enumeration of the example answer holds a value the SDK does not name: {shown}"
    );
}

/// An operation whose success has no body decodes it as `()`.
pub fn check_empty_response<R: ApiRequest<Response = ()>>(_: &R) {
    assert_eq!(serde_json::from_str::<R::Response>("null").ok(), Some(()));
}

/// An operation whose response has no declared fields keeps the JSON as is.
pub fn check_untyped_response<R: ApiRequest<Response = serde_json::Value>>(_: &R) {}
"#;

/// Files relative to `wxpay-apis/tests/operations/`.
pub fn test_files(model: &Model) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut main = format!(
        "{HEADER}\n\
         //! One check per typed operation: method, path (a hostile path value stays\n\
         //! one encoded segment), the query, body and header bytes of a request\n\
         //! built from the catalog's examples, and the decoding of an example\n\
         //! response. Run with `--features full` to check every area.\n\
         // Modules mirror URL paths, which sometimes repeat a segment.\n\
         #![allow(clippy::module_inception)]\n\n\
         mod support;\n"
    );
    files.insert("support.rs".to_owned(), format!("{HEADER}\n{SUPPORT}"));
    // One file per top-level module, so a test's path is the operation's
    // module path: `pay::transactions::id::query_transactions_by_id`.
    let mut areas: BTreeMap<&str, (&str, Vec<&Op>)> = BTreeMap::new();
    for op in &model.ops {
        areas
            .entry(op.module[0].as_str())
            .or_insert((op.feature, Vec::new()))
            .1
            .push(op);
    }
    for (area, (feature, ops)) in &areas {
        writeln!(main, "#[cfg(feature = \"{feature}\")]\nmod {area};").unwrap();
        files.insert(format!("{}.rs", unraw(area)), area_file(model, ops));
    }
    files.insert("main.rs".to_owned(), main);
    files
}

/// Tests nested in modules that mirror the API modules below the area.
fn area_file(model: &Model, ops: &[&Op]) -> String {
    let mut tree: BTreeMap<Vec<String>, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        tree.entry(op.module[1..].to_vec()).or_default().push(op);
    }
    let mut out = format!("{HEADER}\n\nuse wxpay_core::Method;\n\nuse crate::support::*;\n");
    let mut open: Vec<String> = Vec::new();
    for (path, ops) in &tree {
        let common = open.iter().zip(path).take_while(|(a, b)| a == b).count();
        while open.len() > common {
            open.pop();
            out.push_str("}\n");
        }
        for segment in &path[common..] {
            writeln!(out, "mod {segment} {{\nuse super::*;").unwrap();
            open.push(segment.clone());
        }
        for op in ops {
            out.push_str(&op_test(model, op));
        }
    }
    for _ in open {
        out.push_str("}\n");
    }
    out
}

fn op_test(model: &Model, op: &Op) -> String {
    let request = &model.structs[op.request];
    let ex = Examples {
        model,
        arrays: RefCell::new(Vec::new()),
    };
    let mut args: Vec<(String, String)> = Vec::new();
    let mut sets = String::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut encrypted: Vec<String> = Vec::new();
    let mut merchant = String::new();
    for field in &request.fields {
        let (expr, value) = match field.role {
            Role::Path => path_example(field),
            Role::Body => {
                let pointer = format!("/{}", field.wire);
                ex.field(field, Side::Req, Some(&pointer), &mut encrypted)
            }
            Role::Query => {
                let pointer = format!("?{}", field.wire);
                ex.field(field, Side::Req, Some(&pointer), &mut encrypted)
            }
            Role::Header(_) => ex.field(field, Side::Req, None, &mut Vec::new()),
        };
        if field.caller {
            // Left `None`: the client fills in the merchant it calls as.
            merchant = as_text(&value);
        } else if field.required {
            args.push((field.ident.clone(), expr));
        } else {
            writeln!(sets, "request.{} = Some({expr});", field.ident).unwrap();
        }
        match &field.role {
            Role::Path => {}
            Role::Query | Role::Body if matches!(field.ty, Ty::OneOf(_)) => {
                // Flattened: the chosen field stands in the group's place.
                for (wire, value) in value.as_object().into_iter().flatten() {
                    match field.role {
                        Role::Query => query_pairs(wire, value, &mut query),
                        _ => {
                            body.insert(wire.clone(), value.clone());
                        }
                    }
                }
            }
            Role::Query => query_pairs(&field.wire, &value, &mut query),
            Role::Body => {
                body.insert(field.wire.clone(), value);
            }
            Role::Header(name) => headers.push((name.clone(), as_text(&value))),
        }
    }
    let path = op
        .template
        .split('/')
        .map(
            |piece| match piece.strip_prefix('<').and_then(|p| p.strip_suffix('>')) {
                Some(name) => {
                    let field = request
                        .fields
                        .iter()
                        .find(|f| f.wire == name)
                        .expect("a field per path parameter");
                    encode(&as_text(&path_example(field).1))
                }
                None => piece.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/");
    let query = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let body = (!body.is_empty()).then(|| Value::Object(body).to_string());
    let body = match body {
        Some(b) => format!("Some({b:?})"),
        None => "None".to_owned(),
    };
    let mut headers: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!("({n:?}, {v:?})"))
        .collect();
    if op.wechatpay_serial || !encrypted.is_empty() {
        // Decided by the client, after the headers of the request's fields.
        headers.push("(\"Wechatpay-Serial\", KEY_ID)".to_owned());
    }
    let module = format!("wxpay_apis::{}", op.module.join("::"));
    let new = new_call(&module, request, &op.request_name(), args);
    let method = match op.cat.method.as_str() {
        "GET" => "Get",
        "POST" => "Post",
        "PUT" => "Put",
        "PATCH" => "Patch",
        _ => "Delete",
    };
    let pointers: Vec<String> = encrypted.iter().map(|p| format!("{p:?}")).collect();
    let check = format!(
        "check_request(&request, {merchant:?}, Method::{method}, {path:?}, {query:?}, {body}, &[{}], &[{}]);",
        headers.join(", "),
        pointers.join(", ")
    );
    let response = match op.response {
        Response::Unit => "check_empty_response(&request);".to_owned(),
        Response::Value => "check_untyped_response(&request);".to_owned(),
        Response::Bill => format!(
            "check_response::<{module}::{}>({:?});",
            op.response_name(),
            r#"{"download_url":"https://api.mch.weixin.qq.com/v3/billdownload/file?token=t","hash_type":"SHA1","hash_value":"79bb0f45fc4c42234a918000b2668d689e2bde04"}"#
        ),
        Response::Struct(id) => {
            let json = ex
                .value(&Ty::Struct(id), Side::Resp, None, None, &mut Vec::new())
                .1
                .to_string();
            format!(
                "check_response::<{module}::{}>({json:?});",
                op.response_name()
            )
        }
    };
    let arrays: String = ex.arrays.take().concat();
    let binding = if sets.is_empty() { "" } else { "mut " };
    format!(
        "\n/// `{}`\n#[test]\nfn {}() {{\n\
         {arrays}let {binding}request = {new};\n{sets}\
         {check}\n\
         {response}\n}}\n",
        op.display(),
        unraw(&snake(&op.name)),
    )
}

/// `module::Type::new(..)` as a caller writes it: the one required value as
/// it is, two or more named in the type's `{Type}Required` literal.
fn new_call(module: &str, def: &StructDef, name: &str, args: Vec<(String, String)>) -> String {
    match def.required_struct() {
        Some(required) => {
            let fields: Vec<String> = args
                .into_iter()
                .map(|(ident, expr)| format!("{ident}: {expr}"))
                .collect();
            format!(
                "{module}::{name}::new({module}::{required} {{ {} }})",
                fields.join(", ")
            )
        }
        None => {
            let values: Vec<String> = args.into_iter().map(|(_, expr)| expr).collect();
            format!("{module}::{name}::new({})", values.join(", "))
        }
    }
}

/// A path value that would escape its segment if it were not encoded, and
/// names its parameter so swapped parameters show.
fn path_example(field: &Field) -> (String, Value) {
    match field.ty {
        Ty::I64 | Ty::U64 => {
            let n = field
                .schema
                .example
                .as_deref()
                .and_then(|e| e.parse::<u64>().ok())
                .unwrap_or(42);
            (n.to_string(), Value::from(n))
        }
        _ => {
            let value = format!("{}/../?a=b#c %微", field.wire);
            (format!("{value:?}"), Value::String(value))
        }
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn query_pairs(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                query_pairs(name, item, out);
            }
        }
        other => out.push((name.to_owned(), as_text(other))),
    }
}

/// RFC 3986 unreserved characters stay, every other byte is `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}
