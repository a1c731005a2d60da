//! The rules that tell the two APIs apart: arguments that belong to one of
//! them, the `v2/` prefix of APIv2 templates, and what an APIv2 operation
//! cannot have (path parameters, field roles, `Sensitive` fields, and the
//! fields the client writes itself).

use crate::ast::Container;
use crate::attr::{Method, CORRECT_FORM_V2};
use crate::ctxt::Ctxt;
use crate::suggest::mentions_sensitive;

/// The APIv2 fields the client writes: why, and the fix.
const CLIENT_FIELDS: [(&str, &str, &str); 4] = [
    (
        "mch_id",
        "it fills in its own merchant id",
        "remove the field; a service provider names the sub-merchant in `sub_mch_id`",
    ),
    (
        "nonce_str",
        "it draws a fresh one for every attempt",
        "remove the field",
    ),
    ("sign", "it signs the other fields", "remove the field"),
    (
        "sign_type",
        "it names the sign it uses",
        "remove the field; where WeChat accepts one sign type only, name it in the attribute: \
         #[wxpay_api(v2, POST, \"v2/...\", response = Type, sign_type = \"HMAC-SHA256\")]",
    ),
];

pub(crate) fn check(cx: &Ctxt, cont: &Container) {
    match cont.v2 {
        None => check_v3(cx, cont),
        Some(_) => check_v2(cx, cont),
    }
}

/// An APIv3 declaration: no APIv2 arguments, and a template that does not
/// look like an APIv2 one.
fn check_v3(cx: &Ctxt, cont: &Container) {
    if let Some((_, span)) = cont.sign_type {
        cx.error(
            span,
            "`sign_type` belongs to APIv2 operations\n\
             help: remove it, or write `v2` first if this is an APIv2 operation; APIv3 \
             requests are signed with the merchant's RSA key",
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
                     help: remove it, or write `v2` first if this is an APIv2 operation; every \
                     APIv3 answer is signed, and no APIv3 call presents the merchant certificate"
                ),
            );
        }
    }
    let template = cont.template.lit.value();
    if template.starts_with("v2/") {
        cx.error(
            cont.template.lit.span(),
            format!(
                "the path template \"{template}\" starts with `v2/`, which marks an APIv2 (XML) \
                 operation, but the attribute does not start with `v2`\n\
                 help: write it as {CORRECT_FORM_V2}; APIv3 paths start with `v3/`"
            ),
        );
    }
}

/// An APIv2 operation is a `POST` of flat XML fields to a `v2/...` path: no
/// path parameters, no query, header or `Sensitive` fields, and none of the
/// fields the client writes.
fn check_v2(cx: &Ctxt, cont: &Container) {
    let v2 = cont.v2.expect("an APIv2 declaration");
    if let Some(span) = cont.flags.wechatpay_serial {
        cx.error(
            span,
            "`wechatpay_serial` belongs to APIv3 operations\n\
             help: remove it; APIv2 requests carry no `Wechatpay-Serial`",
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
    let template = cont.template.lit.value();
    if !template.is_empty() && !template.starts_with("v2/") {
        let rest = template.trim_start_matches('/');
        cx.error(
            cont.template.lit.span(),
            format!(
                "an APIv2 path template starts with `v2/`, as WeChat Pay's catalog writes it\n\
                 help: write \"v2/{rest}\"; the prefix is not part of the URL, which is \
                 `/{rest}`"
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
        if let Some(span) = field.merchant {
            cx.error(
                span,
                format!(
                    "`{}` is marked `merchant`, which fills an APIv3 request's merchant id; \
                     the APIv2 client adds its own `mch_id` to every request\n\
                     help: remove `merchant`",
                    field.name
                ),
            );
        }
        if mentions_sensitive(field.ty) && field.encrypt.is_none() {
            cx.error_spanned_by(
                field.ty,
                format!(
                    "`{}` is `Sensitive`, which is APIv3's RSA-OAEP field encryption; APIv2 \
                     does not have it\nhelp: give the field a plain type; APIv2 fields WeChat \
                     wants encrypted (bank card numbers) are encrypted by the caller with the \
                     key from `risk/getpublickey`",
                    field.name
                ),
            );
        }
        if field.serde.skipped {
            continue;
        }
        if let Some((wire, why, help)) = CLIENT_FIELDS
            .iter()
            .find(|(wire, _, _)| *wire == field.wire_name)
        {
            let what = if field.name == *wire {
                format!("`{wire}` is")
            } else {
                format!("`{}` is sent as `{wire}`, which is", field.name)
            };
            cx.error_spanned_by(
                field.member,
                format!("{what} the client's to write: {why}\nhelp: {help}"),
            );
        }
    }
}
