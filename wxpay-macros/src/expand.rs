//! Turning the checked model into the struct, its `ApiRequest` impl and the
//! inherent `send` method; or, on error, into the struct and the errors.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{parse_quote, Attribute, Data, DeriveInput, Ident, Type};

use crate::ast::{Container, Field, Role};
use crate::attr::{self, ApiArgs, Method};
use crate::check;
use crate::ctxt::Ctxt;
use crate::template::Piece;

/// Entry point of `#[wxpay_api(...)]`.
pub(crate) fn wxpay_api(args: TokenStream, input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input.clone()) {
        Ok(input) => input,
        // A struct that does not parse (a field named `type`): the compiler
        // has already reported where and how to fix it (`r#type`); a second
        // error from here would only repeat it.
        Err(_) if is_struct(&input) => return input,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[wxpay_api]` goes on a struct with named fields\n\
                 help: declare the request as `pub struct NameRequest<'a> { ... }` \
                 with one field per path, query or body parameter",
            )
            .into_compile_error();
            return quote!(#error #input);
        }
    };

    let cx = Ctxt::new();
    let args = ApiArgs::parse(&cx, args);
    let fallback_response = args.response.clone();
    let v2 = args.v2.is_some();
    let expanded = Container::from_ast(&cx, &input, args).and_then(|cont| {
        check::check(&cx, &cont);
        // Expanding with errors would only add follow-up errors.
        (!cx.has_errors()).then(|| expand(&cont, &input))
    });
    match (cx.check(), expanded) {
        (Ok(()), Some(expanded)) => expanded,
        (Err(errors), _) => on_error(input, fallback_response, errors, v2),
        (Ok(()), None) => unreachable!("no expansion without an error"),
    }
}

/// Whether the item is a `struct` (its keyword at the top level).
fn is_struct(input: &TokenStream) -> bool {
    input
        .clone()
        .into_iter()
        .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "struct"))
}

pub(crate) fn private() -> TokenStream {
    quote!(::wxpay_core::__private)
}

fn expand(cont: &Container, input: &DeriveInput) -> TokenStream {
    let method = cont
        .method
        .expect("a container without a method always has an error");
    let private = private();
    let item = emit_struct(cont, input, method);
    if cont.v2.is_some() {
        return crate::expand_v2::expand_v2(cont, item);
    }
    let ident = cont.ident;
    let (impl_generics, ty_generics, where_clause) = cont.generics.split_for_impl();
    let response = cont
        .response
        .as_ref()
        .expect("checked: the response type is named")
        .to_token_stream();
    let method_variant = Ident::new(method.variant(), Span::call_site());
    let template = &cont.template.lit;

    let wechatpay_serial = cont.flags.wechatpay_serial.map(|_| {
        quote!(
            const WECHATPAY_SERIAL: bool = true;
        )
    });
    let write_path = write_path(cont);
    let write_query = write_query(cont, method);
    let write_headers = write_headers(cont);
    let body = body(cont, method);
    let send = send_method(
        method,
        &template.value(),
        &response,
        quote!(client.send(self).await),
    );

    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::ApiRequest for #ident #ty_generics #where_clause {
                type Response = #response;
                // The public path: rustdoc shows this value as written.
                const METHOD: ::wxpay_core::Method = ::wxpay_core::Method::#method_variant;
                const PATH_TEMPLATE: &'static str = #template;
                #wechatpay_serial
                #write_path
                #write_query
                #write_headers
                #body
            }

            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #send
            }
        };
    }
}

/// The answer of the stand-in `send` emitted with errors: the declared
/// type, or `()` when it was not named (the error says so).
fn stand_in_response(response: Option<&Type>) -> TokenStream {
    match response {
        Some(ty) => ty.to_token_stream(),
        None => quote!(()),
    }
}

