//! Reading `#[wxpay(...)]` on fields: the role that overrides a field's
//! default one (`query`, `body`, `header = "..."`, `path = "..."`) and the
//! `merchant` marker. Rules across fields are [`crate::check`]'s.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Meta, Token};

use crate::attr::{is_wxpay, skip_meta_value, skip_value};
use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;

/// Every field attribute, as the help line of a mistake lists them.
pub(crate) const FIELD_FORMS: &str = "`#[wxpay(query)]`, `#[wxpay(body)]`, \
     `#[wxpay(header = \"Idempotency-Key\")]`, `#[wxpay(path = \"out_refund_no\")]` or \
     `#[wxpay(merchant)]` (a sensitive field says so by its type, `Sensitive<T>`)";

/// The keys `#[wxpay(...)]` knows, for "did you mean".
const KEYS: [&str; 5] = ["query", "body", "header", "path", "merchant"];

/// What `#[wxpay(...)]` says a field is, overriding its default role.
#[derive(Clone)]
pub(crate) enum RoleOverride {
    Query,
    Body,
    Header(LitStr),
    /// Bound to the path parameter of this name (`path = "out_refund_no"`).
    Path(LitStr),
}

impl RoleOverride {
    /// The attribute as written, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            RoleOverride::Query => "#[wxpay(query)]".to_owned(),
            RoleOverride::Body => "#[wxpay(body)]".to_owned(),
            RoleOverride::Header(name) => format!("#[wxpay(header = {:?})]", name.value()),
            RoleOverride::Path(name) => format!("#[wxpay(path = {:?})]", name.value()),
        }
    }

    fn key(&self) -> &'static str {
        match self {
            RoleOverride::Query => "query",
            RoleOverride::Body => "body",
            RoleOverride::Header(_) => "header",
            RoleOverride::Path(_) => "path",
        }
    }
}

/// The `#[wxpay(...)]` settings of one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// The role override and the span of its key.
    pub(crate) role: Option<(RoleOverride, Span)>,
    /// `#[wxpay(merchant)]`: the calling merchant's id; the span of the key.
    pub(crate) merchant: Option<Span>,
    /// The old `#[wxpay(encrypt)]`, kept to be refused with the field's own
    /// `Sensitive<T>` form (which needs its type and the API version).
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
                        format!(
                            "`#[wxpay(...)]` takes a plain key, not a path\nhelp: write {FIELD_FORMS}"
                        ),
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
                    "encrypt" => {
                        // Refused whatever follows it; one error says how.
                        skip_meta_value(&meta)?;
                        attrs.encrypt = Some(key_span);
                        return Ok(());
                    }
                    "query" | "body" | "merchant" => {
                        if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                            cx.error(
                                key_span,
                                format!("`{key}` takes no value\nhelp: write `#[wxpay({key})]`"),
                            );
                            skip_meta_value(&meta)?;
                        }
                        match key.as_str() {
                            "query" => RoleOverride::Query,
                            "body" => RoleOverride::Body,
                            _ => {
                                attrs.merchant = Some(key_span);
                                return Ok(());
                            }
                        }
                    }
                    "header" => match parse_header_name(cx, &meta, key_span)? {
                        Some(name) => RoleOverride::Header(name),
                        None => return Ok(()),
                    },
                    "path" => match parse_path_param(cx, &meta, key_span)? {
                        Some(name) => RoleOverride::Path(name),
                        None => return Ok(()),
                    },
                    _ => {
                        cx.error(
                            key_span,
                            format!(
                                "`{key}` is not a key of `#[wxpay(...)]`{}\nhelp: write {FIELD_FORMS}",
                                did_you_mean(&key, KEYS)
                            ),
                        );
                        return skip_meta_value(&meta);
                    }
                };
                match &attrs.role {
                    Some((existing, _)) => cx.error(
                        key_span,
                        format!(
                            "a field has one role, but this one is marked both `{}` and `{}`\n\
                             help: keep only one of `{}` and `{}`",
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

/// The string value of `key = "..."`, or `None` with an error recorded.
fn parse_text_value(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key_span: Span,
    what: &str,
    example: &str,
) -> syn::Result<Option<LitStr>> {
    let key = meta
        .path
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_default();
    if !meta.input.peek(Token![=]) {
        cx.error(
            key_span,
            format!("`{key}` needs {what}\nhelp: write `{example}`"),
        );
        skip_meta_value(meta)?;
        return Ok(None);
    }
    let value = meta.value()?;
    if !value.peek(LitStr) {
        let token: TokenTree = value.parse()?;
        cx.error(
            token.span(),
            format!("{what} must be a string literal\nhelp: write `{example}`"),
        );
        skip_value(value)?;
        return Ok(None);
    }
    Ok(Some(value.parse()?))
}

fn parse_header_name(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key_span: Span,
) -> syn::Result<Option<LitStr>> {
    let example = "#[wxpay(header = \"Idempotency-Key\")]";
    let Some(name) = parse_text_value(cx, meta, key_span, "the header name", example)? else {
        return Ok(None);
    };
    let text = name.value();
    if text.is_empty() {
        cx.error(
            name.span(),
            format!("the header name is empty\nhelp: name the header, e.g. `{example}`"),
        );
        return Ok(None);
    }
    if let Some(bad) = text.chars().find(|c| !is_header_name_char(*c)) {
        cx.error(
            name.span(),
            format!(
                "`{text}` is not a valid header name: it contains {bad:?}\n\
                 help: header names are ASCII letters, digits and `-` (no spaces or `:`), \
                 e.g. `Idempotency-Key`"
            ),
        );
        return Ok(None);
    }
    Ok(Some(name))
}

/// `path = "out_refund_no"`: the name of a `<param>` of the template.
fn parse_path_param(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key_span: Span,
) -> syn::Result<Option<LitStr>> {
    let example = "#[wxpay(path = \"out_refund_no\")]";
    let what = "the path parameter it binds";
    let Some(name) = parse_text_value(cx, meta, key_span, what, example)? else {
        return Ok(None);
    };
    let text = name.value();
    if let Some(bare) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        cx.error(
            name.span(),
            format!(
                "the path parameter is named without its angle brackets\n\
                 help: write `#[wxpay(path = \"{bare}\")]`"
            ),
        );
        return Ok(None);
    }
    if !crate::template::is_identifier(&text) {
        cx.error(
            name.span(),
            format!(
                "`{text}` is not the name of a path parameter: names are letters, digits and \
                 `_`, as in `<out_refund_no>`\nhelp: write the name between `<` and `>` in the \
                 template, e.g. `{example}`"
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
