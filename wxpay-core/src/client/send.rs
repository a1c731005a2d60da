//! The typed send path, read top to bottom: keys ready, encode, sign and
//! send, read, verify, decode. Untyped requests join it after encoding.
//!
//! ```text
//! Client::send(&request)
//!   trust.ready          refresh managed certificates when due   (trust/mod.rs)
//!   EncodedRequest::encode  path, query, body, headers in the client's
//!                         context; Wechatpay-Serial decided      (request/)
//!   exchange
//!     transmit           attempts, each signed afresh            (transmit.rs,
//!                                                                 sign.rs, transport/)
//!     transport.read     the answer, bounded                     (transport/mod.rs)
//!     check_answer       status; verify (an unknown serial
//!                         refreshes once); Error::Api            (answer.rs, trust/)
//!   RawResponse::json    decode                                  (answer.rs)
//! ```

use super::{Call, Client, RawResponse, Response};
use crate::error::Error;
use crate::request::{ApiRequest, EncodedRequest};
use crate::transport::{Deadline, RequestSpan};
use crate::trust::Signed;

impl Client {
    /// Sends a typed request and decodes the verified response.
    pub async fn send<R: ApiRequest + ?Sized>(&self, request: &R) -> Result<R::Response, Error> {
        self.send_typed(request, false).await?.json()
    }

    /// [`send`](Self::send), also retrying 5xx/429 answers, timeouts and
    /// broken connections for a `POST`: for creations keyed by the
    /// merchant's own number, which WeChat Pay performs once whatever the
    /// number of requests (see [`RetryPolicy`](crate::RetryPolicy)).
    pub async fn send_idempotent<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<R::Response, Error> {
        self.send_typed(request, true).await?.json()
    }

    /// [`send`](Self::send), keeping the answer's status, `Request-ID` and
    /// headers beside the decoded value.
    pub async fn send_with_meta<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Response<R::Response>, Error> {
        Response::decode(self.send_typed(request, false).await?)
    }

    async fn send_typed<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
        idempotent: bool,
    ) -> Result<RawResponse, Error> {
        // Sensitive fields need the current key: refresh (when due) first.
        self.trust().ready(self).await;
        let encryptor = self.keyring().encryptor();
        let encoded = EncodedRequest::encode(request, &self.encode_context(encryptor.as_ref()))?;
        self.exchange(&Call::encoded(&encoded, R::PATH_TEMPLATE, idempotent))
            .await
    }

    /// Signs and sends an encoded request (e.g. from
    /// [`DynamicRequest::encode`](crate::DynamicRequest::encode) or
    /// [`EncodedRequest::encode`]), then verifies the response.
    ///
    /// Returns the verified response for 2xx; [`Error::Api`] for 4xx/5xx.
    /// An answer WeChat does not sign (a file) fails verification here: use
    /// [`download`](Self::download), which says how a file is checked.
    pub async fn execute(&self, request: &EncodedRequest) -> Result<RawResponse, Error> {
        self.trust().ready(self).await;
        self.exchange(&Call::encoded(request, "(encoded request)", false))
            .await
    }

    /// Signs and sends `call` (keys already ready), reads the answer and
    /// checks it: the part every signed JSON exchange shares.
    pub(crate) async fn exchange(&self, call: &Call<'_>) -> Result<RawResponse, Error> {
        let span = RequestSpan::new(
            self.transport().api,
            call.method,
            call.template,
            self.mchid(),
        );
        let result = span
            .run(async {
                let targets = self.transport().targets(call.path, call.query)?;
                let response = self
                    .transmit(&span, call, &targets, Deadline::Request)
                    .await?;
                let answer = self.transport().read(response).await?;
                span.status(answer.status);
                let operation =
                    format!("{} /{}", call.method, call.template.trim_start_matches('/'));
                self.check_answer(answer, Signed::Body, operation).await
            })
            .await;
        match &result {
            Ok(raw) => span.request_id(raw.request_id()),
            Err(e) => span.error(e),
        }
        result
    }
}
