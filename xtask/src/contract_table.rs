//! The table the sandbox contract test (`tests/sandbox/catalog/contract.rs`)
//! decodes answers with: for every APIv3 operation of the catalog, by method
//! and catalog path, how `wxpay-apis` types its answer. A generated
//! operation decodes into its `{Op}Response`; a hand-written upload into the
//! type its `send` returns; a download answers a file; and an operation
//! `wxpay-apis` does not type is listed with the generator's reason.
//!
//! Compile cost: one generic function, instantiated once per response type
//! (operations sharing a type share the instance), decoding from `&[u8]`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use crate::emit::HEADER;
use crate::model::{Model, Response};
use crate::output::Tree;
use crate::tables;

/// Where the test keeps the generated file (a folder the generator owns).
pub const DIR: &str = "tests/sandbox/catalog/generated";

/// The generated file's name inside [`DIR`].
pub const FILE: &str = "typed.rs";

/// What the hand-written uploads of `wxpay-apis` (`HAND_WRITTEN`, items under
/// `media::`) decode their answer into: (request item, response type under
/// the crate root).
const UPLOAD_ANSWERS: &[(&str, &str)] = &[
    ("media::ImageUploadRequest", "media::MediaId"),
    ("media::VideoUploadRequest", "media::MediaId"),
    ("media::MarketingImageUploadRequest", "media::MediaUrl"),
    ("media::ComplaintImageUploadRequest", "media::MediaId"),
    (
        "media::CancelApplicationMediaUploadRequest",
        "media::MediaId",
    ),
    ("media::GlobalComplaintImageUploadRequest", "media::MediaId"),
    ("media::GlobalFileUploadRequest", "media::FileId"),
    ("media::ProductCouponImageUploadRequest", "media::MediaUrl"),
    ("media::FapiaoFileUploadRequest", "media::FapiaoMediaId"),
    ("media::TaxiFapiaoFileUploadRequest", "media::FapiaoMediaId"),
    (
        "media::BankPackageTaskUploadRequest",
        "marketing::bank::packages::tasks::QueryBankPackagesTasksData",
    ),
    ("media::DueDiligenceFileUploadRequest", "media::FileId"),
    ("media::SubmissionFileUploadRequest", "media::FileId"),
    (
        "media::ShoppingReceiptUploadRequest",
        "media::ShoppingReceiptUploadResponse",
    ),
];

const PRELUDE: &str = r#"//! How `wxpay-apis` types the answer of every APIv3 operation of the
//! catalog, by method and catalog path: the contract test decodes each
//! sandbox answer with it. Needs `wxpay-apis` with `full`.

/// How `wxpay-apis` types one operation's answer.
pub enum Answer {
    /// Decodes the JSON body into the typed response; the error names the type.
    Json(fn(&[u8]) -> Result<(), String>),
    /// The typed response is `()`: the answer has no body.
    Empty,
    /// A file: the typed request answers a streamed `wxpay_core::Download`.
    File,
    /// Not typed by `wxpay-apis`, and why.
    NotTyped(&'static str),
}

/// The one instance per response type. An enumeration holding a value
/// `wxpay-apis` does not name is a failure too: it decodes (unknown values
/// are kept) and shows in `Debug` as `Unknown("...")`, which no other value
/// prints.
fn json<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<T>(body) {
        Ok(decoded) => {
            let shown = format!("{decoded:?}");
            match shown.find("Unknown(\"") {
                Some(at) => Err(format!(
                    "{} holds an enumeration value it does not name: ...{}",
                    std::any::type_name::<T>(),
                    shown[at..].chars().take(80).collect::<String>()
                )),
                None => Ok(()),
            }
        }
        Err(e) => Err(failed(std::any::type_name::<T>(), &e)),
    }
}

fn failed(name: &str, e: &serde_json::Error) -> String {
    format!("the answer does not decode into {name}: {e}")
}

/// The entry of `method` `path` (the catalog's path template).
pub fn answer(method: &str, path: &str) -> Option<&'static Answer> {
    OPERATIONS
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, t)| t)
}
"#;

/// The generated folder for the contract test, ready for `output::write`/`check`.
pub fn tree(root: &Path, model: &Model) -> Result<Tree, String> {
    let mut files = BTreeMap::new();
    files.insert(FILE.to_owned(), render(model)?);
    Ok(Tree {
        dir: root.join(DIR),
        files,
        roots: vec![FILE.to_owned()],
    })
}

fn render(model: &Model) -> Result<String, String> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for op in &model.ops {
        let typed = match op.response {
            Response::Unit => "Answer::Empty".to_owned(),
            Response::Value => "Answer::Json(json::<serde_json::Value>)".to_owned(),
            Response::Struct(_) | Response::Bill => format!(
                "Answer::Json(json::<wxpay_apis::{}::{}>)",
                op.module.join("::"),
                op.response_name()
            ),
        };
        rows.push((op.cat.method.clone(), op.cat.path.clone(), typed));
    }
    let mut uploads_seen = 0;
    for s in &model.skipped {
        let hand = tables::HAND_WRITTEN
            .iter()
            .find(|(m, p, _, _)| *m == s.op.method && *p == s.op.path);
        let typed = match hand {
            Some((_, _, item, _)) if item.starts_with("download::") => "Answer::File".to_owned(),
            Some((_, _, item, _)) if item.starts_with("media::") => {
                let (_, answer) = UPLOAD_ANSWERS
                    .iter()
                    .find(|(request, _)| request == item)
                    .ok_or_else(|| {
                        format!(
                            "HAND_WRITTEN upload `{item}` has no entry in UPLOAD_ANSWERS \
                             (xtask/src/contract_table.rs)"
                        )
                    })?;
                uploads_seen += 1;
                format!("Answer::Json(json::<wxpay_apis::{answer}>)")
            }
            Some((_, _, item, _)) => format!(
                "Answer::NotTyped({:?})",
                format!("{}; `wxpay_apis::{item}` types what it carries", s.reason)
            ),
            None => format!("Answer::NotTyped({:?})", s.reason),
        };
        rows.push((s.op.method.clone(), s.op.path.clone(), typed));
    }
    if uploads_seen != UPLOAD_ANSWERS.len() {
        return Err("UPLOAD_ANSWERS names an upload HAND_WRITTEN no longer lists".into());
    }
    rows.sort();
    let mut out = format!("{HEADER}\n{PRELUDE}\n");
    writeln!(
        out,
        "/// Every APIv3 operation of the catalog ({}), by method and path.",
        rows.len()
    )
    .unwrap();
    writeln!(out, "pub const OPERATIONS: &[(&str, &str, Answer)] = &[").unwrap();
    for (method, path, typed) in &rows {
        writeln!(out, "    ({method:?}, {path:?}, {typed}),").unwrap();
    }
    out.push_str("];\n");
    Ok(out)
}
