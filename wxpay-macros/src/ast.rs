//! The model of one annotated struct: its method, path template, response
//! type and every field with the role it plays in the request.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Generics, Ident, LitStr, Type};

use crate::attr::{self, ApiArgs, Method};
use crate::ctxt::Ctxt;
use crate::field_attr::{FieldAttrs, RoleOverride};
use crate::serde_attr::{self, SerdeContainer, SerdeField};
use crate::template::Template;

/// An annotated struct, ready to check and expand.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    /// `v2` was given: an APIv2 (XML) operation, with its span.
    pub(crate) v2: Option<Span>,
    /// `sign_type = "..."`: the `SignType` variant and the key's span.
    pub(crate) sign_type: Option<(&'static str, Span)>,
    /// The bare flags: facts of the operation.
    pub(crate) flags: attr::Flags,
    /// `None` when the method was missing or wrong (an error is recorded).
    pub(crate) method: Option<Method>,
    /// An empty template when it was missing (an error is recorded).
    pub(crate) template: Template,
    pub(crate) response: Option<Type>,
    /// Whether a missing `response` is really missing: the arguments were
    /// read to the end, and no misspelt or empty `response` was reported.
    pub(crate) args_complete: bool,
    pub(crate) fields: Vec<Field<'a>>,
}

/// Where a field's value goes.
#[derive(Clone)]
pub(crate) enum Role {
    /// Bound to this `<param>` in the path (by the field's name, or by
    /// `#[wxpay(path = "param")]`).
    Path(String),
    /// The query string.
    Query,
    /// The JSON body.
    Body,
    /// A request header with this name.
    Header(LitStr),
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) member: &'a Ident,
    /// The field name without `r#`: what `<name>` and the default wire name use.
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    pub(crate) role: Role,
    /// The explicit `#[wxpay(...)]` override and where it was written.
    pub(crate) role_override: Option<(RoleOverride, Span)>,
    pub(crate) serde: SerdeField,
    /// The name serde writes on the wire.
    pub(crate) wire_name: String,
    /// `#[wxpay(merchant)]`: the calling merchant's id; the key's span.
    pub(crate) merchant: Option<Span>,
    /// The removed `#[wxpay(encrypt)]`, refused by `check`.
    pub(crate) encrypt: Option<Span>,
}

