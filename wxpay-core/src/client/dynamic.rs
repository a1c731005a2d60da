//! Untyped calls: a method, a URI template and values, for operations
//! without a typed request.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Client;
use crate::error::Error;
use crate::request::{json_body, EncodedRequest, Method, PathBuilder, QueryBuilder};

/// An untyped call built with [`Client::request`].
#[must_use = "a request does nothing until `send` is awaited"]
pub struct DynamicRequest<'c> {
    client: &'c Client,
    method: Method,
    template: String,
    params: Vec<(String, String)>,
    query: QueryBuilder,
    headers: Vec<(Cow<'static, str>, String)>,
    body: Option<Vec<u8>>,
    error: Option<Error>,
}

impl<'c> DynamicRequest<'c> {
    pub(super) fn new(client: &'c Client, method: Method, template: &str) -> Self {
        Self {
            client,
            method,
            template: template.to_owned(),
            params: Vec::new(),
            query: QueryBuilder::new(),
            headers: Vec::new(),
            body: None,
            error: None,
        }
    }

    /// Binds path parameter `{name}` (kept exactly, percent-encoded as one segment).
    pub fn path_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// Adds the fields of `query` (a struct or map) to the query string.
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        if let Err(e) = self.query.serialize(query) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Adds one query pair.
    pub fn query_pair(mut self, name: &str, value: &str) -> Self {
        self.query.pair(name, value);
        self
    }

    /// Adds a request header (e.g. `Wechatpay-Serial` naming the key a
    /// sensitive field was encrypted with). The headers the SDK writes itself
    /// (`Authorization`, `Host`, `Content-Type`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection`) and a header given twice are refused
    /// with [`Error::InvalidRequest`] when the request is sent.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers
            .push((Cow::Owned(name.to_owned()), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match json_body(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Sends and decodes the verified response into `T` (`serde_json::Value` works).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        let client = self.client;
        client.execute(self.encode()?).await?.json()
    }

    /// Encodes the request without sending it.
    pub fn encode(self) -> Result<EncodedRequest, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let path = expand_template(&self.template, &self.params)?;
        Ok(EncodedRequest {
            method: self.method,
            path,
            query: self.query.finish(),
            headers: self.headers,
            body: self.body,
        })
    }
}

/// Expands `{name}` (or `<name>`) placeholders; every placeholder needs a value
/// and every value a placeholder.
fn expand_template(template: &str, params: &[(String, String)]) -> Result<String, Error> {
    let template = template.trim_start_matches('/');
    let mut path = PathBuilder::new();
    let mut used = vec![false; params.len()];
    let mut rest = template;
    while let Some(open) = rest.find(['{', '<']) {
        let close_char = if rest.as_bytes()[open] == b'{' {
            '}'
        } else {
            '>'
        };
        path.literal(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(close_char).ok_or_else(|| {
            Error::InvalidRequest(format!("unbalanced placeholder in template {template:?}"))
        })?;
        let name = &after[..close];
        let index = params.iter().position(|(n, _)| n == name).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "no value for path parameter `{name}` of {template:?}; add .path_param(\"{name}\", ...)"
            ))
        })?;
        used[index] = true;
        path.param(name, params[index].1.as_str())?;
        rest = &after[close + 1..];
    }
    path.literal(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::InvalidRequest(format!(
            "path parameter `{}` does not appear in {template:?}",
            params[i].0
        )));
    }
    Ok(path.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_with_encoding_and_strictness() {
        let p = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            expand_template(
                "v3/ecommerce/refunds/{refund_id}/return-advance",
                &p(&[("refund_id", "50/00?x")])
            )
            .unwrap(),
            "v3/ecommerce/refunds/50%2F00%3Fx/return-advance"
        );
        assert_eq!(
            expand_template(
                "/v3/x/<openid>",
                &p(&[("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")])
            )
            .unwrap(),
            "v3/x/oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
        );
        assert!(expand_template("v3/x/{a}", &[])
            .unwrap_err()
            .to_string()
            .contains("`a`"));
        assert!(expand_template("v3/x", &p(&[("a", "1")]))
            .unwrap_err()
            .to_string()
            .contains("`a`"));
        assert!(expand_template("v3/x/{a", &p(&[("a", "1")])).is_err());
    }
}
