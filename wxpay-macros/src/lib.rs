//! The `#[wxpay_api]` attribute of the wxpay SDK for WeChat Pay (APIv3, and
//! the legacy XML APIv2).
//!
//! Use it as `wxpay_core::wxpay_api`: `wxpay-core` re-exports and documents
//! it, and the code it generates refers only to `wxpay_core`, so a crate
//! declaring endpoints depends on `wxpay-core` alone (not on serde,
//! serde_json or http).
//!
//! One attribute on one struct declares one operation: the HTTP method, the
//! path template with its `<param>`s, the response type, and which field goes
//! where. See [`macro@wxpay_api`] for the syntax; `examples/custom_endpoint.rs`
//! in the repository declares and runs one of each kind.
//!
//! # Layout
//!
//! As in serde_derive: `attr` reads the attribute's arguments, `field_attr`
//! the `#[wxpay(...)]` of each field and `serde_attr` the serde settings the
//! macro follows, `template` the path template; `ast` builds the model,
//! `check` and `check_v2` hold the rules across fields (one function each),
//! `suggest` finds "did you mean", and `expand`/`expand_v2` write the code.
//! Every error is gathered in one context, so a declaration with five
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

/// Declares a WeChat Pay operation on a request struct.
///
/// ```ignore
/// use wxpay_core::sensitive::Sensitive;
/// use wxpay_core::wxpay_api;
///
/// #[derive(Debug, serde::Deserialize)]
/// pub struct ReturnAdvanceResponse {
///     pub advance_return_id: String,
///     pub return_amount: i64,
/// }
///
/// #[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = ReturnAdvanceResponse)]
/// #[derive(Debug)]
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
/// `#[wxpay_api(METHOD, "template", response = Type)]`, then, where the
/// operation needs them, the flags below.
///
/// - `METHOD`: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, uppercase, as an
///   identifier.
/// - `"template"`: the path as WeChat Pay documents it, **without** the
///   leading `/` (the client adds it): `v3/...`. A path parameter is written
///   `<name>`, fills a whole segment, and binds the field of the same name
///   (`<type>` binds a field `r#type`), or the field marked
///   `#[wxpay(path = "name")]`. Literal text is ASCII letters, digits and
///   `- _ . ~`; no `?`, `#`, `//`, `.` or `..` segments. One trailing `/` is
///   allowed and kept, because some endpoints are declared that way
///   (`v3/applyment4sub/applyment/`) and the path is signed as written.
/// - `response = Type` (required): what a successful answer decodes into; it
///   must implement `DeserializeOwned`. `response = ()` for an answer
///   without a body (204), `response = serde_json::Value` to read it
///   untyped. It is required because a default would show a forgotten one
///   only at the first use of the answer, far from the declaration.
/// - `wechatpay_serial` (flag): the operation always names the WeChat Pay
///   key in `Wechatpay-Serial`, even when no field is `Sensitive` (a request
///   with a `Sensitive` field always does). The client decides that header
///   in one place: no field may set it.
///
/// # Field roles
///
/// | field | goes to |
/// | --- | --- |
/// | named in `<...>`, or marked `#[wxpay(path = "param")]` | that path parameter, percent-encoded as one segment; never the body or query |
/// | any other, on `POST` / `PUT` / `PATCH` | the JSON body |
/// | any other, on `GET` / `DELETE` | the query string |
/// | `#[wxpay(query)]` | the query string, whatever the method |
/// | `#[wxpay(body)]` | the JSON body, whatever the method |
/// | `#[wxpay(header = "Idempotency-Key")]` | that request header |
///
/// `#[wxpay(path = "out_refund_no")]` binds `<out_refund_no>` to a field of
/// another name (`pub refund_number: &'a str`), e.g. to keep a Rust name, or
/// to send a field named like the parameter in the body as well (give that
/// one `#[wxpay(body)]`). Each parameter is bound by one field.
///
/// `#[wxpay(merchant)]` marks the calling merchant's id, a body or query
/// field typed `Option<&'a str>` (or `Option<String>`) such as `mchid` or
/// `sp_mchid`: `None` sends the client's own merchant id, and `Some(id)` must
/// be that id or encoding fails naming both. It combines with `query` or
/// `body` (`#[wxpay(merchant, query)]`) and is always sent (no
/// `skip_serializing_if`).
///
/// A sensitive value (a name, an ID, bank or phone number) says so by its
/// type, `wxpay_core::sensitive::Sensitive<T>`: `send` encrypts it with
/// RSA-OAEP under the client's WeChat Pay key and sets `Wechatpay-Serial` to
/// that key, in the body or the query, at the top of the request or nested in
/// a struct of its own; its `Debug` prints `<redacted>`, so a derived `Debug`
/// never shows it, whatever the order of the attributes. There is no
/// attribute for it: `#[wxpay(encrypt)]` and
/// `serialize_with = "wxpay_core::sensitive::encrypt"` are refused with the
/// field's `Sensitive` form.
///
/// Path fields must be strings (`&str`, `String`, `Cow<str>`) or integers;
/// header fields may also be an `Option` of those, `None` leaving the header
/// out. `Authorization`, `Content-Type`, `Wechatpay-Serial` and the other
/// headers the client writes itself cannot be field headers.
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
/// operation of the legacy XML API instead. Its template is written as WeChat
/// Pay's catalog writes APIv2 paths, with a `v2/` prefix that is **not** part
/// of the URL: `"v2/pay/micropay"` is `POST /pay/micropay`, and
/// `"v2/secapi/pay/refund"` is `POST /secapi/pay/refund`. The prefix is
/// required (it tells the two APIs apart at a glance), and an APIv3
/// declaration whose template starts with `v2/` is refused as a forgotten
/// `v2` marker.
///
/// Every field is an XML field (no path parameters, no `#[wxpay(...)]`
/// roles, no `Sensitive`: APIv2 has no RSA-OAEP field encryption), written as
/// text (`None` left out; a nested value as JSON text); the struct gets
/// `impl wxpay_core::v2::V2Operation` and an inherent
/// `async fn send(&self, client: &V2Client) -> Result<T, Error>`, which is
/// `V2Client::send`: the same signed path as `V2Client::call`. `T` is any
/// `DeserializeOwned` struct (the answer's text fields parsed as the field
/// types ask; `wxpay_core::v2::V2Fields` with `#[serde(flatten)]` keeps the
/// rest), `wxpay_core::v2::V2Bill` for a bill, or
/// `wxpay_core::v2::V2Response` for the untyped answer.
///
/// The client writes `mch_id`, `nonce_str`, `sign_type` and `sign` itself, so
/// a field sent under one of those names is refused. The transfer operations
/// (企业付款, `v2/mmpaymkttransfers/...`) name the merchant `mchid` instead:
/// declare that field and give it the client's own merchant id; the client
/// then adds no `mch_id`.
///
/// After the response, an APIv2 operation takes:
///
/// - `sign_type = "HMAC-SHA256"` (or `"MD5"`): the one sign type WeChat
///   accepts for this operation; the request is signed so whatever the
///   client's default.
/// - `certificate` (flag): the operation needs the merchant API certificate
///   (mutual TLS): refunds, reversals, red packets, transfers ...
/// - `unsigned_answer` (flag): WeChat answers without a `sign` (bills, red
///   packets, transfers ...); `return_code` and `result_code` are still
///   checked.
///
/// ```ignore
/// #[derive(Debug, serde::Deserialize)]
/// pub struct CloseOrderResponse {
///     pub appid: Option<String>,
///     #[serde(flatten)]
///     pub other: wxpay_core::v2::V2Fields,
/// }
///
/// /// `POST /pay/closeorder`
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
///   to write the path, query, headers and body), or, for APIv2,
///   `impl wxpay_core::v2::V2Operation`;
/// - an inherent `async fn send(&self, client: &Client) -> Result<Response, Error>`
///   (and `send_blocking` for APIv3), so calling an endpoint needs no trait
///   import.
///
/// Write `#[wxpay_api]` above `#[derive(...)]` and any `#[wxpay(...)]`: an
/// attribute above it is resolved before the macro runs (a `Serialize`
/// derived above it conflicts with the one the macro derives).
///
/// # Errors
///
/// Mistakes are reported together, each naming the argument, parameter or
/// field at fault and how to fix it (a misspelt key gets "did you mean"); the
/// struct is still emitted, so the rest of the crate compiles against it. A
/// path or header field of the wrong type is reported by the compiler on the
/// field's type, and so is a query field whose type is known to serialise as
/// an object (a map, an `Option` of one, any `wxpay_core::QueryObject`): it
/// has no query form, and the error names the fix, `#[serde(flatten)]`. A
/// type not known to be an object (your own serde enum or struct) compiles,
/// and an object is refused when encoded.
#[proc_macro_attribute]
pub fn wxpay_api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::wxpay_api(args.into(), input.into()).into()
}
