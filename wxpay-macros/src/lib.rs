//! The `#[wxpay_api]` attribute of the wxpay SDK for WeChat Pay APIv3.
//!
//! Use it as `wxpay_core::wxpay_api`: `wxpay-core` re-exports and documents
//! it, and the code it generates refers only to `wxpay_core`'s hidden
//! re-exports, so a crate declaring endpoints depends on `wxpay-core` alone
//! (not on serde, serde_json or http).
//!
//! One attribute on one struct declares one operation: the HTTP method, the
//! path template with its `<param>`s, the response type, and which field goes
//! where. See [`macro@wxpay_api`] for the syntax.
//!
//! # Layout
//!
//! As in serde_derive: `attr` reads the attribute arguments and the field
//! attributes, `template` the path template, `ast` builds the model, `check`
//! holds the rules across fields (one function each), and `expand` writes the
//! code. Every error is gathered in one context, so a declaration with five
//! mistakes reports five errors in one compilation.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod case;
mod check;
mod check_v2;
mod ctxt;
mod expand;
mod expand_v2;
mod field_attr;
mod serde_attr;
mod suggest;
mod template;

use proc_macro::TokenStream;

/// Declares a WeChat Pay APIv3 operation on a request struct.
///
/// ```ignore
/// use wxpay_core::wxpay_api;
///
/// #[derive(Debug, serde::Deserialize)]
/// pub struct ReturnAdvanceResponse {
///     pub advance_return_id: String,
///     pub return_amount: i64,
/// }
///
/// #[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = ReturnAdvanceResponse)]
/// pub struct ReturnAdvanceRequest<'a> {
///     /// Named in `<...>`: bound into the path.
///     pub refund_id: &'a str,
///     /// Everything else: the JSON body, since this is a POST.
///     pub sub_mchid: &'a str,
/// }
///
/// # async fn run(client: &wxpay_core::Client) -> Result<(), wxpay_core::Error> {
/// let advance = ReturnAdvanceRequest { refund_id: "5000...", sub_mchid: "1900000109" }
///     .send(client)
///     .await?;
/// # Ok(()) }
/// ```
///
/// # Arguments
///
/// `#[wxpay_api(METHOD, "template", response = Type)]`
///
/// - `METHOD`: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, uppercase, as an
///   identifier.
/// - `"template"`: the path as WeChat Pay documents it, **without** the
///   leading `/` (the client adds it). A path parameter is written `<name>`,
///   fills a whole segment, and binds the field of the same name (`<type>`
///   binds a field `r#type`). Literal text is ASCII letters, digits and
///   `- _ . ~`; no `?`, `#`, `//`, `.` or `..` segments. One trailing `/` is
///   allowed and kept, because some endpoints are declared that way
///   (`v3/applyment4sub/applyment/`) and the path is signed as written.
/// - `response = Type` (optional): what a successful response decodes into;
///   it must implement `DeserializeOwned`. Defaults to `serde_json::Value`.
///
/// # Field roles
///
/// | field | goes to |
/// | --- | --- |
/// | named in `<...>` | the path, percent-encoded as one segment; never the body or query |
/// | any other, on `POST` / `PUT` / `PATCH` | the JSON body |
/// | any other, on `GET` / `DELETE` | the query string |
/// | `#[wxpay(query)]` | the query string, whatever the method |
/// | `#[wxpay(body)]` | the JSON body, whatever the method |
/// | `#[wxpay(header = "Wechatpay-Serial")]` | that request header |
///
/// `#[wxpay(encrypt)]` marks a sensitive JSON body field (a name, an ID
/// number, a phone number): `send` encrypts it with RSA-OAEP under the
/// client's current WeChat Pay key and sets `Wechatpay-Serial` to that key.
/// Such fields must be text (`&str`, `String`, or an `Option` of those); a
/// derived `Debug` is replaced by one that prints `<redacted>` for them.
///
/// Path fields must be strings (`&str`, `String`, `Cow<str>`) or integers;
/// header fields may also be an `Option` of those, `None` leaving the header
/// out. `Authorization`, `Content-Type` and the other headers the client
/// writes itself cannot be field headers.
///
/// The attribute derives `Serialize` for the struct (do not derive it
/// yourself), and that derive is what writes the body on `POST`/`PUT`/`PATCH`
/// and the query on `GET`/`DELETE`, so `#[serde(...)]` attributes work as
/// usual: `rename`, `rename_all`, `skip_serializing_if`, `with`, `flatten`.
/// Fields moved to the other place with `#[wxpay(query)]` or
/// `#[wxpay(body)]` are written one by one: they follow `rename`,
/// `rename_all` and `skip_serializing_if`, and refuse `with`,
/// `serialize_with` and `flatten`. A `None` is left out of the query; in the
/// body, use `#[serde(skip_serializing_if = "Option::is_none")]` as usual.
///
/// A `POST`/`PUT`/`PATCH` whose fields all go to the path or headers sends no
/// body at all.
///
/// # APIv2 (XML) operations
///
/// `#[wxpay_api(v2, POST, "v2/pay/micropay", response = T)]` declares an
/// operation of the legacy XML API instead: every field is an XML field (no
/// path parameters, no `#[wxpay(...)]` roles, no `encrypt`), written as text
/// (`None` left out; a nested value as JSON text); the struct gets
/// `impl wxpay_core::v2::V2Operation` and an inherent
/// `async fn send(&self, client: &V2Client) -> Result<T, Error>`, which is
/// `V2Client::send`: the same signed path as `V2Client::call`. `T` is any
/// `DeserializeOwned` struct (the answer's text fields parsed as the field
/// types ask; `wxpay_core::v2::V2Fields` with `#[serde(flatten)]` keeps the
/// rest), `wxpay_core::v2::V2Bill` for a bill, or, without `response`, the
/// untyped `V2Response`. Leave out `mch_id`, `nonce_str`, `sign_type` and
/// `sign`: the client adds them. Where WeChat accepts one sign type only,
/// name it: `sign_type = "HMAC-SHA256"` (or `"MD5"`) after the response; the
/// request is then signed so whatever the client's default.
///
/// ```ignore
/// #[derive(Debug, serde::Deserialize)]
/// pub struct CloseOrderResponse {
///     pub appid: Option<String>,
///     #[serde(flatten)]
///     pub other: wxpay_core::v2::V2Fields,
/// }
///
/// #[wxpay_api(v2, POST, "v2/pay/closeorder", response = CloseOrderResponse)]
/// pub struct CloseOrderRequest<'a> {
///     pub appid: &'a str,
///     pub out_trade_no: &'a str,
/// }
/// ```
///
/// # Generated items
///
/// - the struct, with `#[derive(Serialize)]` added and `#[wxpay]` removed;
/// - `impl wxpay_core::ApiRequest` (method, template, response type, and how
///   to write the path, query, headers and body);
/// - an inherent `async fn send(&self, client: &Client) -> Result<Response, Error>`,
///   so calling an endpoint needs no trait import.
///
/// Write `#[wxpay_api]` above `#[derive(...)]` and any `#[wxpay(...)]`: an
/// attribute above it is resolved before the macro runs.
///
/// # Errors
///
/// Mistakes are reported together, each naming the argument, parameter or
/// field at fault and how to fix it; the struct is still emitted, so the rest
/// of the crate compiles against it. A path or header field of the wrong type
/// is reported by the compiler on the field's type, and so is a query field
/// whose type is known to serialise as an object (a map, an `Option` of one,
/// any `wxpay_core::QueryObject`): it has no query form, and the error names
/// the fix, `#[serde(flatten)]`. A type not known to be an object (your own
/// serde enum or struct) compiles, and an object is refused when encoded.
#[proc_macro_attribute]
pub fn wxpay_api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::wxpay_api(args.into(), input.into(), in_generated_file()).into()
}

/// Whether the attribute is written in a file marked `@generated` in its
/// first five lines (the marker rustfmt and code hosts recognise).
///
/// Such files may still carry a `Wechatpay-Serial` header field (see
/// `check::check_serial_header`): `wxpay-apis` is generated that way until
/// its generator types the values the caller encrypts by hand `Sensitive`.
fn in_generated_file() -> bool {
    use std::io::Read;
    let Some(path) = proc_macro::Span::call_site().local_file() else {
        return false;
    };
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if file.take(1024).read_to_end(&mut head).is_err() {
        return false;
    }
    String::from_utf8_lossy(&head)
        .lines()
        .take(5)
        .any(|line| line.trim_start().starts_with("//") && line.contains("@generated"))
}
