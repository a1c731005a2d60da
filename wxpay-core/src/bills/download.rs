//! Bill download: `GET v3/bill/tradebill` / `fundflowbill` answer (signed)
//! with a `download_url` and the SHA-1 of the bill; the file itself is not
//! signed, so it is streamed, un-gzipped if need be, and checked against
//! that hash.

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use flate2::write::MultiGzDecoder;
use serde::{Deserialize, Serialize};

use crate::client::{Download, DownloadRequest, FileAnswer};
use crate::crypto::Sha1;
use crate::error::{Error, Origin, VerifyError};
use crate::Client;

/// The (verified) answer of the trade-bill and fund-flow-bill operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillInfo {
    /// Always `SHA1`.
    pub hash_type: String,
    /// Hex SHA-1 of the bill (of its un-gzipped content).
    pub hash_value: String,
    /// Where to download it (only its path and query are used).
    pub download_url: String,
}

impl BillInfo {
    /// A bill WeChat Pay described earlier (e.g. kept from a trade-bill
    /// answer): where it is and its SHA-1. The URL must be `https://` (or
    /// `http://`) and the hash 40 hex digits, so the two cannot be swapped
    /// unnoticed.
    pub fn new(download_url: impl Into<String>, sha1: impl Into<String>) -> Result<Self, Error> {
        let (download_url, hash_value) = (download_url.into(), sha1.into());
        if !(download_url.starts_with("https://") || download_url.starts_with("http://")) {
            return Err(Error::InvalidRequest(format!(
                "bill download URL {download_url:?} is not an http(s) URL"
            )));
        }
        if hash_value.len() != 40 || !hash_value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidRequest(format!(
                "bill hash {hash_value:?} is not a SHA-1 (40 hex digits)"
            )));
        }
        Ok(Self {
            hash_type: "SHA1".to_owned(),
            hash_value,
            download_url,
        })
    }
}

/// A bill being downloaded; yields the (un-gzipped) content chunk by chunk.
///
/// The hash is checked when the end is reached, so treat what you read as
/// tentative until [`chunk`](Self::chunk) has returned `Ok(None)`, or use
/// [`save_to`](Self::save_to), which only puts a checked file in place.
pub struct BillDownload {
    download: Download,
    hasher: Option<Sha1>,
    expected: String,
    gzip: Option<MultiGzDecoder<Vec<u8>>>,
    /// Compressed bytes received but not inflated yet.
    pending: Bytes,
    first: bool,
    inflated: u64,
    max_inflated: u64,
}

/// Inflation stops for a chunk once it has this much output, so however well
/// a bill compresses, memory stays bounded.
const CHUNK_BYTES: usize = 64 * 1024;

impl std::fmt::Debug for BillDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillDownload")
            .field("expected_sha1", &self.expected)
            .field("inflated", &self.inflated)
            .finish_non_exhaustive()
    }
}

fn gzip_error(e: std::io::Error) -> Error {
    Error::Decode {
        origin: Origin::Answer,
        message: format!("the bill is not valid gzip: {e}"),
        body_excerpt: String::new(),
        request_id: None,
    }
}

impl BillDownload {
    /// The next chunk of bill content (at most about 100 KiB), or `None`
    /// once the whole bill has been read and its SHA-1 matched. A mismatch
    /// is [`VerifyError::HashMismatch`]; more content than the client's
    /// [`max_inflated_bytes`](crate::ClientBuilder::max_inflated_bytes) is
    /// [`Error::BodyTooLarge`].
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if self.hasher.is_none() {
                return Ok(None);
            }
            if let Some(out) = self.inflate_pending()? {
                return self.emit(out);
            }
            match self.download.chunk().await? {
                Some(raw) => {
                    if std::mem::take(&mut self.first) && raw.starts_with(&[0x1f, 0x8b]) {
                        self.gzip = Some(MultiGzDecoder::new(Vec::new()));
                    }
                    if self.gzip.is_some() {
                        self.pending = raw;
                    } else if !raw.is_empty() {
                        return self.emit(raw);
                    }
                }
                None => {
                    if let Some(mut gz) = self.gzip.take() {
                        gz.try_finish().map_err(gzip_error)?;
                        let tail = std::mem::take(gz.get_mut());
                        if !tail.is_empty() {
                            return self.emit(Bytes::from(tail));
                        }
                    }
                    let actual = self.hasher.take().map(Sha1::finish_hex).unwrap_or_default();
                    if !actual.eq_ignore_ascii_case(&self.expected) {
                        return Err(Error::Verification {
                            origin: Origin::Answer,
                            reason: VerifyError::HashMismatch {
                                expected: self.expected.clone(),
                                actual,
                            },
                            request_id: None,
                        });
                    }
                    return Ok(None);
                }
            }
        }
    }

    /// Inflates pending compressed bytes until about [`CHUNK_BYTES`] of output
    /// (each `write` inflates into flate2's 32 KiB buffer at most).
    fn inflate_pending(&mut self) -> Result<Option<Bytes>, Error> {
        let Some(gz) = self.gzip.as_mut() else {
            return Ok(None);
        };
        let mut out = Vec::new();
        while !self.pending.is_empty() && out.len() < CHUNK_BYTES {
            let n = gz.write(&self.pending).map_err(gzip_error)?;
            if n == 0 {
                return Err(gzip_error(std::io::Error::other(
                    "data after the end of the gzip stream",
                )));
            }
            self.pending = self.pending.slice(n..);
            out.append(gz.get_mut());
        }
        Ok((!out.is_empty()).then(|| Bytes::from(out)))
    }

    fn emit(&mut self, out: Bytes) -> Result<Option<Bytes>, Error> {
        self.inflated += out.len() as u64;
        if self.inflated > self.max_inflated {
            return Err(Error::BodyTooLarge {
                origin: Origin::Answer,
                limit: usize::try_from(self.max_inflated).unwrap_or(usize::MAX),
            });
        }
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(&out);
        }
        Ok(Some(out))
    }

    /// Streams the bill into `path`: written to `path` + `.partial` first and
    /// renamed into place only after the hash matched (removed otherwise).
    /// Returns the bytes written.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        self.save_to_with_progress(path, |_| {}).await
    }

    /// [`save_to`](Self::save_to), calling `progress` with the number of
    /// bytes written so far after each chunk (e.g. to draw a progress bar).
    pub async fn save_to_with_progress(
        mut self,
        path: impl AsRef<Path>,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, Error> {
        use tokio::io::AsyncWriteExt;
        let path = path.as_ref();
        let partial = path.with_extension(match path.extension() {
            Some(ext) => format!("{}.partial", ext.to_string_lossy()),
            None => "partial".to_owned(),
        });
        let io = |e: std::io::Error| Error::Transport(Box::new(e));
        let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
        let mut written = 0u64;
        let result = async {
            while let Some(chunk) = self.chunk().await? {
                file.write_all(&chunk).await.map_err(io)?;
                written += chunk.len() as u64;
                progress(written);
            }
            file.flush().await.map_err(io)?;
            Ok::<_, Error>(())
        }
        .await;
        drop(file);
        match result {
            Ok(()) => {
                tokio::fs::rename(&partial, path).await.map_err(io)?;
                Ok(written)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(e)
            }
        }
    }
}

