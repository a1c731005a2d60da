//! Reading the `#[wxpay_api(...)]` arguments: the `v2` marker, the method,
//! the path template, `response = Type` and the per-operation keys and flags.
//! (`#[wxpay(...)]` on fields is [`crate::field_attr`]'s.)
//!
//! Every problem is recorded in the [`Ctxt`] and parsing goes on where it
//! can, so one compilation reports every mistake.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, LitStr, Token, Type};

use crate::ctxt::Ctxt;
use crate::suggest::{closest, did_you_mean};

/// The attribute as it must be written, quoted in error messages.
pub(crate) const CORRECT_FORM: &str = r#"#[wxpay_api(POST, "v3/...", response = Type)]"#;

/// The APIv2 form, quoted in error messages.
pub(crate) const CORRECT_FORM_V2: &str =
    r#"#[wxpay_api(v2, POST, "v2/pay/micropay", response = Type)]"#;

/// What may follow the method and the path, for each API: the help line of
/// an unknown or misused argument.
pub(crate) const ARGUMENTS_HELP: &str = "after the method and the path, an APIv3 operation \
     takes `response = Type` and the flag `wechatpay_serial`; an APIv2 operation (`v2` \
     first) takes `response = Type`, `sign_type = \"HMAC-SHA256\"` (or \"MD5\") and the \
     flags `certificate` and `unsigned_answer`";

/// Every argument key, for "did you mean".
const KEYS: [&str; 6] = [
    "response",
    "wechatpay_serial",
    "sign_type",
    "certificate",
    "unsigned_answer",
    "v2",
];

/// The bare flags: facts of the operation the client acts on.
const FLAGS: [&str; 3] = ["wechatpay_serial", "certificate", "unsigned_answer"];

/// The HTTP methods WeChat Pay APIv3 uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The variant name of `wxpay_core::Method`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
        }
    }

    /// Whether fields default to the JSON body rather than the query string.
    pub(crate) fn has_body_by_default(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }

    fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// The parsed `#[wxpay_api(METHOD, "template", response = Type)]` arguments;
