//! The expansion of an APIv2 operation (`#[wxpay_api(v2, POST, ...)]`): the
//! struct, its `V2Operation` impl and an inherent `send(&V2Client)`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Ident, Type};

use crate::ast::Container;
use crate::expand::private;

/// An APIv2 operation: the struct (serialised into the XML fields) and its
/// `V2Operation` impl, sent through `V2Client::send` like every v2 call.
pub(crate) fn expand_v2(cont: &Container, item: TokenStream) -> TokenStream {
    let private = private();
    let ident = cont.ident;
    let (impl_generics, ty_generics, where_clause) = cont.generics.split_for_impl();
    let response = cont
        .response
        .as_ref()
        .expect("checked: the response type is named")
        .to_token_stream();
    let template = &cont.template.lit;
    let sign_type = cont.sign_type.map(|(variant, _)| {
        let variant = Ident::new(variant, Span::call_site());
        // The public path: rustdoc shows this value as written.
        quote! {
            const SIGN_TYPE: ::core::option::Option<::wxpay_core::v2::SignType> =
                ::core::option::Option::Some(::wxpay_core::v2::SignType::#variant);
        }
    });
    let certificate = cont.flags.certificate.map(|_| {
        quote!(
            const NEEDS_CERTIFICATE: bool = true;
        )
    });
    let unsigned = cont.flags.unsigned_answer.map(|_| {
        quote!(
            const SIGNED_ANSWER: bool = false;
        )
    });
    let doc = format!(
        " Sends `POST /{}` (APIv2, XML) with `client` and decodes the answer.",
        template.value().trim_start_matches("v2/")
    );
    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #impl_generics #private::V2Operation for #ident #ty_generics #where_clause {
                const PATH: &'static str = #template;
                type Response = #response;
                #sign_type
                #certificate
                #unsigned
                fn fields(
                    &self,
                ) -> #private::Result<
                    ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
                    #private::Error,
                > {
                    #private::v2_fields(self)
                }
            }

            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[doc = #doc]
                ///
                /// The same as `client.send(self)`, callable without importing `V2Operation`.
                #[inline]
                pub async fn send(
                    &self,
                    client: &#private::V2Client,
                ) -> #private::Result<#response, #private::Error> {
                    client.send(self).await
                }
            }
        };
    }
}

/// The answer of the stand-in `send` emitted with errors: the declared
/// type, or the untyped `V2Response` when it was not named (the error says so).
pub(crate) fn stand_in_response(response: Option<&Type>) -> TokenStream {
    match response {
        Some(ty) => ty.to_token_stream(),
        None => quote!(::wxpay_core::v2::V2Response),
    }
}
