//! Untyped calls: a method, a URI template and values, for operations
//! without a typed request.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Call, Client, RawResponse, Response};
use crate::error::Error;
use crate::request::{
    name_key, BodyWriter, EncodeContext, EncodedRequest, Method, PathBuilder, QueryBuilder,
};

/// A value given to a dynamic request, encoded only when the request is
/// (through the request's context, so `Sensitive` fields inside it are
/// encrypted like a typed request's).
trait Part: Send + Sync {
    fn write_query(&self, query: &mut QueryBuilder<'_>) -> Result<(), Error>;
    fn write_body(&self, body: &mut BodyWriter<'_>) -> Result<(), Error>;
}

impl<T: Serialize + Send + Sync> Part for T {
    fn write_query(&self, query: &mut QueryBuilder<'_>) -> Result<(), Error> {
        query.serialize(self)
    }
    fn write_body(&self, body: &mut BodyWriter<'_>) -> Result<(), Error> {
        body.json(self)
    }
}

enum QueryPart<'c> {
    Pair(String, String),
    Value(Box<dyn Part + 'c>),
}

/// An untyped call built with [`Client::request`].
#[must_use = "a request does nothing until `send` is awaited"]
pub struct DynamicRequest<'c> {
    client: &'c Client,
    method: Method,
    template: String,
    params: Vec<(String, String)>,
    query: Vec<QueryPart<'c>>,
    headers: Vec<(Cow<'static, str>, String)>,
    body: Option<Box<dyn Part + 'c>>,
    idempotent: bool,
}

impl<'c> DynamicRequest<'c> {
    pub(super) fn new(client: &'c Client, method: Method, template: &str) -> Self {
        Self {
            client,
            method,
            template: template.to_owned(),
            params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            idempotent: false,
        }
    }

    /// Marks the call safe to send more than once (a creation keyed by the
    /// merchant's own number), so 5xx/429 answers, timeouts and broken
    /// connections are retried for a `POST` too (see [`RetryPolicy`](crate::RetryPolicy)).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Binds path parameter `{name}` (kept exactly, percent-encoded as one segment).
    pub fn path_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// Adds the fields of `query` (a struct or map) to the query string.
    pub fn query<T: Serialize + Send + Sync + 'c>(mut self, query: T) -> Self {
        self.query.push(QueryPart::Value(Box::new(query)));
        self
    }

    /// Adds one query pair.
    pub fn query_pair(mut self, name: &str, value: &str) -> Self {
        self.query
            .push(QueryPart::Pair(name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a request header. The headers the SDK writes itself
    /// (`Authorization`, `Host`, `Content-Type`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection`) and a header given twice are refused
    /// with [`Error::InvalidRequest`] when the request is sent;
    /// `Wechatpay-Serial` is the client's when a `Sensitive` value in the
    /// body or query is encrypted.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers
            .push((Cow::Owned(name.to_owned()), value.into()));
        self
    }

    /// Sets the JSON body: any `Serialize` value (a `serde_json::Value`, a
    /// struct, a reference to one); `Sensitive` values inside it are
    /// encrypted when the request is encoded.
    pub fn json<T: Serialize + Send + Sync + 'c>(mut self, body: T) -> Self {
        self.body = Some(Box::new(body));
        self
    }

    /// Sends and decodes the verified response into `T` (`serde_json::Value` works).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.send_raw().await?.json()
    }

    /// [`send`](Self::send), keeping the answer's status, `Request-ID` and headers.
    pub async fn send_with_meta<T: DeserializeOwned>(self) -> Result<Response<T>, Error> {
        Response::decode(self.send_raw().await?)
    }

    /// Sends and returns the verified, undecoded answer.
    pub async fn send_raw(self) -> Result<RawResponse, Error> {
        let client = self.client;
        // Sensitive values need the current key: refresh (when due) first.
        client.trust().ready(client).await;
        let template = self.template.clone();
        let idempotent = self.idempotent;
        let encoded = self.encode()?;
        client
            .exchange(&Call::encoded(&encoded, &template, idempotent))
            .await
    }

    /// Encodes the request without sending it, as [`Client::encode`] does a
    /// typed one (this client's merchant id, its current WeChat Pay key).
    pub fn encode(self) -> Result<EncodedRequest, Error> {
        let encryptor = self.client.keyring().encryptor();
        let cx = self.client.encode_context(encryptor.as_ref());
        self.encode_in(&cx)
    }

    /// Encodes the request in the context `cx`.
    pub fn encode_in(self, cx: &EncodeContext<'_>) -> Result<EncodedRequest, Error> {
        let path = expand_template(&self.template, &self.params)?;
        let mut query = QueryBuilder::new(cx);
        for part in &self.query {
            match part {
                QueryPart::Pair(name, value) => query.pair(name, value),
                QueryPart::Value(value) => value.write_query(&mut query)?,
            }
        }
        let mut body = BodyWriter::new(cx);
        if let Some(value) = &self.body {
            value.write_body(&mut body)?;
        }
        let mut headers = self.headers;
        name_key(&mut headers, cx, false)?;
        Ok(EncodedRequest {
            method: self.method,
            path,
            query: query.finish(),
            headers,
            body: body.finish(),
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