/// `None` where the argument was missing or wrong (an error is recorded).
#[derive(Default)]
pub(crate) struct ApiArgs {
    /// The leading `v2` marker: an APIv2 (XML) operation; its span.
    pub(crate) v2: Option<Span>,
    pub(crate) method: Option<Method>,
    pub(crate) template: Option<LitStr>,
    pub(crate) response: Option<Type>,
    /// `sign_type = "HMAC-SHA256"` (APIv2 only): the `SignType` variant.
    pub(crate) sign_type: Option<(&'static str, Span)>,
    /// Per-operation facts given as bare flags (`wechatpay_serial`,
    /// `certificate`, `unsigned_answer`), with their spans.
    pub(crate) flags: Flags,
    /// Whether the arguments were read to the end, so that a missing
    /// `response` is really missing (not lost after a parse error).
    pub(crate) complete: bool,
    /// `response` was written but not usable (no type, or misspelt): its
    /// own error says so, and "the response type is missing" would repeat it.
    pub(crate) response_attempted: bool,
}

/// The bare flags of `#[wxpay_api(...)]`: facts of the operation the client
/// acts on.
#[derive(Default, Clone, Copy)]
pub(crate) struct Flags {
    /// APIv3: the request always names the WeChat Pay key in `Wechatpay-Serial`.
    pub(crate) wechatpay_serial: Option<Span>,
    /// APIv2: the operation needs the merchant API certificate (mutual TLS).
    pub(crate) certificate: Option<Span>,
    /// APIv2: WeChat answers without a `sign`.
    pub(crate) unsigned_answer: Option<Span>,
}

impl ApiArgs {
    pub(crate) fn parse(cx: &Ctxt, args: TokenStream) -> ApiArgs {
        let mut parsed = ApiArgs::default();
        if args.is_empty() {
            cx.error(
                Span::call_site(),
                format!(
                    "`#[wxpay_api]` needs an HTTP method, a path template and the response type\n\
                     help: write it as {CORRECT_FORM}"
                ),
            );
            return parsed;
        }
        let parser = |input: ParseStream| parse_args(cx, input, &mut parsed);
        match parser.parse2(args) {
            Ok(()) => parsed.complete = true,
            Err(error) => cx.syn_error(error),
        }
        parsed
    }
}

fn parse_args(cx: &Ctxt, input: ParseStream, out: &mut ApiArgs) -> syn::Result<()> {
    if input.peek(Ident::peek_any) && !input.peek2(Token![=]) {
        let ident: Ident = input.fork().call(Ident::parse_any)?;
        if ident == "v2" {
            input.call(Ident::parse_any)?;
            out.v2 = Some(ident.span());
            if input.is_empty() {
                cx.error(
                    ident.span(),
                    format!(
                        "`v2` needs the HTTP method and the path after it\n\
                         help: write it as {CORRECT_FORM_V2}"
                    ),
                );
                return Ok(());
            }
            input.parse::<Token![,]>()?;
        }
    }
    let mut need_comma = parse_method(cx, input, out)?;
    if need_comma && !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    need_comma = parse_template(cx, input, out)?;
    loop {
        if input.is_empty() {
            return Ok(());
        }
        if need_comma {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                return Ok(());
            }
        }
        need_comma = true;
        let key = Ident::parse_any(input)?;
        let has_value = input.peek(Token![=]);
        if has_value {
            input.parse::<Token![=]>()?;
        }
        let name = key.to_string();
        match name.as_str() {
            "response" if has_value => parse_response(cx, input, &key, out)?,
            "response" => {
                out.response_attempted = true;
                cx.error(
                    key.span(),
                    format!(
                        "`response` needs the type a successful answer decodes into\n\
                         help: write it as {CORRECT_FORM}"
                    ),
                )
            }
            "sign_type" if has_value => parse_sign_type(cx, input, &key, out)?,
            "sign_type" => cx.error(
                key.span(),
                "`sign_type` needs the one sign type WeChat accepts for this operation\n\
                 help: write `sign_type = \"HMAC-SHA256\"` (or `sign_type = \"MD5\"`)",
            ),
            flag if FLAGS.contains(&flag) => {
                if has_value {
                    let example = if flag == "wechatpay_serial" {
                        format!("#[wxpay_api(GET, \"v3/...\", response = Type, {flag})]")
                    } else {
                        format!("#[wxpay_api(v2, POST, \"v2/...\", response = Type, {flag})]")
                    };
                    cx.error(
                        key.span(),
                        format!(
                            "`{flag}` is a flag and takes no value\n\
                             help: write `{flag}` alone, e.g. {example}"
                        ),
                    );
                    skip_value(input)?;
                }
                let slot = match flag {
                    "wechatpay_serial" => &mut out.flags.wechatpay_serial,
                    "certificate" => &mut out.flags.certificate,
                    _ => &mut out.flags.unsigned_answer,
                };
                if slot.replace(key.span()).is_some() {
                    cx.error(
                        key.span(),
                        format!("`{flag}` is given more than once\nhelp: write it once"),
                    );
                }
            }
            "v2" => {
                // Read as meant, so the rest is checked as APIv2.
                out.v2.get_or_insert(key.span());
                cx.error(
                    key.span(),
                    format!(
                        "`v2` marks an APIv2 operation and comes first, before the method\n\
                         help: write it as {CORRECT_FORM_V2}"
                    ),
                )
            }
            _ => {
                let suggestion = closest(&name, KEYS);
                out.response_attempted |= suggestion == Some("response");
                let did_you_mean = suggestion
                    .map(|key| format!("; did you mean `{key}`?"))
                    .unwrap_or_default();
                cx.error(
                    key.span(),
                    format!(
                        "`{name}` is not an argument of `#[wxpay_api]`{did_you_mean}\n\
                         help: {ARGUMENTS_HELP}"
                    ),
                );
                if has_value {
                    skip_value(input)?;
                }
            }
        }
    }
}

/// `response = Type`; a type written in quotes is reported and read anyway.
fn parse_response(
    cx: &Ctxt,
    input: ParseStream,
    key: &Ident,
    out: &mut ApiArgs,
) -> syn::Result<()> {
    let ty = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        let text = lit.value();
        cx.error(
            lit.span(),
            format!(
                "the response type is written as a type, not a string\n\
                 help: write `response = {text}`, without the quotes"
            ),
        );
        match lit.parse::<Type>() {
            Ok(ty) => ty,
            Err(_) => {
                out.response_attempted = true;
                return Ok(());
            }
        }
    } else {
        input.parse::<Type>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!(
                    "expected the response type after `response =`\n\
                     help: name the type a successful answer decodes into: {CORRECT_FORM}"
                ),
            )
        })?
    };
    if out.response.is_some() {
        cx.error(
            key.span(),
            format!(
                "`response` is given more than once\n\
                 help: name the response type once: {CORRECT_FORM}"
            ),
        );
    } else {
        out.response = Some(ty);
    }
    Ok(())
}

