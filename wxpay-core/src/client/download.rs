//! File downloads: bills, images, transfer receipts, e-invoice files.

use std::fmt;

use bytes::Bytes;

use super::pipeline::{Answer, Call, Expect};
use super::response::transport_error;
use super::target::split_download_url;
use super::Client;
use crate::error::Error;
use crate::request::Method;

impl Client {
    /// Downloads a file WeChat Pay serves unsigned (bills, images, transfer
    /// receipts, e-invoice files), e.g. the `download_url` of a bill.
    ///
    /// The request is signed and always sent to this client's base URL: only
    /// the path and query of `url` are used, so a URL naming another host can
    /// never receive the signature, and anything that is not plainly an
    /// `http(s)://host/path?query` URL or a path (scheme-relative `//host`,
    /// backslashes, user info, fragments, dot segments) is refused.
    ///
    /// Whether the answer may be unsigned is decided on the exact path sent:
    /// only the documented download routes are (`v3/billdownload/file`,
    /// `v3/transferdownload/signfile`, `v3/transferdownload/elecvoucherfile`,
    /// `v3/new-tax-control-fapiao/download`, `v3/merchant-service/images/{id}`
    /// and its `v3/global/` twin). Their body is *not* verified, so check it
    /// against the hash its (verified) metadata gave, as
    /// [`download_bill`](Self::download_bill) does. Any other path is verified
    /// as usual. The download has its own timeout and size limit
    /// ([`ClientBuilder::download_timeout`](crate::ClientBuilder::download_timeout),
    /// [`max_download_bytes`](crate::ClientBuilder::max_download_bytes)).
    pub async fn download(&self, url: &str) -> Result<Download, Error> {
        let (path, query) = split_download_url(url)?;
        let call = Call {
            method: Method::Get,
            path: &path,
            query: &query,
            headers: &[],
            body: None,
            wire: None,
        };
        let limit = self.inner.max_download_bytes;
        let inner = match self.call(&call, Expect::Download, false).await? {
            Answer::Stream(response) => {
                if response.content_length().is_some_and(|n| n > limit) {
                    return Err(too_large(limit));
                }
                DownloadInner::Streaming(response)
            }
            Answer::Verified(raw) => DownloadInner::Buffered(Some(raw.body)),
            Answer::Unchecked(raw) => DownloadInner::Buffered(Some(raw.body)),
        };
        Ok(Download {
            inner,
            received: 0,
            limit,
        })
    }
}

fn too_large(limit: u64) -> Error {
    Error::ResponseTooLarge {
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
    }
}

/// A file download: streamed when WeChat does not sign it, so large bills are
/// never held in memory whole.
pub struct Download {
    inner: DownloadInner,
    received: u64,
    limit: u64,
}

enum DownloadInner {
    Streaming(reqwest::Response),
    Buffered(Option<Bytes>),
}

impl Download {
    /// The next chunk of the body, or `None` at the end. Fails with
    /// [`Error::ResponseTooLarge`] past the client's download limit and with
    /// [`Error::Timeout`] past its download timeout.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let chunk = match &mut self.inner {
            DownloadInner::Streaming(r) => r.chunk().await.map_err(transport_error)?,
            DownloadInner::Buffered(b) => b.take(),
        };
        if let Some(chunk) = &chunk {
            self.received += chunk.len() as u64;
            if self.received > self.limit {
                return Err(too_large(self.limit));
            }
        }
        Ok(chunk)
    }

    /// Reads the rest of the body, refusing more than `limit` bytes.
    pub async fn bytes(mut self, limit: usize) -> Result<Bytes, Error> {
        let mut buf = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            if buf.len() + chunk.len() > limit {
                return Err(Error::ResponseTooLarge { limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}
