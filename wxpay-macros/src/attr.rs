//! Reading attributes: the `#[wxpay_api(...)]` arguments, `#[wxpay(...)]` on
//! fields, and the few `#[serde(...)]` settings that decide wire names.
//!
//! Every problem is recorded in the [`Ctxt`] and parsing goes on where it
//! can, so one compilation reports every mistake.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Meta, Token, Type};

use crate::ctxt::Ctxt;

/// The attribute as it must be written, quoted in error messages.
pub(crate) const CORRECT_FORM: &str = r#"#[wxpay_api(POST, "v3/...", response = Type)]"#;

/// The APIv2 form, quoted in error messages.
pub(crate) const CORRECT_FORM_V2: &str =
    r#"#[wxpay_api(v2, POST, "v2/pay/micropay", response = Type)]"#;

/// The field attribute forms, quoted in error messages.
const FIELD_FORMS: &str =
    r#"`#[wxpay(query)]`, `#[wxpay(body)]` or `#[wxpay(header = "Header-Name")]`"#;

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
                    "`#[wxpay_api]` needs an HTTP method and a path template\n\
                     help: write it as {CORRECT_FORM}"
                ),
            );
            return parsed;
        }
        let parser = |input: ParseStream| parse_args(cx, input, &mut parsed);
        if let Err(error) = parser.parse2(args) {
            cx.syn_error(error);
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
        if key == "response" {
            if !has_value {
                cx.error(
                    key.span(),
                    format!(
                        "`response` needs a type\nhelp: write it as {CORRECT_FORM}; \
                         without it the response is a `serde_json::Value`"
                    ),
                );
                continue;
            }
            let ty: Type = input.parse()?;
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
        } else if !has_value
            && ["wechatpay_serial", "certificate", "unsigned_answer"]
                .iter()
                .any(|flag| key == flag)
        {
            let slot = match key.to_string().as_str() {
                "wechatpay_serial" => &mut out.flags.wechatpay_serial,
                "certificate" => &mut out.flags.certificate,
                _ => &mut out.flags.unsigned_answer,
            };
            if slot.replace(key.span()).is_some() {
                cx.error(
                    key.span(),
                    format!("`{key}` is given more than once\nhelp: name it once"),
                );
            }
        } else if key == "sign_type" && has_value {
            let lit: LitStr = input.parse()?;
            let variant = match lit.value().as_str() {
                "MD5" => Some("Md5"),
                "HMAC-SHA256" => Some("HmacSha256"),
                _ => None,
            };
            match variant {
                Some(variant) => out.sign_type = Some((variant, key.span())),
                None => cx.error(
                    lit.span(),
                    "`sign_type` is \"MD5\" or \"HMAC-SHA256\"\n\
                     help: name the one sign type WeChat accepts for this operation",
                ),
            }
        } else {
            cx.error(
                key.span(),
                format!(
                    "unknown `#[wxpay_api]` argument `{key}`\n\
                     help: after the method and the path template the only argument is \
                     `response = Type`: {CORRECT_FORM}"
                ),
            );
            if has_value {
                skip_value(input)?;
            }
        }
    }
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
                "missing HTTP method before the path template\n\
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
            None => cx.error(
                ident.span(),
                format!(
                    "unknown HTTP method `{name}`\n\
                     help: use one of GET, POST, PUT, PATCH, DELETE, as in {CORRECT_FORM}"
                ),
            ),
        },
    }
    if input.is_empty() {
        cx.error(
            Span::call_site(),
            format!("missing the path template after `{name}`\nhelp: write it as {CORRECT_FORM}"),
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
                "missing the path template\n\
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
fn skip_value(input: ParseStream) -> syn::Result<()> {
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

/// What `#[wxpay(...)]` says a field is, overriding its default role.
#[derive(Clone)]
pub(crate) enum RoleOverride {
    Query,
    Body,
    Header(LitStr),
}

impl RoleOverride {
    /// The attribute as written, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            RoleOverride::Query => "#[wxpay(query)]".to_owned(),
            RoleOverride::Body => "#[wxpay(body)]".to_owned(),
            RoleOverride::Header(name) => format!("#[wxpay(header = {:?})]", name.value()),
        }
    }

    fn key(&self) -> &'static str {
        match self {
            RoleOverride::Query => "query",
            RoleOverride::Body => "body",
            RoleOverride::Header(_) => "header",
        }
    }
}