/// The struct as declared, deriving `Serialize` for its primary role and
/// skipping every field that goes elsewhere.
fn emit_struct(cont: &Container, input: &DeriveInput, method: Method) -> TokenStream {
    let mut item = input.clone();
    if let Data::Struct(data) = &mut item.data {
        for (field, model) in data.fields.iter_mut().zip(&cont.fields) {
            field.attrs.retain(|a| !attr::is_wxpay(a));
            if !model.is_primary(method) && !model.serde.skipped {
                field.attrs.push(parse_quote!(#[serde(skip_serializing)]));
            }
            if model.merchant.is_some() && model.is_primary(method) {
                // Spanned on the field's type, so a type that cannot name a
                // merchant is reported there.
                let with =
                    syn::LitStr::new("::wxpay_core::__private::calling_merchant", model.ty.span());
                field
                    .attrs
                    .push(parse_quote!(#[serde(serialize_with = #with)]));
            }
        }
    }
    // The derive comes first: a `#[serde]` helper written before the derive
    // that introduces it is an error. It is named by the public path, which
    // a message about the derive (a second one written above the attribute)
    // quotes.
    let serde_crate = "::wxpay_core::serde";
    let derive: [Attribute; 2] = [
        parse_quote!(#[derive(::wxpay_core::serde::Serialize)]),
        parse_quote!(#[serde(crate = #serde_crate)]),
    ];
    item.attrs.splice(0..0, derive);
    item.into_token_stream()
}

/// The tokens `&self.field` located at the field's type, so that a failed
/// trait bound on the value is reported on the user's type.
fn spanned_field_ref(field: &Field) -> TokenStream {
    let member = field.member;
    let span = Span::call_site().located_at(field.ty.span());
    quote_spanned!(span=> &self.#member)
}

fn write_path(cont: &Container) -> TokenStream {
    let private = private();
    let statements = cont.template.pieces.iter().map(|piece| match piece {
        Piece::Literal(text) => quote!(__path.literal(#text);),
        Piece::Param(name) => {
            let field = cont
                .fields
                .iter()
                .find(|f| matches!(&f.role, Role::Path(bound) if bound == name))
                .expect("checked: every parameter has a field");
            let ty = field.ty;
            let value = spanned_field_ref(field);
            quote!(__path.param::<#ty>(#name, #value)?;)
        }
    });
    quote! {
        fn write_path(
            &self,
            __path: &mut #private::PathBuilder,
        ) -> #private::Result<(), #private::Error> {
            #(#statements)*
            #private::Result::Ok(())
        }
    }
}

/// `if !skip(&self.field) { statement }` when serde has a `skip_serializing_if`.
fn guard(field: &Field, statement: TokenStream) -> TokenStream {
    match &field.serde.skip_serializing_if {
        Some(predicate) => {
            let member = field.member;
            quote!(if !#predicate(&self.#member) { #statement })
        }
        None => statement,
    }
}

/// Fields sent in `role` but written one by one rather than by the derive.
fn secondary<'c, 'a>(
    cont: &'c Container<'a>,
    method: Method,
    body: bool,
) -> impl Iterator<Item = &'c Field<'a>> {
    cont.fields
        .iter()
        .filter(move |f| f.is_secondary(method) && matches!(f.role, Role::Body) == body)
}

/// One field written on its own by `writer` (`__query` or `__body`): a
/// merchant field through the calling-merchant wrapper, filled in by the
/// encoding context.
fn write_secondary(field: &Field, writer: TokenStream) -> TokenStream {
    let (ty, wire) = (field.ty, &field.wire_name);
    let value = spanned_field_ref(field);
    if field.merchant.is_some() {
        let span = Span::call_site().located_at(ty.span());
        return quote_spanned!(span=> #writer.field(#wire, &__WxpayCallingMerchant(#value))?;);
    }
    guard(field, quote!(#writer.field::<#ty>(#wire, #value)?;))
}

/// The wrapper that writes an `Option` field as the calling merchant (see
/// `wxpay_core::EncodeContext`), when a field written on its own needs it.
fn merchant_wrapper<'a>(mut fields: impl Iterator<Item = &'a Field<'a>>) -> TokenStream {
    if !fields.any(|f| f.merchant.is_some()) {
        return TokenStream::new();
    }
    let private = private();
    quote! {
        struct __WxpayCallingMerchant<'__v, __T>(&'__v ::core::option::Option<__T>);
        impl<__T: ::core::convert::AsRef<str>> #private::serde::Serialize
            for __WxpayCallingMerchant<'_, __T>
        {
            fn serialize<__S: #private::serde::Serializer>(
                &self,
                __serializer: __S,
            ) -> #private::Result<__S::Ok, __S::Error> {
                #private::calling_merchant(self.0, __serializer)
            }
        }
    }
}

/// Whether the derive writes at least one field (the primary role is used).
fn has_primary(cont: &Container, method: Method) -> bool {
    cont.fields
        .iter()
        .any(|f| f.is_primary(method) && !f.serde.skipped)
}

fn write_query(cont: &Container, method: Method) -> TokenStream {
    let private = private();
    let primary = (!method.has_body_by_default() && has_primary(cont, method))
        .then(|| quote!(__query.serialize(self)?;));
    let fields: Vec<TokenStream> = secondary(cont, method, false)
        .map(|field| write_secondary(field, quote!(__query)))
        .collect();
    if primary.is_none() && fields.is_empty() {
        return TokenStream::new();
    }
    let probes = query_form_probes(cont, method);
    let wrapper = merchant_wrapper(secondary(cont, method, false));
    quote! {
        fn write_query(
            &self,
            __query: &mut #private::QueryBuilder<'_>,
        ) -> #private::Result<(), #private::Error> {
            #wrapper
            #probes
            #primary
            #(#fields)*
            #private::Result::Ok(())
        }
    }
}

/// A compile-time check of each query field whose type is not plainly a
/// scalar: a type known to serialise as an object (`wxpay_core::QueryObject`)
/// fails to compile, with `#[serde(flatten)]` as the fix. Other types compile
/// as before (the encoder still refuses an object), so an enum of the
/// caller's own keeps working. Fields serde spreads (`flatten`), skips or
/// writes its own way are not checked.
fn query_form_probes(cont: &Container, method: Method) -> TokenStream {
    let private = private();
    let probes: Vec<TokenStream> = cont
        .fields
        .iter()
        .filter(|f| {
            let primary = f.is_primary(method)
                && matches!(f.role, Role::Query)
                && !f.serde.skipped
                && f.serde.custom_serialization.is_empty();
            let secondary = f.is_secondary(method) && matches!(f.role, Role::Query);
            (primary || secondary) && !is_plain_scalar(f.ty)
        })
        .map(|field| {
            let ty = field.ty;
            let span = Span::call_site().located_at(ty.span());
            quote_spanned! {span=>
                #private::query_probe::require_query_form(
                    (&&#private::query_probe::Probe::<#ty>::new()).__wxpay_query_form(),
                );
            }
        })
        .collect();
    if probes.is_empty() {
        return TokenStream::new();
    }
    quote! {
        {
            use #private::query_probe::{ViaAny as _, ViaObject as _};
            #(#probes)*
        }
    }
}

/// Text, numbers and booleans, and references, slices, arrays, `Option`s,
/// `Vec`s and boxes of them, as written: nothing to check.
fn is_plain_scalar(ty: &Type) -> bool {
    const SCALARS: [&str; 18] = [
        "str", "String", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
        "i32", "i64", "i128", "isize", "f32", "f64",
    ];
    match ty {
        Type::Reference(r) => is_plain_scalar(&r.elem),
        Type::Slice(s) => is_plain_scalar(&s.elem),
        Type::Array(a) => is_plain_scalar(&a.elem),
        Type::Paren(p) => is_plain_scalar(&p.elem),
        Type::Group(g) => is_plain_scalar(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match &last.arguments {
                syn::PathArguments::None => SCALARS.contains(&last.ident.to_string().as_str()),
                syn::PathArguments::AngleBracketed(args)
                    if ["Option", "Vec", "Box"].iter().any(|w| last.ident == w) =>
                {
                    matches!(
                        args.args.iter().collect::<Vec<_>>().as_slice(),
                        [syn::GenericArgument::Type(inner)] if is_plain_scalar(inner)
                    )
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn write_headers(cont: &Container) -> TokenStream {
    let private = private();
    let headers: Vec<TokenStream> = cont
        .fields
        .iter()
        .filter_map(|field| match &field.role {
            Role::Header(name) => {
                let ty = field.ty;
                let value = spanned_field_ref(field);
                Some(quote!(__headers.push::<#ty>(#name, #value);))
            }
            _ => None,
        })
        .collect();
    if headers.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn write_headers(
            &self,
            __headers: &mut #private::HeaderList,
        ) -> #private::Result<(), #private::Error> {
            #(#headers)*
            #private::Result::Ok(())
        }
    }
}

fn body(cont: &Container, method: Method) -> TokenStream {
    let private = private();
    let signature = quote! {
        fn write_body(
            &self,
            __body: &mut #private::BodyWriter<'_>,
        ) -> #private::Result<(), #private::Error>
    };
    if method.has_body_by_default() {
        // A POST whose fields all go to the path (`.../cancel`) sends no body.
        if !has_primary(cont, method) {
            return TokenStream::new();
        }
        return quote! {
            #signature {
                __body.json(self)
            }
        };
    }
    let fields: Vec<TokenStream> = secondary(cont, method, true)
        .map(|field| write_secondary(field, quote!(__body)))
        .collect();
    if fields.is_empty() {
        return TokenStream::new();
    }
    let wrapper = merchant_wrapper(secondary(cont, method, true));
    quote! {
        #signature {
            #wrapper
            __body.begin_object();
            #(#fields)*
            #private::Result::Ok(())
        }
    }
}

fn send_method(
    method: Method,
    template: &str,
    response: &TokenStream,
    call: TokenStream,
) -> TokenStream {
    let private = private();
    let doc = format!(
        " Sends `{} /{template}` with `client` and decodes the response.",
        method.as_str()
    );
    quote! {
        #[doc = #doc]
        ///
        /// The same as `client.send(self)`, callable without importing `ApiRequest`.
        // Inline: the generic send path is instantiated where it is called,
        // not once per operation in the crate that declares it.
        #[inline]
        pub async fn send(
            &self,
            client: &#private::Client,
        ) -> #private::Result<#response, #private::Error> {
            #call
        }

        /// Like `send`, for programs without an async runtime.
        #[inline]
        pub fn send_blocking(
            &self,
            client: &#private::BlockingClient,
        ) -> #private::Result<#response, #private::Error> {
            client.send(self)
        }
    }
}

/// On error: the struct (helper attributes stripped, nothing derived), the
/// errors, and a stand-in `send` so that callers add no errors of their own.
fn on_error(
    mut input: DeriveInput,
    response: Option<Type>,
    errors: syn::Error,
    v2: bool,
) -> TokenStream {
    // Without the derive, `#[serde]` would be an unknown attribute, unless the
    // user derives a serde trait of their own.
    let keep_serde = crate::serde_attr::derives_serde_trait(&input.attrs);
    let strip = |attrs: &mut Vec<Attribute>| {
        attrs.retain(|a| !attr::is_wxpay(a) && (keep_serde || !crate::serde_attr::is_serde(a)));
    };
    strip(&mut input.attrs);
    match &mut input.data {
        Data::Struct(data) => data.fields.iter_mut().for_each(|f| strip(&mut f.attrs)),
        Data::Enum(data) => data.variants.iter_mut().for_each(|v| {
            strip(&mut v.attrs);
            v.fields.iter_mut().for_each(|f| strip(&mut f.attrs));
        }),
        Data::Union(data) => data
            .fields
            .named
            .iter_mut()
            .for_each(|f| strip(&mut f.attrs)),
    }

    let errors = errors.into_compile_error();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let private = private();
    if v2 {
        let response = crate::expand_v2::stand_in_response(response.as_ref());
        return quote! {
            #input
            #errors
            const _: () = {
                #[automatically_derived]
                impl #impl_generics #ident #ty_generics #where_clause {
                    #[allow(missing_docs)]
                    pub async fn send(
                        &self,
                        _client: &#private::V2Client,
                    ) -> #private::Result<#response, #private::Error> {
                        ::core::unreachable!()
                    }
                }
            };
        };
    }
    let response = stand_in_response(response.as_ref());
    quote! {
        #input
        #errors
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[allow(missing_docs)]
                pub async fn send(
                    &self,
                    _client: &#private::Client,
                ) -> #private::Result<#response, #private::Error> {
                    ::core::unreachable!()
                }
                #[allow(missing_docs)]
                pub fn send_blocking(
                    &self,
                    _client: &#private::BlockingClient,
                ) -> #private::Result<#response, #private::Error> {
                    ::core::unreachable!()
                }
            }
        };
    }
}
