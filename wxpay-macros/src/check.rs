//! Rules across the arguments, the template and the fields, one function
//! each. Each records its errors and lets the others run, so all are
//! reported at once. The rules that tell APIv3 from APIv2 are in
//! [`crate::check_v2`].

use crate::ast::{Container, Field, Role};
use crate::attr::{CORRECT_FORM, CORRECT_FORM_V2};
use crate::ctxt::Ctxt;
use crate::field_attr::RoleOverride;
use crate::serde_attr::is_old_encrypt;
use crate::suggest::{closest, option_inner, sensitive_form, type_text};

/// Headers the client writes itself; a field must not set them.
const RESERVED_HEADERS: [&str; 6] = [
    "Authorization",
    "Content-Type",
    "Content-Length",
    "Accept",
    "Host",
    "Transfer-Encoding",
];

/// The header naming the WeChat Pay key: the client's to decide.
const SERIAL_HEADER: &str = "Wechatpay-Serial";

pub(crate) fn check(cx: &Ctxt, cont: &Container) {
    check_response_declared(cx, cont);
    check_params_are_unique(cx, cont);
    check_params_have_fields(cx, cont);
    check_path_bindings(cx, cont);
    check_params_bound_once(cx, cont);
    check_path_fields_have_no_override(cx, cont);
    check_headers_not_reserved(cx, cont);
    check_serial_header(cx, cont);
    check_headers_are_unique(cx, cont);
    check_secondary_serde_attrs(cx, cont);
    check_no_encrypt_attribute(cx, cont);
    check_merchant_fields(cx, cont);
    crate::check_v2::check(cx, cont);
}

/// The response type is named: a forgotten `response =` would otherwise
/// surface far away, at the first use of the answer.
fn check_response_declared(cx: &Ctxt, cont: &Container) {
    // Without a method or a template the declaration is too incomplete to
    // ask for more: the error about those shows the whole form.
    let template = &cont.template.lit;
    if cont.response.is_some()
        || !cont.args_complete
        || cont.method.is_none()
        || template.value().is_empty()
    {
        return;
    }
    let help = if cont.v2.is_some() {
        format!(
            "add `response = Type` after the path, as in {CORRECT_FORM_V2}; \
             `response = wxpay_core::v2::V2Response` reads the answer untyped, \
             `response = wxpay_core::v2::V2Bill` a bill"
        )
    } else {
        format!(
            "add `response = Type` after the path, as in {CORRECT_FORM}; `response = ()` \
             for an answer without a body, `response = serde_json::Value` to read it untyped"
        )
    };
    // On the path, which `response = Type` follows.
    cx.error(
        template.span(),
        format!(
            "`#[wxpay_api]` needs the response type, what a successful answer decodes \
             into\nhelp: {help}"
        ),
    );
}

/// Each `<param>` appears once in the template.
fn check_params_are_unique(cx: &Ctxt, cont: &Container) {
    let params: Vec<&str> = cont.template.params().collect();
    for (index, param) in params.iter().enumerate() {
        let first = params.iter().position(|p| p == param) == Some(index);
        let repeated = params[index + 1..].contains(param);
        if first && repeated {
            cx.error(
                cont.template.lit.span(),
                format!(
                    "the path parameter `<{param}>` appears more than once in the template\n\
                     help: each parameter is bound once; give the other segment its own \
                     name and field, e.g. `<{param}_2>`"
                ),
            );
        }
    }
}

fn binds(field: &Field, param: &str) -> bool {
    matches!(&field.role, Role::Path(bound) if bound == param)
}

/// Each `<param>` is bound to a field: of the same name, or one marked
/// `#[wxpay(path = "param")]`.
fn check_params_have_fields(cx: &Ctxt, cont: &Container) {
    let params: Vec<&str> = cont.template.params().collect();
    // `path = "..."` naming no parameter: the error about it says "did you
    // mean" for the parameter it was meant for.
    let misbound: Vec<String> = cont
        .fields
        .iter()
        .filter_map(|f| match &f.role {
            Role::Path(bound) if !params.contains(&bound.as_str()) => Some(bound.clone()),
            _ => None,
        })
        .collect();
    let mut reported: Vec<&str> = Vec::new();
    for param in cont.template.params() {
        if reported.contains(&param)
            || cont.fields.iter().any(|f| binds(f, param))
            || misbound
                .iter()
                .any(|bound| closest(bound, params.iter().copied()) == Some(param))
        {
            continue;
        }
        reported.push(param);
        let unbound = cont
            .fields
            .iter()
            .filter(|f| !matches!(f.role, Role::Path(_)))
            .map(|f| f.name.as_str());
        let help = match closest(param, unbound) {
            Some(field) => format!(
                "help: a field `{field}` is close: rename it `{param}`, or bind it with \
                 `#[wxpay(path = \"{param}\")]`"
            ),
            None => format!(
                "help: add a field named after it, e.g. `pub {param}: &'a str` (or a \
                 `String` or an integer), or bind a field of another name with \
                 `#[wxpay(path = \"{param}\")]`"
            ),
        };
        cx.error(
            cont.template.lit.span(),
            format!("the path parameter `<{param}>` has no field\n{help}"),
        );
    }
}

