//! Collects every error found while reading the input, so one compilation
//! reports all of them instead of stopping at the first.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// The error sink shared by parsing, modelling and checking.
///
/// Must be consumed with [`Ctxt::check`]; dropping it unchecked is a bug in
/// this crate and panics (outside of an unwinding panic).
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error at `span`.
    pub(crate) fn error(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Records an error spanning the tokens of `object`.
    pub(crate) fn error_spanned_by(&self, object: impl ToTokens, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(object.into_token_stream(), message));
    }

    /// Records an error produced by a syn parser.
    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check")
            .push(error);
    }

    /// Whether any error has been recorded so far.
    pub(crate) fn has_errors(&self) -> bool {
        self.errors.borrow().as_ref().is_some_and(|e| !e.is_empty())
    }

    /// Consumes the context: `Err` with every recorded error combined.
    pub(crate) fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().expect("Ctxt checked twice");
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("wxpay-macros: forgot to check for errors");
        }
    }
}
