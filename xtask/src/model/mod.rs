//! From catalog operations to what gets written: modules, operations, and the
//! struct and enum types they use.
//!
//! - [`paths`]: module paths, templates and operation names from URL paths;
//! - [`lower`]: catalog schemas to Rust types, interned per area by structure;
//! - [`names`]: where each type lives and what it is called.
//!
//! Types are interned per area by structure, so an object that several
//! operations share (a transaction, an amount) is declared once, in the
//! deepest module that holds all its users, instead of once per operation:
//! that is a third less code to compile than per-module declarations.

mod answers;
mod intern;
mod lower;
mod names;
mod paths;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::catalog::{Kind, Operation, Schema};
use crate::tables;

pub use lower::variant_name;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Request types: borrowed (`&'a str`, `&'a [T]`), `Serialize` only.
    Req,
    /// Response types: owned, `Serialize + Deserialize`.
    Resp,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Str,
    Time,
    Media,
    I64,
    U64,
    F64,
    Bool,
    Value,
    Enum(usize),
    Struct(usize),
    /// Exactly one of some fields ([`crate::tables::ONE_OF`]).
    OneOf(usize),
    Array(Box<Ty>),
    Json(Box<Ty>),
}

impl Ty {
    fn sig(&self) -> String {
        match self {
            Ty::Str => "s".into(),
            Ty::Time => "t".into(),
            Ty::Media => "m".into(),
            Ty::I64 => "i".into(),
            Ty::U64 => "u".into(),
            Ty::F64 => "f".into(),
            Ty::Bool => "b".into(),
            Ty::Value => "v".into(),
            Ty::Enum(id) => format!("E{id}"),
            Ty::Struct(id) => format!("S{id}"),
            Ty::OneOf(id) => format!("O{id}"),
            Ty::Array(t) => format!("[{}]", t.sig()),
            Ty::Json(t) => format!("J({})", t.sig()),
        }
    }

