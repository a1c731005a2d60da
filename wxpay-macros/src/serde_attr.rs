//! The `#[serde(...)]` and `#[derive(...)]` attributes `#[wxpay_api]` reads:
//! renames and skips it must follow when writing fields itself, and whether
//! the user derives a serde trait.

use proc_macro2::{Ident, Span};
use syn::spanned::Spanned;
use syn::{Attribute, LitStr, Token};

use crate::attr::skip_meta_value;
use crate::case::RenameRule;

pub(crate) fn is_serde(attr: &Attribute) -> bool {
    attr.path().is_ident("serde")
}

/// The `#[serde(...)]` field settings this crate must follow or refuse.
/// Anything else is left for serde_derive, which reports its own errors.
#[derive(Default)]
pub(crate) struct SerdeField {
    /// `rename = "x"` or `rename(serialize = "x")`.
    pub(crate) rename: Option<String>,
    /// `skip_serializing_if = "path"`.
    pub(crate) skip_serializing_if: Option<syn::ExprPath>,
    /// `skip` or `skip_serializing`: serde never writes the field.
    pub(crate) skipped: bool,
    /// Settings that change how the value is written (`with`,
    /// `serialize_with`, `flatten`, `getter`), which a field written on its
    /// own (secondary role) cannot honour: the key and its span.
    pub(crate) custom_serialization: Vec<(String, Span)>,
    /// The function of `serialize_with = "path"`, as written, and its span.
    pub(crate) serialize_with: Option<(String, Span)>,
}

impl SerdeField {
    pub(crate) fn from_field(field: &syn::Field) -> SerdeField {
        let mut out = SerdeField::default();
        for attr in field.attrs.iter().filter(|a| is_serde(a)) {
            // Malformed serde attributes are serde_derive's to report.
            let _ = attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(Ident::to_string);
                match key.as_deref() {
                    Some("rename") => out.rename = parse_rename(&meta)?.or(out.rename.take()),
                    Some("skip_serializing_if") => {
                        let lit: LitStr = meta.value()?.parse()?;
                        out.skip_serializing_if = lit.parse().ok();
                    }
                    Some("skip" | "skip_serializing") => out.skipped = true,
                    Some("serialize_with") if meta.input.peek(Token![=]) => {
                        out.custom_serialization
                            .push(("serialize_with".to_owned(), meta.path.span()));
                        let lit: LitStr = meta.value()?.parse()?;
                        out.serialize_with = Some((lit.value(), lit.span()));
                    }
                    Some(key @ ("with" | "serialize_with" | "flatten" | "getter")) => {
                        out.custom_serialization
                            .push((key.to_owned(), meta.path.span()));
                        skip_meta_value(&meta)?;
                    }
                    _ => skip_meta_value(&meta)?,
                }
                Ok(())
            });
        }
        out
    }
}

/// The `#[serde(...)]` container setting that changes wire names.
#[derive(Default)]
pub(crate) struct SerdeContainer {
    pub(crate) rename_all: RenameRule,
}

impl SerdeContainer {
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> SerdeContainer {
        let mut out = SerdeContainer::default();
        for attr in attrs.iter().filter(|a| is_serde(a)) {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename_all") {
                    if let Some(rule) = parse_rename(&meta)? {
                        out.rename_all = RenameRule::from_str(&rule).unwrap_or_default();
                    }
                } else {
                    skip_meta_value(&meta)?;
                }
                Ok(())
            });
        }
        out
    }
}

/// `key = "x"` or `key(serialize = "x", deserialize = "y")`: the serialize side.
fn parse_rename(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Option<String>> {
    if meta.input.peek(Token![=]) {
        let lit: LitStr = meta.value()?.parse()?;
        return Ok(Some(lit.value()));
    }
    let mut serialize = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("serialize") {
            let lit: LitStr = inner.value()?.parse()?;
            serialize = Some(lit.value());
        } else {
            skip_meta_value(&inner)?;
        }
        Ok(())
    })?;
    Ok(serialize)
}

/// The `#[derive(...)]` entry naming `Serialize` (any path ending in it).
pub(crate) fn derived_serialize(attrs: &[Attribute]) -> Option<syn::Path> {
    derives(attrs).find(|path| path.segments.last().is_some_and(|s| s.ident == "Serialize"))
}

/// Whether some `#[derive(...)]` entry comes from serde (registering the
/// `serde` helper attribute).
pub(crate) fn derives_serde_trait(attrs: &[Attribute]) -> bool {
    derives(attrs).any(|path| {
        path.segments
            .last()
            .is_some_and(|s| s.ident == "Serialize" || s.ident == "Deserialize")
    })
}

fn derives(attrs: &[Attribute]) -> impl Iterator<Item = syn::Path> + '_ {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .flat_map(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .map(|list| list.into_iter().collect::<Vec<_>>())
                .unwrap_or_default()
        })
}

/// Whether a `serialize_with` function is the removed way of encrypting a
/// field (`wxpay_core::sensitive::encrypt`, or the macro's old expansion).
pub(crate) fn is_old_encrypt(path: &str) -> bool {
    let segments: Vec<&str> = path.split("::").map(str::trim).collect();
    match segments.as_slice() {
        [.., "sensitive", "encrypt"] => true,
        [.., last] => *last == "encrypt_sensitive",
        [] => false,
    }
}
