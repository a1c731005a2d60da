//! The request path: literal template pieces and bound parameters, each
//! parameter percent-encoded as one segment.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::header::HeaderParam;
use crate::error::Error;

/// Bytes left as they are in a path segment or query component: RFC 3986
/// unreserved characters. Everything else, `/ ? # % + & =` and spaces among
/// them, is percent-encoded so a value can never leave its segment.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query component (RFC 3986 unreserved kept).
pub(crate) fn encode_component(value: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(value, COMPONENT)
}

/// Builds a request path from literal template pieces and bound parameters.
#[derive(Debug, Default)]
pub struct PathBuilder {
    buf: String,
    scratch: String,
}

impl PathBuilder {
    /// An empty path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a literal piece of the template, as written.
    pub fn literal(&mut self, piece: &str) {
        self.buf.push_str(piece);
    }

    /// Appends the value of path parameter `name`, percent-encoded as one segment.
    ///
    /// Values are kept exactly (case included). Empty values, `.` and `..` are
    /// refused: each would change which resource the path names.
    pub fn param<P: PathParam + ?Sized>(&mut self, name: &str, value: &P) -> Result<(), Error> {
        self.scratch.clear();
        value.write_path_value(&mut self.scratch);
        match self.scratch.as_str() {
            "" => Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is empty"
            ))),
            "." | ".." => Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is `{}`, which would change the path",
                self.scratch
            ))),
            raw => {
                use fmt::Write;
                // Writing into a String cannot fail.
                let _ = write!(self.buf, "{}", encode_component(raw));
                Ok(())
            }
        }
    }

    /// The finished path.
    pub fn finish(self) -> String {
        self.buf
    }
}

/// A value that can fill a `<param>` of a path template: strings and integers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound as a path parameter",
    label = "path parameters must be strings or integers",
    note = "path parameters are text in one URL segment; use `&str`, `String` or an integer type"
)]
pub trait PathParam {
    /// Writes the raw (unencoded) value.
    fn write_path_value(&self, out: &mut String);
}

impl PathParam for str {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl PathParam for String {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl PathParam for Cow<'_, str> {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl<T: PathParam + ?Sized> PathParam for &T {
    fn write_path_value(&self, out: &mut String) {
        (**self).write_path_value(out);
    }
}
impl<T: PathParam + ?Sized> PathParam for Box<T> {
    fn write_path_value(&self, out: &mut String) {
        (**self).write_path_value(out);
    }
}
macro_rules! integer_params {
    ($($t:ty)*) => {$(
        impl PathParam for $t {
            fn write_path_value(&self, out: &mut String) {
                use fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
        impl HeaderParam for $t {
            fn header_value(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
integer_params!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);