/// `#[wxpay(path = "param")]` names a parameter of the template, and not
/// the one the field's name binds already.
fn check_path_bindings(cx: &Ctxt, cont: &Container) {
    if cont.v2.is_some() {
        return; // every `#[wxpay(...)]` is refused on APIv2
    }
    let params: Vec<&str> = cont.template.params().collect();
    for field in &cont.fields {
        let Some((RoleOverride::Path(lit), _)) = &field.role_override else {
            continue;
        };
        let param = lit.value();
        if params.contains(&param.as_str()) {
            if param == field.name {
                cx.error(
                    lit.span(),
                    format!(
                        "`{}` binds `<{param}>` by its name already\n\
                         help: remove `#[wxpay(path = \"{param}\")]`",
                        field.name
                    ),
                );
            }
        } else {
            let help = match (closest(&param, params.iter().copied()), params.as_slice()) {
                (Some(near), _) => format!("did you mean `<{near}>`? write `path = \"{near}\"`"),
                (None, []) => format!(
                    "the template \"{}\" has no parameters: write `<{param}>` where the value \
                     goes in the path, or remove `path = \"{param}\"`",
                    cont.template.lit.value()
                ),
                (None, params) => format!(
                    "bind it to a parameter of the template: {}",
                    params
                        .iter()
                        .map(|p| format!("`<{p}>`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            cx.error(
                lit.span(),
                format!(
                    "`{}` is bound to `<{param}>`, but the path template has no `<{param}>`\n\
                     help: {help}",
                    field.name
                ),
            );
        }
    }
}

/// A parameter is bound by one field only.
fn check_params_bound_once(cx: &Ctxt, cont: &Container) {
    let mut seen: Vec<&str> = Vec::new();
    for param in cont.template.params() {
        if seen.contains(&param) {
            continue;
        }
        seen.push(param);
        let binders: Vec<&Field> = cont.fields.iter().filter(|f| binds(f, param)).collect();
        let [first, rest @ ..] = binders.as_slice() else {
            continue;
        };
        let by_name = binders.iter().any(|f| f.name == param);
        for field in rest {
            let help = if by_name {
                format!(
                    "bind it once; the field named `{param}` binds it by its name, so to send \
                     that field elsewhere too, give it a role such as `#[wxpay(body)]`"
                )
            } else {
                format!("keep `#[wxpay(path = \"{param}\")]` on one of the two")
            };
            let message = format!(
                "the path parameter `<{param}>` is bound twice, by `{}` and by `{}`\n\
                 help: {help}",
                first.name, field.name
            );
            match &field.role_override {
                Some((RoleOverride::Path(lit), _)) => cx.error(lit.span(), message),
                _ => cx.error_spanned_by(field.member, message),
            }
        }
    }
}

/// A field that fills `<name>` by its name goes to the path only; another
/// role needs the parameter bound to some other field.
fn check_path_fields_have_no_override(cx: &Ctxt, cont: &Container) {
    for field in &cont.fields {
        let (Role::Path(param), Some((role, span))) = (&field.role, &field.role_override) else {
            continue;
        };
        if matches!(role, RoleOverride::Path(_)) {
            continue;
        }
        cx.error(
            *span,
            format!(
                "`{}` fills `<{param}>` in the path by its name, so it cannot also be `{}`\n\
                 help: remove `{}`; or, to send it there as well, bind the path parameter \
                 to another field with `#[wxpay(path = \"{param}\")]`",
                field.name,
                role.describe(),
                role.describe()
            ),
        );
    }
}

/// Authentication and framing headers belong to the client.
fn check_headers_not_reserved(cx: &Ctxt, cont: &Container) {
    for field in &cont.fields {
        let Role::Header(name) = &field.role else {
            continue;
        };
        let value = name.value();
        if let Some(reserved) = RESERVED_HEADERS
            .iter()
            .find(|r| r.eq_ignore_ascii_case(&value))
        {
            cx.error(
                name.span(),
                format!(
                    "`{reserved}` is set by the client when it signs and sends the request\n\
                     help: remove `#[wxpay(header = \"{value}\")]`; fields may carry other \
                     headers, such as `Idempotency-Key`"
                ),
            );
        }
    }
}

/// `Wechatpay-Serial` is decided in one place, by the client: it names the
/// key `Sensitive` fields were encrypted with (or, with `wechatpay_serial`,
/// the current key). A field setting it would be replaced or refused on the
/// wire.
fn check_serial_header(cx: &Ctxt, cont: &Container) {
    if cont.v2.is_some() {
        return;
    }
    for field in &cont.fields {
        let Role::Header(name) = &field.role else {
            continue;
        };
        if name.value().eq_ignore_ascii_case(SERIAL_HEADER) {
            cx.error(
                name.span(),
                format!(
                    "`{SERIAL_HEADER}` is set by the client: it names the WeChat Pay key the \
                     request's `Sensitive` fields were encrypted with\n\
                     help: remove the field `{}`; type each value WeChat wants encrypted \
                     `Sensitive<T>`, and if the operation needs the header even without one, \
                     add the flag: #[wxpay_api(GET, \"v3/...\", response = Type, \
                     wechatpay_serial)]",
                    field.name
                ),
            );
        }
    }
}

/// Two fields cannot send the same header (names are case-insensitive).
fn check_headers_are_unique(cx: &Ctxt, cont: &Container) {
    let headers: Vec<_> = cont
        .fields
        .iter()
        .filter_map(|f| match &f.role {
            Role::Header(name) => Some((f, name)),
            _ => None,
        })
        .collect();
    for (index, (field, name)) in headers.iter().enumerate() {
        let value = name.value();
        if let Some((first, _)) = headers[..index]
            .iter()
            .find(|(_, earlier)| earlier.value().eq_ignore_ascii_case(&value))
        {
            cx.error(
                name.span(),
                format!(
                    "fields `{}` and `{}` both send the header `{value}`\n\
                     help: keep the header on one field",
                    first.name, field.name
                ),
            );
        }
    }
}

/// A field written on its own (`#[wxpay(query)]` on a POST, `#[wxpay(body)]`
/// on a GET/DELETE) is encoded by its plain `Serialize` impl, so serde
/// settings that change how a value is written would be silently ignored.
fn check_secondary_serde_attrs(cx: &Ctxt, cont: &Container) {
    let Some(method) = cont.method else {
        return;
    };
    for field in cont.fields.iter().filter(|f| f.is_secondary(method)) {
        for (key, span) in field.serde.custom_serialization.iter() {
            if field.merchant.is_some() || (key == "serialize_with" && uses_old_encrypt(field)) {
                continue; // reported by the rule of `merchant` or `encrypt`
            }
            cx.error(
                *span,
                format!(
                    "`#[serde({key})]` has no effect on `{}`: fields moved out of the {} \
                     with `#[wxpay(...)]` are written with their own `Serialize` impl\n\
                     help: remove `{key}`, or give the field a type whose `Serialize` \
                     impl writes what the API expects",
                    field.name,
                    if method.has_body_by_default() {
                        "body"
                    } else {
                        "query"
                    }
                ),
            );
        }
        if field.serde.skipped && field.merchant.is_none() {
            cx.error_spanned_by(
                field.member,
                format!(
                    "`{}` is marked `{}` but also `#[serde(skip)]`, so it would never be sent\n\
                     help: remove one of the two",
                    field.name,
                    field
                        .role_override
                        .as_ref()
                        .map(|(role, _)| role.describe())
                        .unwrap_or_default()
                ),
            );
        }
    }
}

fn uses_old_encrypt(field: &Field) -> bool {
    field
        .serde
        .serialize_with
        .as_ref()
        .is_some_and(|(path, _)| is_old_encrypt(path))
}

/// Encryption is the field's type, `Sensitive<T>`: redacted in `Debug`
/// whatever the attribute order, encrypted wherever the value is nested.
/// The old spellings are refused with that form.
fn check_no_encrypt_attribute(cx: &Ctxt, cont: &Container) {
    for field in &cont.fields {
        let old_with = field
            .serde
            .serialize_with
            .as_ref()
            .filter(|(path, _)| is_old_encrypt(path));
        let (what, span) = match (field.encrypt, old_with) {
            (Some(span), _) => ("`#[wxpay(encrypt)]`".to_owned(), span),
            (None, Some((path, span))) => (format!("`serialize_with = \"{path}\"`"), *span),
            (None, None) => continue,
        };
        if cont.v2.is_some() {
            cx.error(
                span,
                format!(
                    "{what} asks for APIv3's RSA-OAEP field encryption, which APIv2 does not \
                     have\nhelp: remove it; APIv2 fields WeChat wants encrypted (bank card \
                     numbers) are encrypted by the caller with the key from `risk/getpublickey`"
                ),
            );
            continue;
        }
        let remove = if field.encrypt.is_some() {
            "`encrypt`"
        } else {
            "`serialize_with`"
        };
        cx.error(
            span,
            format!(
                "{what} no longer encrypts a field: a sensitive field says so by its type, \
                 `Sensitive<T>`, which is encrypted wherever it is sent and prints \
                 `<redacted>` in `Debug`\n\
                 help: remove {remove} and write `pub {}: {}` \
                 (`use wxpay_core::sensitive::Sensitive;`)",
                field.member,
                sensitive_form(field.ty)
            ),
        );
    }
}

/// A number, a boolean or a character, as written: never a merchant id's text.
fn is_scalar_not_text(ty: &syn::Type) -> bool {
    const SCALARS: [&str; 16] = [
        "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64",
    ];
    matches!(ty, syn::Type::Path(path) if path.qself.is_none()
        && path.path.get_ident().is_some_and(|ident| SCALARS.iter().any(|s| ident == s)))
}

/// `#[wxpay(merchant)]` fills the calling merchant's id into an `Option`
/// body or query field: `None` is the client's own id, `Some(id)` must be it.
fn check_merchant_fields(cx: &Ctxt, cont: &Container) {
    if cont.v2.is_some() {
        return; // refused by the APIv2 rules
    }
    for field in &cont.fields {
        let Some(span) = field.merchant else {
            continue;
        };
        let name = &field.name;
        let place = match &field.role {
            Role::Path(param) => Some(format!("it fills `<{param}>` in the path")),
            Role::Header(header) => Some(format!("it is the header `{}`", header.value())),
            Role::Body | Role::Query => None,
        };
        if let Some(place) = place {
            cx.error(
                span,
                format!(
                    "`{name}` is marked `merchant`, which fills the calling merchant's id into \
                     the body or the query, but {place}\n\
                     help: remove `merchant`, or make `{name}` a body or query field"
                ),
            );
            continue;
        }
        if let Some(inner) = option_inner(field.ty).filter(|inner| is_scalar_not_text(inner)) {
            cx.error_spanned_by(
                inner,
                format!(
                    "`{name}` is marked `merchant`, so it holds a merchant id as text, not a \
                     `{}`\nhelp: write `pub {}: Option<&'a str>` (or `Option<String>`)",
                    type_text(inner),
                    field.member
                ),
            );
        } else if option_inner(field.ty).is_none() {
            cx.error_spanned_by(
                field.ty,
                format!(
                    "`{name}` is marked `merchant`, so its type is an `Option`, not `{}`: \
                     `None` sends the client's own merchant id, `Some(id)` must be that id\n\
                     help: write `pub {}: Option<&'a str>` (or `Option<String>`)",
                    type_text(field.ty),
                    field.member
                ),
            );
        }
        for (key, key_span) in &field.serde.custom_serialization {
            cx.error(
                *key_span,
                format!(
                    "`{name}` is marked `merchant`, which decides how it is written, so \
                     `#[serde({key})]` cannot apply\nhelp: remove `{key}`"
                ),
            );
        }
        let leaves_out = if field.serde.skipped {
            Some(("`#[serde(skip)]` would never send it", "skip"))
        } else if field.serde.skip_serializing_if.is_some() {
            Some((
                "`skip_serializing_if` would leave out the `None` the client fills in",
                "skip_serializing_if",
            ))
        } else {
            None
        };
        if let Some((why, key)) = leaves_out {
            cx.error_spanned_by(
                field.member,
                format!(
                    "`{name}` is marked `merchant`, but {why}\n\
                     help: remove `{key}` from `#[serde(...)]`; a merchant field is always sent"
                ),
            );
        }
    }
}
