//! Headers a request carries from its fields (`#[wxpay(header = "...")]`).

use std::borrow::Cow;

/// Headers a request carries from its fields.
#[derive(Debug, Default)]
pub struct HeaderList {
    headers: Vec<(Cow<'static, str>, String)>,
}

impl HeaderList {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds header `name` from a field; `None` adds nothing.
    pub fn push<H: HeaderParam + ?Sized>(&mut self, name: &'static str, value: &H) {
        if let Some(value) = value.header_value() {
            self.headers.push((Cow::Borrowed(name), value));
        }
    }

    /// The headers, in insertion order.
    pub fn into_vec(self) -> Vec<(Cow<'static, str>, String)> {
        self.headers
    }
}

/// A value that can fill a `#[wxpay(header = "...")]` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a header value",
    label = "header fields must be strings, integers or an `Option` of those"
)]
pub trait HeaderParam {
    /// The header value, or `None` to omit the header.
    fn header_value(&self) -> Option<String>;
}

impl HeaderParam for str {
    fn header_value(&self) -> Option<String> {
        Some(self.to_owned())
    }
}
impl HeaderParam for String {
    fn header_value(&self) -> Option<String> {
        Some(self.clone())
    }
}
impl HeaderParam for Cow<'_, str> {
    fn header_value(&self) -> Option<String> {
        Some(self.to_string())
    }
}
impl<T: HeaderParam + ?Sized> HeaderParam for &T {
    fn header_value(&self) -> Option<String> {
        (**self).header_value()
    }
}
impl<T: HeaderParam> HeaderParam for Option<T> {
    fn header_value(&self) -> Option<String> {
        self.as_ref().and_then(HeaderParam::header_value)
    }
}