/// The `#[wxpay(...)]` settings of one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// The role override and the span of its key.
    pub(crate) role: Option<(RoleOverride, Span)>,
    /// `#[wxpay(encrypt)]`: sent RSA-OAEP encrypted; the span of the key.
    pub(crate) encrypt: Option<Span>,
}

impl FieldAttrs {
    pub(crate) fn from_field(cx: &Ctxt, field: &syn::Field) -> FieldAttrs {
        let mut attrs = FieldAttrs::default();
        let mut seen: Vec<String> = Vec::new();
        for attr in field.attrs.iter().filter(|a| is_wxpay(a)) {
            let has_arguments = matches!(&attr.meta, Meta::List(list) if !list.tokens.is_empty());
            if !has_arguments {
                cx.error_spanned_by(
                    attr,
                    format!("`#[wxpay]` needs an argument\nhelp: write {FIELD_FORMS}"),
                );
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let key_span = meta.path.span();
                let Some(key) = meta.path.get_ident().map(|i| i.unraw().to_string()) else {
                    cx.error(
                        key_span,
                        format!("unknown `#[wxpay]` key\nhelp: write {FIELD_FORMS}"),
                    );
                    return skip_meta_value(&meta);
                };
                if seen.contains(&key) {
                    cx.error(
                        key_span,
                        format!(
                            "`{key}` is given more than once on this field\n\
                             help: write it once"
                        ),
                    );
                    return skip_meta_value(&meta);
                }
                seen.push(key.clone());
                let role = match key.as_str() {
                    "query" | "body" => {
                        if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                            cx.error(
                                key_span,
                                format!("`{key}` takes no value\nhelp: write `#[wxpay({key})]`"),
                            );
                            skip_meta_value(&meta)?;
                        }
                        if key == "query" {
                            RoleOverride::Query
                        } else {
                            RoleOverride::Body
                        }
                    }
                    "header" => match parse_header_name(cx, &meta, key_span)? {
                        Some(name) => RoleOverride::Header(name),
                        None => return Ok(()),
                    },
                    "encrypt" => {
                        if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                            cx.error(
                                key_span,
                                "`encrypt` takes no value\nhelp: write `#[wxpay(encrypt)]`",
                            );
                            skip_meta_value(&meta)?;
                        }
                        attrs.encrypt = Some(key_span);
                        return Ok(());
                    }
                    _ => {
                        cx.error(
                            key_span,
                            format!("unknown `#[wxpay]` key `{key}`\nhelp: write {FIELD_FORMS}"),
                        );
                        return skip_meta_value(&meta);
                    }
                };
                match &attrs.role {
                    Some((existing, _)) => cx.error(
                        key_span,
                        format!(
                            "a field has one role, but this one is marked both `{}` and `{}`\n\
                             help: keep only one of {} and {}",
                            existing.key(),
                            role.key(),
                            existing.describe(),
                            role.describe()
                        ),
                    ),
                    None => attrs.role = Some((role, key_span)),
                }
                Ok(())
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
        attrs
    }
}

fn parse_header_name(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key_span: Span,
) -> syn::Result<Option<LitStr>> {
    if !meta.input.peek(Token![=]) {
        cx.error(
            key_span,
            "`header` needs the header name\n\
             help: write `#[wxpay(header = \"Wechatpay-Serial\")]`",
        );
        skip_meta_value(meta)?;
        return Ok(None);
    }
    let value = meta.value()?;
    if !value.peek(LitStr) {
        let token: TokenTree = value.parse()?;
        cx.error(
            token.span(),
            "the header name must be a string literal\n\
             help: write `#[wxpay(header = \"Wechatpay-Serial\")]`",
        );
        skip_value(value)?;
        return Ok(None);
    }
    let name: LitStr = value.parse()?;
    let text = name.value();
    if text.is_empty() {
        cx.error(
            name.span(),
            "the header name is empty\n\
             help: name the header, e.g. `#[wxpay(header = \"Wechatpay-Serial\")]`",
        );
        return Ok(None);
    }
    if let Some(bad) = text.chars().find(|c| !is_header_name_char(*c)) {
        cx.error(
            name.span(),
            format!(
                "`{text}` is not a valid header name: it contains {bad:?}\n\
                 help: header names are ASCII letters, digits and `-` (no spaces or `:`), \
                 e.g. `Wechatpay-Serial`"
            ),
        );
        return Ok(None);
    }
    Ok(Some(name))
}

/// RFC 9110 `tchar`: what a header field name may contain.
fn is_header_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
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