    /// The named types this refers to, and whether through an array.
    fn refs(&self, item: bool, out: &mut Vec<(Ref, bool)>) {
        match self {
            Ty::Enum(id) => out.push((Ref::Enum(*id), item)),
            Ty::Struct(id) => out.push((Ref::Struct(*id), item)),
            Ty::OneOf(id) => out.push((Ref::OneOf(*id), item)),
            Ty::Array(t) => t.refs(true, out),
            Ty::Json(t) => t.refs(item, out),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ref {
    Struct(usize),
    Enum(usize),
    OneOf(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Path,
    Query,
    Body,
    Header(String),
}

/// How a sensitive field is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encrypt {
    No,
    /// A request value typed `Sensitive<T>` (body, nested object or query):
    /// `send` encrypts it and names the key in `Wechatpay-Serial`.
    Request,
    /// A request array whose every item is `Sensitive<T>`.
    Items,
    /// In a response: WeChat Pay encrypted it.
    Response,
}

impl Encrypt {
    /// Whether `send` encrypts the field (or its items).
    pub fn on_request(self) -> bool {
        matches!(self, Encrypt::Request | Encrypt::Items)
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    pub ty: Ty,
    /// `false`: the field is an `Option`.
    pub required: bool,
    pub role: Role,
    pub label: Option<String>,
    pub notes: Vec<String>,
    pub encrypt: Encrypt,
    /// The catalog's example, shown in the docs; `None` when the operations
    /// sharing this field give different ones.
    pub doc_example: Option<String>,
    pub schema: Schema,
    /// The calling merchant's own id ([`tables::CALLER_RULES`]).
    pub caller: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub op: usize,
    /// The field that holds the type, or `None` for an operation's response.
    pub field: Option<String>,
    pub parent: Option<usize>,
    /// Held as the element of an array.
    pub item: bool,
}

#[derive(Debug)]
pub struct StructDef {
    pub side: Side,
    pub fields: Vec<Field>,
    pub uses: Vec<Use>,
    pub label: Option<String>,
    pub lifetime: bool,
    /// The operation this is the request struct of.
    pub request_of: Option<usize>,
    pub name: String,
    pub home: Vec<String>,
}

impl StructDef {
    /// The fields `new` takes, in declaration order.
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.required)
    }

    /// The struct `new` takes when there are two or more required fields,
    /// so that each is named where it is given: `{Operation}Required` for a
    /// request (`JsapiPrepayRequired`), `{Type}Required` for a nested object
    /// (`CreateRefundAmountRequired`). `None`: `new` takes no argument or
    /// the one required value itself.
    pub fn required_struct(&self) -> Option<String> {
        if self.side != Side::Req || self.required_fields().count() < 2 {
            return None;
        }
        Some(match self.name.strip_suffix("Request") {
            Some(op) if self.request_of.is_some() => format!("{op}Required"),
            _ => format!("{}Required", self.name),
        })
    }

    /// Whether the required-fields struct needs the lifetime `'a`.
    pub fn required_lifetime(&self, model: &Model) -> bool {
        self.required_fields().any(|f| model.borrows(&f.ty))
    }
}

#[derive(Debug)]
pub struct EnumDef {
    pub values: Vec<String>,
    pub variants: Vec<String>,
    pub uses: Vec<Use>,
    pub label: Option<String>,
    pub name: String,
    pub home: Vec<String>,
}

/// A request's choice of exactly one of some fields: an enum whose variants
/// are the fields, serialised in the parent's place (`#[serde(flatten)]`).
#[derive(Debug)]
pub struct OneOfDef {
    /// One field per variant: its wire name, type and docs.
    pub variants: Vec<Field>,
    pub uses: Vec<Use>,
    pub lifetime: bool,
    pub name: String,
    pub home: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// 204 / 202 without a body: `()`.
    Unit,
    /// An object without declared properties.
    Value,
    Struct(usize),
    /// A bill's download URL and hash: `wxpay_core::bills::BillInfo`, which
    /// `Client::download_bill` takes as it is.
    Bill,
}

#[derive(Debug)]
pub struct Op {
    pub cat: Operation,
    pub name: String,
    pub template: String,
    pub module: Vec<String>,
    pub feature: &'static str,
    pub request: usize,
    pub response: Response,
    /// `send` encrypts sensitive fields and sets `Wechatpay-Serial`.
    pub encrypts: bool,
    /// The catalog lists `Wechatpay-Serial` but no field to encrypt: the
    /// operation always names the WeChat Pay key
    /// (`#[wxpay_api(..., wechatpay_serial)]`).
    pub wechatpay_serial: bool,
}

impl Op {
    /// `POST /v3/ecommerce/refunds/{refund_id}/return-advance`
    pub fn display(&self) -> String {
        format!("{} /{}", self.cat.method, self.cat.path)
    }

    pub fn request_name(&self) -> String {
        format!("{}Request", self.name)
    }

    pub fn response_name(&self) -> String {
        format!("{}Response", self.name)
    }
}

#[derive(Debug)]
pub struct Skipped {
    pub op: Operation,
    pub feature: &'static str,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Struct(usize),
    Enum(usize),
    OneOf(usize),
    /// `pub type {Op}Response = ...;` for an operation whose response type is
    /// declared elsewhere or under another name.
    Alias(usize),
}

#[derive(Debug, Default)]
pub struct Module {
    pub path: Vec<String>,
    /// The literal URL prefix this module stands for, e.g. `v3/ecommerce/refunds`.
    pub url: String,
    pub ops: Vec<usize>,
    pub items: Vec<Item>,
    pub children: BTreeSet<String>,
    /// For a top-level module: the feature that turns it on.
    pub feature: Option<&'static str>,
    /// `{Op}Request` / `{Op}Response` of the operations here.
    reserved: HashSet<String>,
    /// Names of the types declared here.
    taken: HashSet<String>,
}

#[derive(Debug, Default)]
pub struct Model {
    pub ops: Vec<Op>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub one_ofs: Vec<OneOfDef>,
    pub modules: BTreeMap<Vec<String>, Module>,
    pub skipped: Vec<Skipped>,
    interned: HashMap<(String, String), Ref>,
    overridden: usize,
}

impl Model {
    pub fn build(catalog: Vec<Operation>) -> Result<Model, String> {
        let mut model = Model::default();
        check_tables(&catalog)?;
        let mut generated = Vec::new();
        for op in catalog {
            let parts = paths::path_parts(&op.path)?;
            let feature = feature_of(&parts.area)?;
            match skip_reason(&op) {
                Some(reason) => model.skipped.push(Skipped {
                    op,
                    feature,
                    reason,
                }),
                None => generated.push((op, parts)),
            }
        }
        model.name_ops(&generated)?;
        for (index, (op, parts)) in generated.iter().enumerate() {
            model.lower_op(index, op, parts)?;
        }
        model.place_types();
        model.name_types()?;
        if model.overridden != tables::TYPE_NAME_OVERRIDES.len() {
            return Err(
                "a TYPE_NAME_OVERRIDES entry names a type the generator no longer makes".into(),
            );
        }
        model.check_required_names()?;
        model.check_same_answers()?;
        Ok(model)
    }

    /// The name of a struct or enum and the module it is declared in.
    pub fn ref_name(&self, r: Ref) -> (&str, &[String]) {
        match r {
            Ref::Struct(id) => (&self.structs[id].name, &self.structs[id].home),
            Ref::Enum(id) => (&self.enums[id].name, &self.enums[id].home),
            Ref::OneOf(id) => (&self.one_ofs[id].name, &self.one_ofs[id].home),
        }
    }

    /// `module::Name<TAB>label<TAB>fields holding it` per struct and enum,
    /// for auditing names against labels (`cargo xtask codegen --types`).
    pub fn type_listing(&self) -> Vec<String> {
        let fields = |uses: &[Use]| -> String {
            let mut out: Vec<String> = Vec::new();
            for u in uses {
                let parent = u
                    .parent
                    .map(|p| self.structs[p].name.clone())
                    .unwrap_or_default();
                let field = u.field.clone().unwrap_or_else(|| "(answer)".into());
                let text = format!("{parent}.{field}");
                if !out.contains(&text) {
                    out.push(text);
                }
            }
            out.join(" ")
        };
        let mut lines = Vec::new();
        for s in self.structs.iter().filter(|s| s.request_of.is_none()) {
            lines.push(format!(
                "struct {}::{}\t{}\t{}",
                s.home.join("::"),
                s.name,
                s.label.as_deref().unwrap_or("-"),
                fields(&s.uses)
            ));
        }
        for e in &self.enums {
            lines.push(format!(
                "enum {}::{}\t{}\t{}\t{}",
                e.home.join("::"),
                e.name,
                e.label.as_deref().unwrap_or("-"),
                fields(&e.uses),
                e.values.join("|")
            ));
        }
        for o in &self.one_ofs {
            let variants: Vec<&str> = o.variants.iter().map(|f| f.wire.as_str()).collect();
            lines.push(format!(
                "one-of {}::{}\t-\t{}\t{}",
                o.home.join("::"),
                o.name,
                fields(&o.uses),
                variants.join("|")
            ));
        }
        lines.sort();
        lines
    }

    /// Every `{Type}Required` is a name of its own in its module.
    fn check_required_names(&self) -> Result<(), String> {
        let mut names: HashSet<(Vec<String>, String)> = HashSet::new();
        for s in &self.structs {
            names.insert((s.home.clone(), s.name.clone()));
        }
        for e in &self.enums {
            names.insert((e.home.clone(), e.name.clone()));
        }
        for o in &self.one_ofs {
            names.insert((o.home.clone(), o.name.clone()));
        }
        for op in &self.ops {
            names.insert((op.module.clone(), op.response_name()));
        }
        for s in &self.structs {
            if let Some(required) = s.required_struct() {
                if !names.insert((s.home.clone(), required.clone())) {
                    return Err(format!(
                        "`{required}` (the required fields of `{}`) is taken in {:?}",
                        s.name, s.home
                    ));
                }
            }
        }
        Ok(())
    }

    fn module_mut(&mut self, path: &[String]) -> &mut Module {
        self.modules
            .get_mut(path)
            .expect("every home is a module on some operation's path")
    }
}

/// Why an operation is not generated (yet), or `None`.
fn skip_reason(op: &Operation) -> Option<&'static str> {
    if !op.form.is_empty() {
        return Some("multipart upload: send it with `Client::upload` and an `Upload`");
    }
    if op.path == "v3/webhooks" {
        return Some(
            "the notification WeChat Pay sends to the merchant, not a call: decode it with `wxpay_core::notify`",
        );
    }
    let first_2xx = op.responses.iter().find(|(code, _)| code.starts_with('2'));
    let is_file = ["download", "statements", "/images/"]
        .iter()
        .any(|hint| op.path.contains(hint));
    if op.method == "GET" && is_file && matches!(first_2xx, Some((_, s)) if s.kind == Kind::Untyped)
    {
        return Some("file download: use `Client::download` with the URL");
    }
    None
}

fn feature_of(area: &str) -> Result<&'static str, String> {
    tables::FEATURES
        .iter()
        .find(|f| f.areas.contains(&area))
        .map(|f| f.name)
        .ok_or_else(|| {
            format!("area `{area}` has no feature: add it to FEATURES in xtask/src/tables.rs")
        })
}

