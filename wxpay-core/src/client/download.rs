//! File downloads: bills, images, transfer receipts, e-invoice files,
//! statements. How a file's body is vouched for is a fact of its operation
//! ([`FileAnswer`]), given with the request, never guessed from its path.

use std::fmt;

use bytes::Bytes;

use super::{Call, Client};
use crate::error::Error;
use crate::transport::target::split_download_url;
use crate::transport::{transport_error, Api, Deadline, RequestSpan};
use crate::trust::Signed;

/// How WeChat Pay vouches for a downloaded file: a fact of the download
/// operation, stated by whoever builds the [`DownloadRequest`] (the typed
/// downloads of `wxpay-apis`, [`Client::download_bill`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileAnswer {
    /// WeChat Pay does not sign the body (bills, images, transfer
    /// receipts, e-invoice files): it streams unverified, so check it
    /// against the hash its (verified) metadata gave, as
    /// [`Client::download_bill`] does. An error answer is still verified.
    Unsigned,
    /// Signed like any answer: read whole (within
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes))
    /// and verified before a byte is returned.
    Signed,
    /// The overseas statements: the signature covers
    /// `{"sha1":"<Wechatpay-Statement-Sha1>"}` and the body must hash to
    /// that SHA-1; checked before a byte is returned.
    StatementSha1,
}

/// One file download: a path and query on the client's base URL, and how
/// its answer is vouched for.
///
/// ```
/// use wxpay_core::{DownloadRequest, FileAnswer};
///
/// let bill = DownloadRequest::from_url(
///     "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO",
///     FileAnswer::Unsigned,
/// )?;
/// assert_eq!(bill.path(), "v3/billdownload/file");
/// # Ok::<(), wxpay_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadRequest {
    path: String,
    query: String,
    answer: FileAnswer,
}

impl DownloadRequest {
    /// A download of `path` (relative, already percent-encoded, e.g. as a
    /// [`PathBuilder`](crate::request::PathBuilder) writes it) and an encoded `query`.
    /// The path is checked when the request is sent.
    pub fn new(path: impl Into<String>, query: impl Into<String>, answer: FileAnswer) -> Self {
        Self {
            path: path.into(),
            query: query.into(),
            answer,
        }
    }

    /// A download of `url`, e.g. the `download_url` of a bill answer: only
    /// its path and query are used (the request always goes to the
    /// client's base URL, so a URL naming another host never receives the
    /// signature), and anything that is not plainly an
    /// `http(s)://host/path?query` URL or a path (scheme-relative `//host`,
    /// backslashes, user info, fragments, dot segments) is refused.
    pub fn from_url(url: &str, answer: FileAnswer) -> Result<Self, Error> {
        let (path, query) = split_download_url(url)?;
        Ok(Self {
            path,
            query,
            answer,
        })
    }

    /// The path, relative to the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The encoded query, without `?`.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// How the answer is vouched for.
    pub fn answer(&self) -> FileAnswer {
        self.answer
    }
}

impl Client {
    /// Downloads a file: the request is signed and sent to this client's
    /// base URL; the answer is streamed when the operation says WeChat does
    /// not sign it ([`FileAnswer::Unsigned`]) and verified before anything is
    /// returned otherwise. A download has its own timeout and size limit
    /// ([`ClientBuilder::download_timeout`](crate::ClientBuilder::download_timeout),
    /// [`max_download_bytes`](crate::ClientBuilder::max_download_bytes)).
    pub async fn download(&self, request: &DownloadRequest) -> Result<Download, Error> {
        self.trust().ready(self).await;
        let call = Call::get(&request.path, &request.query);
        let span = RequestSpan::new(Api::V3, call.method, call.template, self.mchid());
        let result = span
            .run(self.download_in(&span, &call, request.answer))
            .await;
        if let Err(e) = &result {
            span.error(e);
        }
        result
    }

    async fn download_in(
        &self,
        span: &RequestSpan,
        call: &Call<'_>,
        answer: FileAnswer,
    ) -> Result<Download, Error> {
        let limit = self.transport().max_download_bytes;
        let targets = self.transport().targets(call.path, call.query)?;
        let response = self
            .transmit(span, call, &targets, Deadline::Download)
            .await?;
        let status = response.status().as_u16();
        let signed = match answer {
            FileAnswer::Unsigned if (200..300).contains(&status) => {
                if response.content_length().is_some_and(|n| n > limit) {
                    return Err(too_large(limit));
                }
                return Ok(Download {
                    inner: DownloadInner::Streaming(response),
                    received: 0,
                    limit,
                });
            }
            FileAnswer::StatementSha1 => Signed::StatementSha1,
            FileAnswer::Unsigned | FileAnswer::Signed => Signed::Body,
        };
        let cap = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .min(self.transport().max_response_bytes);
        let answer = self.transport().read_limited(response, cap).await?;
        let operation = format!("GET /{}", call.path);
        let raw = self.check_answer(answer, signed, operation).await?;
        Ok(Download {
            inner: DownloadInner::Buffered(Some(raw.body)),
            received: 0,
            limit,
        })
    }
}

fn too_large(limit: u64) -> Error {
    Error::BodyTooLarge {
        origin: crate::Origin::Answer,
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
    /// [`Error::BodyTooLarge`] past the client's download limit and with
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
                return Err(Error::BodyTooLarge {
                    origin: crate::Origin::Answer,
                    limit,
                });
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
