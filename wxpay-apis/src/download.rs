//! File downloads as typed operations (hand-written beside the generated
//! code: a file is not JSON, so they go through [`Client::download`], which
//! streams the body under the client's download limit and timeout).
//!
//! Each request binds its path and query parameters exactly as the
//! generated requests do (one percent-encoded path segment per parameter,
//! `None` left out of the query), sends to the client's base URL only, and
//! answers a streamed [`Download`]. Each operation states how WeChat Pay
//! vouches for its file ([`FileAnswer`]): bill, transfer-receipt and
//! complaint-image files are unsigned by WeChat Pay (check a bill against the SHA-1 its
//! signed answer gave, or use
//! [`Client::download_bill`](wxpay_core::Client::download_bill)); the
//! cross-border statements carry a signed SHA-1 header, which the client
//! checks against the body before `send` returns.
//!
//! ```no_run
//! # #[cfg(feature = "merchant-service")]
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::download::ComplaintImageDownloadRequest;
//!
//! let mut image = ComplaintImageDownloadRequest::new("ChsyMDIzMDEwMTA4MDA3NjYxMDAwMBIy")
//!     .send(&client)
//!     .await?;
//! while let Some(chunk) = image.chunk().await? {
//!     // write `chunk` somewhere
//! #   let _ = chunk;
//! }
//! # Ok(()) }
//! ```

#[allow(unused_imports)]
use wxpay_core::{
    request::{PathBuilder, QueryBuilder},
    Client, Download, DownloadRequest, EncodeContext, Error, FileAnswer,
};

/// Sends one download: `path` (already bound) and the `query` pairs that
/// have a value to the client's base URL, the answer vouched for as the
/// operation says. One copy for every request here.
#[allow(dead_code)]
async fn fetch(
    client: &Client,
    path: PathBuilder,
    query: &[(&str, Option<&str>)],
    answer: FileAnswer,
) -> Result<Download, Error> {
    let cx = EncodeContext::detached();
    let mut encoded = QueryBuilder::new(&cx);
    for (name, value) in query {
        if let Some(value) = value {
            encoded.pair(name, value);
        }
    }
    let request = DownloadRequest::new(path.finish(), encoded.finish(), answer);
    client.download(&request).await
}

/// 下载账单: `GET /v3/billdownload/file`, the file behind a bill answer's
/// `download_url` (its `token`). Unsigned: compare it with the answer's
/// SHA-1, or let [`Client::download_bill`](wxpay_core::Client::download_bill)
/// do both steps.
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[doc(alias = "下载账单API", alias = "GET v3/billdownload/file")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BillFileDownloadRequest<'a> {
    /// `token` of the `download_url` (query, required).
    pub token: &'a str,
    /// `tartype`, e.g. `GZIP` (query, optional).
    pub tartype: Option<&'a str>,
}

#[cfg(feature = "pay")]
impl<'a> BillFileDownloadRequest<'a> {
    /// The operation's path: `GET /v3/billdownload/file`.
    pub const PATH: &'static str = "v3/billdownload/file";

    /// The request for one token; `tartype` starts as `None`.
    pub fn new(token: &'a str) -> Self {
        Self {
            token,
            tartype: None,
        }
    }

    /// Starts the download.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal(Self::PATH);
        let query = [("token", Some(self.token)), ("tartype", self.tartype)];
        fetch(client, path, &query, FileAnswer::Unsigned).await
    }
}

/// 下载电子回单 (转账): `GET /v3/transferdownload/signfile`, the receipt file
/// behind a receipt answer's `download_url` (its `token`). Unsigned: compare
/// it with the hash the (verified) receipt answer gave.
#[cfg(feature = "transfer")]
#[cfg_attr(docsrs, doc(cfg(feature = "transfer")))]
#[doc(alias = "下载电子回单API", alias = "GET v3/transferdownload/signfile")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferReceiptDownloadRequest<'a> {
    /// `token` of the `download_url` (query, required). Example: `X8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuD`.
    pub token: &'a str,
}

#[cfg(feature = "transfer")]
impl<'a> TransferReceiptDownloadRequest<'a> {
    /// The operation's path: `GET /v3/transferdownload/signfile`.
    pub const PATH: &'static str = "v3/transferdownload/signfile";

    /// The request for one token.
    pub fn new(token: &'a str) -> Self {
        Self { token }
    }