/// Turns a label into one line of Markdown that rustdoc reads as plain text.
pub fn doc_text(label: &str) -> String {
    let mut out = String::new();
    for c in label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        if matches!(
            c,
            '[' | ']' | '<' | '>' | '*' | '_' | '`' | '\\' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The tables name only operations and areas that exist.
fn check_tables(catalog: &[Operation]) -> Result<(), String> {
    let mut areas = HashSet::new();
    for op in catalog {
        areas.insert(paths::path_parts(&op.path)?.area);
    }
    for f in tables::FEATURES {
        for a in f.areas {
            if !areas.contains(*a) {
                return Err(format!(
                    "feature `{}` names area `{a}`, which the catalog does not have",
                    f.name
                ));
            }
            if tables::FEATURES
                .iter()
                .filter(|g| g.areas.contains(a))
                .count()
                > 1
            {
                return Err(format!("area `{a}` is in two features"));
            }
        }
    }
    let exists = |m: &str, p: &str| catalog.iter().any(|o| o.method == m && o.path == p);
    for (m, p, _) in tables::NAME_OVERRIDES {
        if !exists(m, p) {
            return Err(format!(
                "NAME_OVERRIDES names `{m} {p}`, which the catalog does not have"
            ));
        }
    }
    for (m, p, _, _) in tables::HAND_WRITTEN {
        if !exists(m, p) {
            return Err(format!(
                "HAND_WRITTEN names `{m} {p}`, which the catalog does not have"
            ));
        }
    }
    for (m, p, field, _) in tables::REQUIRED_OVERRIDES {
        let op = catalog
            .iter()
            .find(|o| o.method == *m && o.path == *p)
            .ok_or_else(|| {
                format!("REQUIRED_OVERRIDES names `{m} {p}`, which the catalog does not have")
            })?;
        let optional_query = op
            .query
            .iter()
            .any(|q| q.name == *field && (!q.required || q.schema.nullable));
        let optional_body = op.body.as_ref().is_some_and(|b| {
            b.property_list()
                .iter()
                .any(|(n, s)| n == field && (!b.required.iter().any(|r| r == field) || s.nullable))
        });
        if !optional_query && !optional_body {
            return Err(format!(
                "REQUIRED_OVERRIDES: `{field}` of `{m} {p}` is not an optional query or body \
                 field of the catalog (fixed upstream? then drop the entry)"
            ));
        }
    }
    for (m, p, _) in tables::FIELD_ORDER {
        if !exists(m, p) {
            return Err(format!(
                "FIELD_ORDER names `{m} {p}`, which the catalog does not have"
            ));
        }
    }
    Ok(())
}