impl Container<'_> {
    /// Builds the model, recording every problem in `cx`; `None` for input
    /// that is not a struct with named fields. A missing method or template
    /// still yields a model, so field problems are reported in the same pass.
    pub(crate) fn from_ast<'a>(
        cx: &Ctxt,
        input: &'a DeriveInput,
        args: ApiArgs,
    ) -> Option<Container<'a>> {
        for attr in input.attrs.iter().filter(|a| attr::is_wxpay(a)) {
            cx.error_spanned_by(
                attr,
                "`#[wxpay(...)]` belongs on fields\n\
                 help: put the method, path and response type in `#[wxpay_api(...)]` \
                 and remove this attribute",
            );
        }
        if let Some(path) = serde_attr::derived_serialize(&input.attrs) {
            cx.error_spanned_by(
                &path,
                "`#[wxpay_api]` derives `Serialize` itself\n\
                 help: remove `Serialize` from this `#[derive(...)]`; `#[serde(...)]` \
                 attributes keep working",
            );
        }

        let template = args.template.map(|lit| Template::parse(cx, lit));
        let named = named_fields(cx, input)?;
        let serde_container = SerdeContainer::from_attrs(&input.attrs);
        let method = args.method;
        let template = template.unwrap_or_else(Template::missing);
        let params: Vec<&str> = template.params().collect();

        let attrs: Vec<FieldAttrs> = named
            .iter()
            .map(|field| FieldAttrs::from_field(cx, field))
            .collect();
        // Parameters a field binds with `path = "..."`: a field that merely
        // has the same name then keeps its own role, if it was given one.
        let bound_explicitly: Vec<String> = attrs
            .iter()
            .filter_map(|a| match &a.role {
                Some((RoleOverride::Path(param), _)) => Some(param.value()),
                _ => None,
            })
            .collect();
        let fields = named
            .iter()
            .zip(attrs)
            .map(|(field, attrs)| {
                let member = field.ident.as_ref().expect("named field");
                let name = member.unraw().to_string();
                let serde = SerdeField::from_field(field);
                let named_param = params.contains(&name.as_str());
                let role = match &attrs.role {
                    Some((RoleOverride::Path(param), _)) => Role::Path(param.value()),
                    Some(_) if named_param && bound_explicitly.contains(&name) => {
                        explicit_role(&attrs)
                    }
                    _ if named_param => Role::Path(name.clone()),
                    Some(_) => explicit_role(&attrs),
                    // Without a method the default role is unknown; nothing
                    // is expanded anyway, and the checks skip method-based rules.
                    None if method.is_none_or(Method::has_body_by_default) => Role::Body,
                    None => Role::Query,
                };
                let wire_name = serde
                    .rename
                    .clone()
                    .unwrap_or_else(|| serde_container.rename_all.apply_to_field(&name));
                Field {
                    member,
                    name,
                    ty: &field.ty,
                    role,
                    role_override: attrs.role,
                    serde,
                    wire_name,
                    merchant: attrs.merchant,
                    encrypt: attrs.encrypt,
                }
            })
            .collect();

        Some(Container {
            ident: &input.ident,
            generics: &input.generics,
            v2: args.v2,
            sign_type: args.sign_type,
            flags: args.flags,
            method,
            template,
            response: args.response,
            args_complete: args.complete && !args.response_attempted,
            fields,
        })
    }
}

impl Field<'_> {
    /// Whether the field is written by the struct's own (derived) serialisation:
    /// the body for POST/PUT/PATCH, the query for GET/DELETE.
    pub(crate) fn is_primary(&self, method: Method) -> bool {
        match self.role {
            Role::Body => method.has_body_by_default(),
            Role::Query => !method.has_body_by_default(),
            Role::Path(_) | Role::Header(_) => false,
        }
    }

    /// Whether the field is sent in the body or query, but written on its own
    /// (`#[wxpay(query)]` on a POST, `#[wxpay(body)]` on a GET/DELETE).
    pub(crate) fn is_secondary(&self, method: Method) -> bool {
        matches!(self.role, Role::Body | Role::Query) && !self.is_primary(method)
    }
}

/// The role a `#[wxpay(query | body | header = ..)]` override gives.
fn explicit_role(attrs: &FieldAttrs) -> Role {
    match &attrs.role {
        Some((RoleOverride::Query, _)) => Role::Query,
        Some((RoleOverride::Header(header), _)) => Role::Header(header.clone()),
        Some((RoleOverride::Path(param), _)) => Role::Path(param.value()),
        Some((RoleOverride::Body, _)) | None => Role::Body,
    }
}

fn named_fields<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
) -> Option<&'a syn::punctuated::Punctuated<syn::Field, syn::Token![,]>> {
    let (what, fix) = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => return Some(&fields.named),
            Fields::Unnamed(_) => (
                "a tuple struct",
                "name the fields: `struct Name<'a> { pub refund_id: &'a str }`",
            ),
            Fields::Unit => (
                "a unit struct",
                "give it braces, even with no fields: `struct Name {}`",
            ),
        },
        Data::Enum(_) => (
            "an enum",
            "declare one struct per operation, with named fields",
        ),
        Data::Union(_) => (
            "a union",
            "declare the request as a struct with named fields",
        ),
    };
    cx.error_spanned_by(
        &input.ident,
        format!(
            "`#[wxpay_api]` describes a request as a struct with named fields, \
             but `{}` is {what}\nhelp: {fix}",
            input.ident
        ),
    );
    None
}