    /// Starts the download.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal(Self::PATH);
        fetch(
            client,
            path,
            &[("token", Some(self.token))],
            FileAnswer::Unsigned,
        )
        .await
    }
}

/// 下载电子回单 (电子签章): `GET /v3/transferdownload/elecvoucherfile`, the
/// file behind an electronic voucher's `download_url` (its `token` and
/// `source`). Unsigned: compare it with the hash the voucher answer gave.
#[cfg(feature = "transfer")]
#[cfg_attr(docsrs, doc(cfg(feature = "transfer")))]
#[doc(
    alias = "下载电子回单API",
    alias = "GET v3/transferdownload/elecvoucherfile"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElecVoucherDownloadRequest<'a> {
    /// `token` of the `download_url` (query, required). Example: `X8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuD`.
    pub token: &'a str,
    /// `source` of the `download_url` (query, required). Example: `elecsign`.
    pub source: &'a str,
}

/// The required fields of [`ElecVoucherDownloadRequest`], each named where it is given:
/// `ElecVoucherDownloadRequest::new(ElecVoucherDownloadRequired { .. })`.
#[cfg(feature = "transfer")]
#[cfg_attr(docsrs, doc(cfg(feature = "transfer")))]
pub struct ElecVoucherDownloadRequired<'a> {
    /// `token` of the `download_url` (query, required). Example: `X8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuD`.
    pub token: &'a str,
    /// `source` of the `download_url` (query, required). Example: `elecsign`.
    pub source: &'a str,
}

#[cfg(feature = "transfer")]
impl<'a> ElecVoucherDownloadRequest<'a> {
    /// The operation's path: `GET /v3/transferdownload/elecvoucherfile`.
    pub const PATH: &'static str = "v3/transferdownload/elecvoucherfile";

    /// The request for the `token` and `source` of a `download_url`, each named.
    pub fn new(required: ElecVoucherDownloadRequired<'a>) -> Self {
        let ElecVoucherDownloadRequired { token, source } = required;
        Self { token, source }
    }

    /// Starts the download.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal(Self::PATH);
        let query = [("token", Some(self.token)), ("source", Some(self.source))];
        fetch(client, path, &query, FileAnswer::Unsigned).await
    }
}

/// 图片下载 (消费者投诉): `GET /v3/merchant-service/images/{media_id}`, an
/// image a complaint carries (its `media_id`, from the complaint's image
/// URL). Unsigned by WeChat Pay.
#[cfg(feature = "merchant-service")]
#[cfg_attr(docsrs, doc(cfg(feature = "merchant-service")))]
#[doc(
    alias = "图片下载API",
    alias = "GET v3/merchant-service/images/{media_id}"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComplaintImageDownloadRequest<'a> {
    /// 媒体文件ID (path). Example: `xxxxx`.
    pub media_id: &'a str,
}

#[cfg(feature = "merchant-service")]
impl<'a> ComplaintImageDownloadRequest<'a> {
    /// The operation's path template: `GET /v3/merchant-service/images/{media_id}`.
    pub const PATH_TEMPLATE: &'static str = "v3/merchant-service/images/{media_id}";

    /// The request for one image.
    pub fn new(media_id: &'a str) -> Self {
        Self { media_id }
    }

    /// Starts the download. An empty `media_id`, `.` or `..` is refused.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal("v3/merchant-service/images/");
        path.param("media_id", self.media_id)?;
        fetch(client, path, &[], FileAnswer::Unsigned).await
    }
}

/// 图片下载 (跨境消费者投诉): `GET /v3/global/merchant-service/images/{media_id}`.
/// Unsigned by WeChat Pay.
#[cfg(feature = "global")]
#[cfg_attr(docsrs, doc(cfg(feature = "global")))]
#[doc(
    alias = "图片下载API",
    alias = "GET v3/global/merchant-service/images/{media_id}"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GlobalComplaintImageDownloadRequest<'a> {
    /// 媒体文件ID (path). Example: `xxxxx`.
    pub media_id: &'a str,
    /// 投诉单号 (query, required). Example: `200201820200101080076610000`.
    pub complaint_id: &'a str,
}

