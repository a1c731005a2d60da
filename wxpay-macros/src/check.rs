//! Rules across the template and the fields, one function each. Each
//! records its errors and lets the others run, so all are reported at once.

use crate::ast::{Container, Role};
use crate::attr::{Method, CORRECT_FORM_V2};
use crate::ctxt::Ctxt;

/// Headers the client writes itself; a field must not set them.
const RESERVED_HEADERS: [&str; 6] = [
    "Authorization",
    "Content-Type",
    "Content-Length",
    "Accept",
    "Host",
    "Transfer-Encoding",
];

pub(crate) fn check(cx: &Ctxt, cont: &Container) {
    check_params_are_unique(cx, cont);
    check_params_have_fields(cx, cont);
    check_path_fields_have_no_override(cx, cont);
    check_headers_not_reserved(cx, cont);
    check_headers_are_unique(cx, cont);
    check_secondary_serde_attrs(cx, cont);
    check_encrypted_fields(cx, cont);
    check_v2(cx, cont);
}

/// An APIv2 operation is a `POST` of flat XML fields: no path parameters,
/// no query, header or encrypted fields.
fn check_v2(cx: &Ctxt, cont: &Container) {
    let Some(v2) = cont.v2 else {
        if let Some((_, span)) = cont.sign_type {
            cx.error(
                span,
                "`sign_type` belongs to APIv2 operations\n\
                 help: remove it; APIv3 requests are signed with the merchant's RSA key",
            );
        }
        for (flag, span) in [
            ("certificate", cont.flags.certificate),
            ("unsigned_answer", cont.flags.unsigned_answer),
        ] {
            if let Some(span) = span {
                cx.error(
                    span,
                    format!(
                        "`{flag}` belongs to APIv2 operations\n\
                         help: remove it; every APIv3 answer is signed, and no APIv3 call \
                         presents the merchant certificate"
                    ),
                );
            }
        }
        return;
    };
    if let Some(span) = cont.flags.wechatpay_serial {
        cx.error(
            span,
            "`wechatpay_serial` belongs to APIv3 operations\n\
             help: remove it; APIv2 requests carry no Wechatpay-Serial",
        );
    }
    if cont.method.is_some_and(|m| m != Method::Post) {
        cx.error(
            v2,
            format!(
                "an APIv2 operation is a POST of XML fields\n\
                 help: write {CORRECT_FORM_V2}; the APIv2 GET pages are browser \
                 redirects, not calls a client sends"
            ),
        );
    }
    if cont.template.params().next().is_some() {
        cx.error(
            cont.template.lit.span(),
            "APIv2 paths have no `<param>`\n\
             help: send every parameter as a field of the struct",
        );
    }
    for field in &cont.fields {
        if let Some((role, span)) = &field.role_override {
            cx.error(
                *span,
                format!(
                    "`{}` is marked `{}`, but every field of an APIv2 operation is an \
                     XML field\nhelp: remove the attribute",
                    field.name,
                    role.describe()
                ),
            );
        }
        if let Some(span) = field.encrypt {
            cx.error(
                span,
                format!(
                    "`{}` is marked `encrypt`, which is APIv3's RSA-OAEP\n\
                     help: remove `encrypt`; APIv2 fields that WeChat wants encrypted \
                     (bank card numbers) are encrypted by the caller with the key from \
                     `risk/getpublickey`",
                    field.name
                ),
            );
        }
    }
}

/// `#[wxpay(encrypt)]` goes on JSON body fields written by the derive, and
/// replaces any custom serialisation.
fn check_encrypted_fields(cx: &Ctxt, cont: &Container) {
    let Some(method) = cont.method else {
        return;
    };
    for field in &cont.fields {
        let Some(span) = field.encrypt else {
            continue;
        };
        if !(matches!(field.role, Role::Body) && field.is_primary(method)) {
            cx.error(
                span,
                format!(
                    "`{}` is marked `encrypt`, but only fields of the JSON body of a POST, PUT \
                     or PATCH request can be encrypted\n\
                     help: remove `encrypt`, or encrypt the value yourself with \
                     `Client::encrypt_sensitive`",
                    field.name
                ),
            );
        }
        for (key, key_span) in &field.serde.custom_serialization {
            cx.error(
                *key_span,
                format!(
                    "`{}` is marked `encrypt`, which decides how it is written, so \
                     `#[serde({key})]` cannot apply\nhelp: remove `{key}`",
                    field.name
                ),
            );
        }
    }
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

/// Each `<param>` is bound to a field of the same name.
fn check_params_have_fields(cx: &Ctxt, cont: &Container) {
    let mut reported: Vec<&str> = Vec::new();
    for param in cont.template.params() {
        if reported.contains(&param) || cont.fields.iter().any(|f| f.name == param) {
            continue;
        }
        reported.push(param);
        let help = match closest_unbound_field(cont, param) {
            Some(field) => format!(
                "help: a field `{field}` is close: rename it `{param}`, or write \
                 `<{field}>` in the template"
            ),
            None => format!(
                "help: add a field named after it, e.g. `pub {param}: &'a str` \
                 (or a `String` or an integer), or fix the name in the template"
            ),
        };
        cx.error(
            cont.template.lit.span(),
            format!("the path parameter `<{param}>` has no field\n{help}"),
        );
    }
}

/// The field not bound to any `<param>` whose name is nearest to `param`
/// (a typo: at most a third of its letters edited, and at least one kept).
fn closest_unbound_field<'c>(cont: &'c Container, param: &str) -> Option<&'c str> {
    let params: Vec<&str> = cont.template.params().collect();
    cont.fields
        .iter()
        .map(|f| f.name.as_str())
        .filter(|name| !params.contains(name))
        .map(|name| (edit_distance(name, param), name))
        .filter(|(d, _)| *d <= param.chars().count().max(3) / 3 && *d < param.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A path field gets its value into the path only; `#[wxpay(...)]` cannot move it.
fn check_path_fields_have_no_override(cx: &Ctxt, cont: &Container) {
    for field in &cont.fields {
        if let (Role::Path, Some((role, span))) = (&field.role, &field.role_override) {
            cx.error(
                *span,
                format!(
                    "`{}` fills `<{}>` in the path, so it cannot also be `{}`\n\
                     help: remove `{}`, or rename the field if it is not the path parameter",
                    field.name,
                    field.name,
                    role.describe(),
                    role.describe()
                ),
            );
        }
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
                     headers, such as `Wechatpay-Serial`"
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
        for (key, span) in &field.serde.custom_serialization {
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
        if field.serde.skipped {
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

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("refund_id", "refund_id"), 0);
        assert_eq!(edit_distance("refundid", "refund_id"), 1);
        assert_eq!(edit_distance("refund_di", "refund_id"), 2);
        assert_eq!(edit_distance("", "id"), 2);
        assert_eq!(edit_distance("sub_mchid", "refund_id"), 7);
    }
}