/// `sign_type = "MD5"` or `sign_type = "HMAC-SHA256"`.
fn parse_sign_type(
    cx: &Ctxt,
    input: ParseStream,
    key: &Ident,
    out: &mut ApiArgs,
) -> syn::Result<()> {
    if !input.peek(LitStr) {
        let token: TokenTree = input.parse()?;
        cx.error(
            token.span(),
            "the sign type is a string\nhelp: write `sign_type = \"HMAC-SHA256\"` \
             (or `sign_type = \"MD5\"`)",
        );
        return skip_value(input);
    }
    let lit: LitStr = input.parse()?;
    let variant = match lit.value().as_str() {
        "MD5" => "Md5",
        "HMAC-SHA256" => "HmacSha256",
        other => {
            cx.error(
                lit.span(),
                format!(
                    "`{other}` is not a sign type WeChat Pay knows\n\
                     help: write `sign_type = \"HMAC-SHA256\"` or `sign_type = \"MD5\"`, the \
                     one sign type WeChat accepts for this operation"
                ),
            );
            return Ok(());
        }
    };
    if out.sign_type.replace((variant, key.span())).is_some() {
        cx.error(
            key.span(),
            "`sign_type` is given more than once\nhelp: name the sign type once",
        );
    }
    Ok(())
}

/// Parses the method; returns whether a comma must follow.
fn parse_method(cx: &Ctxt, input: ParseStream, out: &mut ApiArgs) -> syn::Result<bool> {
    if input.peek(LitStr) {
        let lit: LitStr = input.fork().parse()?;
        let value = lit.value();
        if let Some(method) = Method::from_name(&value) {
            input.parse::<LitStr>()?;
            out.method = Some(method);
            cx.error(
                lit.span(),
                format!(
                    "the HTTP method is written as an identifier, not a string\n\
                     help: write `{value}`, as in {CORRECT_FORM}"
                ),
            );
            return Ok(true);
        }
        cx.error(
            lit.span(),
            format!(
                "the HTTP method is missing before the path template\n\
                 help: start with one of GET, POST, PUT, PATCH, DELETE: {CORRECT_FORM}"
            ),
        );
        return Ok(false);
    }
    let ident = Ident::parse_any(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!(
                "expected an HTTP method (GET, POST, PUT, PATCH or DELETE)\n\
                 help: write it as {CORRECT_FORM}"
            ),
        )
    })?;
    let name = ident.to_string();
    match Method::from_name(&name) {
        Some(method) => out.method = Some(method),
        None => match Method::from_name(&name.to_ascii_uppercase()) {
            Some(method) => cx.error(
                ident.span(),
                format!(
                    "HTTP methods are written in uppercase\nhelp: write `{}` instead of `{name}`",
                    method.as_str()
                ),
            ),
            None if name.eq_ignore_ascii_case("v2") => cx.error(
                ident.span(),
                format!(
                    "the APIv2 marker is written `v2`, in lowercase\nhelp: write it as {CORRECT_FORM_V2}"
                ),
            ),
            None => {
                let methods = Method::ALL.map(Method::as_str);
                cx.error(
                    ident.span(),
                    format!(
                        "`{name}` is not an HTTP method WeChat Pay uses{}\n\
                         help: use one of GET, POST, PUT, PATCH, DELETE, as in {CORRECT_FORM}",
                        did_you_mean(&name.to_ascii_uppercase(), methods)
                    ),
                )
            }
        },
    }
    if input.is_empty() {
        cx.error(
            Span::call_site(),
            format!(
                "the path template is missing after `{name}`\nhelp: write it as {CORRECT_FORM}"
            ),
        );
    }
    Ok(true)
}

/// Parses the template; returns whether a comma must follow.
fn parse_template(cx: &Ctxt, input: ParseStream, out: &mut ApiArgs) -> syn::Result<bool> {
    if input.is_empty() {
        return Ok(false);
    }
    if input.peek(LitStr) {
        out.template = Some(input.parse()?);
        return Ok(true);
    }
    if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
        // `#[wxpay_api(POST, response = X)]`: the template was left out.
        cx.error(
            Span::call_site(),
            format!(
                "the path template is missing\n\
                 help: give the path as a string literal after the method: {CORRECT_FORM}"
            ),
        );
        return Ok(false);
    }
    let token: TokenTree = input.parse()?;
    cx.error(
        token.span(),
        format!(
            "the path template must be a string literal\n\
             help: write the path in quotes: {CORRECT_FORM}"
        ),
    );
    Ok(true)
}

/// Skips an unknown argument's value up to the next top-level comma
/// (commas inside `<...>` belong to a type).
pub(crate) fn skip_value(input: ParseStream) -> syn::Result<()> {
    let mut depth = 0usize;
    while !input.is_empty() {
        if depth == 0 && input.peek(Token![,]) {
            break;
        }
        match input.parse::<TokenTree>()? {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn skip_meta_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        skip_value(meta.input)?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

pub(crate) fn is_wxpay(attr: &Attribute) -> bool {
    attr.path().is_ident("wxpay")
}
