//! A blocking client for programs without an async runtime.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::{ApiRequest, EncodedRequest};
use crate::Client;

/// Wraps a [`Client`] with its own small tokio runtime so calls block.
///
/// One background worker thread drives the connections, so the wrapped
/// client's pool stays healthy even between calls. Calling it from inside an
/// async runtime would deadlock or panic in tokio; it returns
/// [`Error::Config`] instead (use the async [`Client`] there).
#[derive(Clone)]
pub struct BlockingClient {
    client: Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for BlockingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl BlockingClient {
    /// Wraps an async client.
    pub fn new(client: Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wxpay-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the blocking client's runtime: {e}"))
            })?;
        Ok(Self {
            client,
            runtime: Arc::new(runtime),
        })
    }

    /// The async client inside.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "BlockingClient was called from inside an async runtime; use the async Client there".into(),
            ));
        }
        Ok(self.runtime.block_on(future))
    }

    /// Sends a typed request and waits for the verified, decoded response.
    ///
    /// The same path as [`Client::send`]: certificates are refreshed (when
    /// managed and due) before sensitive fields are encrypted.
    pub fn send<R: ApiRequest + ?Sized>(&self, request: &R) -> Result<R::Response, Error> {
        self.block_on(self.client.send(request))?
    }

    /// Sends an encoded request (e.g. from [`DynamicRequest::encode`](crate::DynamicRequest::encode)).
    pub fn execute_json<T: DeserializeOwned>(&self, request: EncodedRequest) -> Result<T, Error> {
        let client = self.client.clone();
        self.block_on(async move { client.execute(&request).await?.json() })?
    }
}