/// The operation that serves bill files (下载账单), unsigned by WeChat Pay.
const BILL_FILE: &str = "v3/billdownload/file";

/// A [`BillDownload`] as a [`tokio::io::AsyncRead`] (from
/// [`BillDownload::into_reader`]): the bill's content as it arrives, for
/// [`AsyncTradeBillReader`](super::AsyncTradeBillReader) and friends, or
/// `tokio::io::copy`. A download failure, a hash mismatch included, is an
/// `io::Error` whose inner error is the [`Error`]; the bill readers give it
/// back as [`BillError::Download`](super::BillError::Download).
pub struct BillDownloadReader {
    state: ReaderState,
}

type NextChunk = Pin<Box<dyn Future<Output = (BillDownload, Result<Option<Bytes>, Error>)> + Send>>;

enum ReaderState {
    /// Content received and not read yet.
    Idle(Box<BillDownload>, Bytes),
    Reading(NextChunk),
    Done,
}

impl std::fmt::Debug for BillDownloadReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillDownloadReader").finish_non_exhaustive()
    }
}

impl BillDownload {
    /// This download as a [`tokio::io::AsyncRead`] of the (un-gzipped) bill.
    pub fn into_reader(self) -> BillDownloadReader {
        BillDownloadReader {
            state: ReaderState::Idle(Box::new(self), Bytes::new()),
        }
    }
}

impl tokio::io::AsyncRead for BillDownloadReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, ReaderState::Done) {
                ReaderState::Idle(download, mut pending) => {
                    if !pending.is_empty() {
                        let n = buf.remaining().min(pending.len());
                        buf.put_slice(&pending[..n]);
                        let rest = pending.split_off(n);
                        this.state = ReaderState::Idle(download, rest);
                        return Poll::Ready(Ok(()));
                    }
                    let mut download = *download;
                    this.state = ReaderState::Reading(Box::pin(async move {
                        let next = download.chunk().await;
                        (download, next)
                    }));
                }
                ReaderState::Reading(mut next) => match next.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = ReaderState::Reading(next);
                        return Poll::Pending;
                    }
                    Poll::Ready((download, Ok(Some(chunk)))) => {
                        this.state = ReaderState::Idle(Box::new(download), chunk);
                    }
                    Poll::Ready((_, Ok(None))) => return Poll::Ready(Ok(())),
                    Poll::Ready((_, Err(e))) => return Poll::Ready(Err(std::io::Error::other(e))),
                },
                ReaderState::Done => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl Client {
    /// Starts downloading a bill described by a (verified) [`BillInfo`].
    pub async fn download_bill(&self, bill: &BillInfo) -> Result<BillDownload, Error> {
        if !bill.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(Error::InvalidRequest(format!(
                "unsupported bill hash type {:?} (expected SHA1)",
                bill.hash_type
            )));
        }
        // WeChat does not sign the bill file, only this operation's: its
        // SHA-1 from `bill` is checked instead.
        let request = DownloadRequest::from_url(&bill.download_url, FileAnswer::Unsigned)?;
        if request.path() != BILL_FILE {
            return Err(Error::InvalidRequest(format!(
                "a bill's download_url must name {BILL_FILE}, not {:?}",
                request.path()
            )));
        }
        let download = self.download(&request).await?;
        Ok(BillDownload {
            download,
            hasher: Some(Sha1::new()),
            expected: bill.hash_value.clone(),
            gzip: None,
            pending: Bytes::new(),
            first: true,
            inflated: 0,
            max_inflated: self.transport().max_inflated_bytes,
        })
    }
}