/// The required fields of [`GlobalComplaintImageDownloadRequest`], each named where it is given:
/// `GlobalComplaintImageDownloadRequest::new(GlobalComplaintImageDownloadRequired { .. })`.
#[cfg(feature = "global")]
#[cfg_attr(docsrs, doc(cfg(feature = "global")))]
pub struct GlobalComplaintImageDownloadRequired<'a> {
    /// 媒体文件ID (path). Example: `xxxxx`.
    pub media_id: &'a str,
    /// 投诉单号 (query, required). Example: `200201820200101080076610000`.
    pub complaint_id: &'a str,
}

#[cfg(feature = "global")]
impl<'a> GlobalComplaintImageDownloadRequest<'a> {
    /// The operation's path template: `GET /v3/global/merchant-service/images/{media_id}`.
    pub const PATH_TEMPLATE: &'static str = "v3/global/merchant-service/images/{media_id}";

    /// The request for one image of one complaint, each id named.
    pub fn new(required: GlobalComplaintImageDownloadRequired<'a>) -> Self {
        let GlobalComplaintImageDownloadRequired {
            media_id,
            complaint_id,
        } = required;
        Self {
            media_id,
            complaint_id,
        }
    }

    /// Starts the download. An empty `media_id`, `.` or `..` is refused.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal("v3/global/merchant-service/images/");
        path.param("media_id", self.media_id)?;
        let query = [("complaint_id", Some(self.complaint_id))];
        fetch(client, path, &query, FileAnswer::Unsigned).await
    }
}

/// 下载对账单 (跨境): `GET /v3/global/statements`. WeChat Pay signs the
/// file's SHA-1 in a header: the client reads the file (under its response
/// size limit) and checks that signature and the body's SHA-1 before `send`
/// returns.
#[cfg(feature = "global")]
#[cfg_attr(docsrs, doc(cfg(feature = "global")))]
#[doc(alias = "下载对账单", alias = "GET v3/global/statements")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GlobalStatementDownloadRequest<'a> {
    /// 账单日期 (query, required). Example: `20180130`.
    pub date: &'a str,
    /// 商户号 (query, optional). Example: `1900000109`.
    pub mchid: Option<&'a str>,
    /// 机构商户号 (query, optional). Example: `1900000100`.
    pub sp_mchid: Option<&'a str>,
    /// 子商户号 (query, optional). Example: `1900000109`.
    pub sub_mchid: Option<&'a str>,
}

#[cfg(feature = "global")]
impl<'a> GlobalStatementDownloadRequest<'a> {
    /// The operation's path: `GET /v3/global/statements`.
    pub const PATH: &'static str = "v3/global/statements";

    /// The request for one day (`yyyyMMdd`); the merchant ids start as `None`.
    pub fn new(date: &'a str) -> Self {
        Self {
            date,
            mchid: None,
            sp_mchid: None,
            sub_mchid: None,
        }
    }

    /// Starts the download.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal(Self::PATH);
        let query = [
            ("date", Some(self.date)),
            ("mchid", self.mchid),
            ("sp_mchid", self.sp_mchid),
            ("sub_mchid", self.sub_mchid),
        ];
        fetch(client, path, &query, FileAnswer::StatementSha1).await
    }
}

/// 下载对账单 (香港): `GET /hk/v3/statements`. WeChat Pay signs the file's
/// SHA-1 in a header: the client reads the file (under its response size
/// limit) and checks that signature and the body's SHA-1 before `send`
/// returns.
#[cfg(feature = "hk")]
#[cfg_attr(docsrs, doc(cfg(feature = "hk")))]
#[doc(alias = "下载对账单", alias = "GET hk/v3/statements")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HkStatementDownloadRequest<'a> {
    /// 账单日期 (query, required). Example: `20180130`.
    pub date: &'a str,
    /// 商户号 (query, optional). Example: `1900000109`.
    pub mchid: Option<&'a str>,
}

#[cfg(feature = "hk")]
impl<'a> HkStatementDownloadRequest<'a> {
    /// The operation's path: `GET /hk/v3/statements`.
    pub const PATH: &'static str = "hk/v3/statements";

    /// The request for one day (`yyyyMMdd`); `mchid` starts as `None`.
    pub fn new(date: &'a str) -> Self {
        Self { date, mchid: None }
    }

    /// Starts the download.
    pub async fn send(&self, client: &Client) -> Result<Download, Error> {
        let mut path = PathBuilder::new();
        path.literal(Self::PATH);
        let query = [("date", Some(self.date)), ("mchid", self.mchid)];
        fetch(client, path, &query, FileAnswer::StatementSha1).await
    }
}
