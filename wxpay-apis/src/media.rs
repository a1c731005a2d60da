//! Media uploads as typed operations (hand-written beside the generated code:
//! multipart requests go through [`Client::upload`], whose signature covers
//! the `meta` JSON only).
//!
//! ```no_run
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::media::ImageUploadRequest;
//! let jpeg = std::fs::read("shop-front.jpg").unwrap_or_default();
//! let media = ImageUploadRequest::new("shop-front.jpg", &jpeg).send(&client).await?;
//! println!("media_id {}", media.media_id);
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};
use wxpay_core::{Client, Error, Upload};

/// A `media_id` to reference an uploaded file in later requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaId {
    /// 媒体文件标识 Id
    pub media_id: String,
}

/// A `file_id` of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileId {
    /// 文件标识
    pub file_id: String,
}

/// A `fapiao_media_id` of an uploaded e-invoice file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FapiaoMediaId {
    /// 发票文件标识
    pub fapiao_media_id: String,
}

/// A `media_url` of an uploaded marketing image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaUrl {
    /// 媒体文件 URL
    pub media_url: String,
}

macro_rules! upload_operation {
    ($(#[$doc:meta])* $name:ident, $path:literal, $response:ty $(, feature = $feature:literal)?) => {
        $(#[$doc])*
        $(#[cfg(feature = $feature)] #[cfg_attr(docsrs, doc(cfg(feature = $feature)))])?
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name<'a> {
            /// The file name; its extension picks the content type (`.jpg`, `.png`, `.mp4` ...).
            pub filename: &'a str,
            /// The file's bytes.
            pub content: &'a [u8],
        }

        $(#[cfg(feature = $feature)])?
        impl<'a> $name<'a> {
            /// The request for one file, as the generated requests are built.
            pub fn new(filename: &'a str, content: &'a [u8]) -> Self {
                Self { filename, content }
            }

            #[doc = concat!("The operation's path: `POST /", $path, "`.")]
            pub const PATH: &'static str = $path;

            /// Uploads the file and decodes the verified answer.
            pub async fn send(&self, client: &Client) -> Result<$response, Error> {
                client
                    .upload(Self::PATH, &Upload::new(self.filename, self.content.to_vec()))
                    .await
            }
        }
    };
}

upload_operation!(
    /// 图片上传: `POST /v3/merchant/media/upload` (JPG, BMP, PNG; at most 2 MiB),
    /// e.g. for merchant applications.
    ImageUploadRequest,
    "v3/merchant/media/upload",
    MediaId
);

upload_operation!(
    /// 视频上传: `POST /v3/merchant/media/video_upload` (AVI, WMV, MPEG, MP4, MOV, MKV, FLV, F4V, M4V, RMVB; at most 5 MiB).
    VideoUploadRequest,
    "v3/merchant/media/video_upload",
    MediaId
);

upload_operation!(
    /// （营销）图片上传: `POST /v3/marketing/favor/media/image-upload` (coupon images).
    MarketingImageUploadRequest,
    "v3/marketing/favor/media/image-upload",
    MediaUrl
);

upload_operation!(
    /// 商户上传反馈图片: `POST /v3/merchant-service/images/upload` (consumer complaints).
    ComplaintImageUploadRequest,
    "v3/merchant-service/images/upload",
    MediaId
);

upload_operation!(
    /// 图片上传 (注销申请): `POST /v3/ecommerce/account/cancel-applications/media`
    /// (proof images of an e-commerce sub-merchant's account cancellation).
    CancelApplicationMediaUploadRequest,
    "v3/ecommerce/account/cancel-applications/media",
    MediaId,
    feature = "ecommerce"
);

upload_operation!(
    /// 商户上传反馈图片 (跨境): `POST /v3/global/merchant-service/images/upload`.
    GlobalComplaintImageUploadRequest,
    "v3/global/merchant-service/images/upload",
    MediaId,
    feature = "global"
);

upload_operation!(
    /// 上传文件 (跨境): `POST /v3/global/merchant-storage/file/upload`.
    GlobalFileUploadRequest,
    "v3/global/merchant-storage/file/upload",
    FileId,
    feature = "global"
);

upload_operation!(
    /// 图片上传 (商品券): `POST /v3/marketing/partner/product-coupon/media/upload-image`.
    ProductCouponImageUploadRequest,
    "v3/marketing/partner/product-coupon/media/upload-image",
    MediaUrl,
    feature = "marketing"
);

upload_operation!(
    /// 上传电子发票文件: `POST /v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file`.
    FapiaoFileUploadRequest,
    "v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file",
    FapiaoMediaId,
    feature = "new-tax-control-fapiao"
);

upload_operation!(
    /// 上传出租车电子发票文件: `POST /v3/taxi-invoice/cards/upload-file`.
    TaxiFapiaoFileUploadRequest,
    "v3/taxi-invoice/cards/upload-file",
    FapiaoMediaId,
    feature = "taxi-invoice"
);

/// 导入定向用户协议号: `POST /v3/marketing/bank/packages/{package_id}/tasks`,
/// a file of quick-payment agreement numbers added to a number package. The
/// bank type goes into `meta` beside `filename` and `sha256`; the answer is
/// the upload task, as the task list (`GET` on the same path) gives it.
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
#[doc(
    alias = "导入定向用户协议号API",
    alias = "POST v3/marketing/bank/packages/{package_id}/tasks"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BankPackageTaskUploadRequest<'a> {
    /// 号码包id (path). Example: `8473295`.
    pub package_id: &'a str,
    /// 银行类型, written into `meta`. Example: `ICBC_DEBIT`.
    pub bank_type: &'a str,
    /// The file name, e.g. `active_user.csv`.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

/// The required fields of [`BankPackageTaskUploadRequest`], each named where it is given:
/// `BankPackageTaskUploadRequest::new(BankPackageTaskUploadRequired { .. })`.
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
pub struct BankPackageTaskUploadRequired<'a> {
    /// 号码包id (path). Example: `8473295`.
    pub package_id: &'a str,
    /// 银行类型, written into `meta`. Example: `ICBC_DEBIT`.
    pub bank_type: &'a str,
    /// The file name, e.g. `active_user.csv`.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

#[cfg(feature = "marketing")]
impl<'a> BankPackageTaskUploadRequest<'a> {
    /// The operation's path template: `POST /v3/marketing/bank/packages/{package_id}/tasks`.
    pub const PATH_TEMPLATE: &'static str = "v3/marketing/bank/packages/{package_id}/tasks";

    /// The request from its required fields, each named (two texts side by
    /// side could swap unnoticed).
    pub fn new(required: BankPackageTaskUploadRequired<'a>) -> Self {
        let BankPackageTaskUploadRequired {
            package_id,
            bank_type,
            filename,
            content,
        } = required;
        Self {
            package_id,
            bank_type,
            filename,
            content,
        }
    }

    /// Uploads the file and decodes the verified answer. An empty
    /// `package_id`, `.` or `..` is refused.
    pub async fn send(
        &self,
        client: &Client,
    ) -> Result<crate::marketing::bank::packages::tasks::QueryBankPackagesTasksData, Error> {
        let mut path = wxpay_core::request::PathBuilder::new();
        path.literal("v3/marketing/bank/packages/");
        path.param("package_id", self.package_id)?;
        path.literal("/tasks");
        let upload = Upload::new(self.filename, self.content.to_vec())
            .meta_field("bank_type", self.bank_type)?;
        client.upload(&path.finish(), &upload).await
    }
}

/// 上传尽调资料文件: `POST /v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload`,
/// one file of an enhanced due diligence (the form part is `due_diligence_file`).
///
/// ```no_run
/// # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
/// use wxpay_apis::media::{DueDiligenceFileUploadRequest, DueDiligenceFileUploadRequired};
/// let pdf = std::fs::read("licence.pdf").unwrap_or_default();
/// let file = DueDiligenceFileUploadRequest::new(DueDiligenceFileUploadRequired {
///     due_diligence_id: "123000110_2_2190381dakdajois1283i12jo",
///     filename: "licence.pdf",
///     content: &pdf,
/// })
/// .send(&client)
/// .await?;
/// println!("file_id {}", file.file_id);
/// # Ok(()) }
/// ```
#[cfg(feature = "risk")]
#[cfg_attr(docsrs, doc(cfg(feature = "risk")))]
#[doc(
    alias = "上传尽调资料文件",
    alias = "POST v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DueDiligenceFileUploadRequest<'a> {
    /// 尽调单号 (path). Example: `123000110_2_2190381dakdajois1283i12jo`.
    pub due_diligence_id: &'a str,
    /// The file name; its extension picks the content type.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

/// The required fields of [`DueDiligenceFileUploadRequest`], each named where it is given:
/// `DueDiligenceFileUploadRequest::new(DueDiligenceFileUploadRequired { .. })`.
#[cfg(feature = "risk")]
#[cfg_attr(docsrs, doc(cfg(feature = "risk")))]
pub struct DueDiligenceFileUploadRequired<'a> {
    /// 尽调单号 (path). Example: `123000110_2_2190381dakdajois1283i12jo`.
    pub due_diligence_id: &'a str,
    /// The file name; its extension picks the content type.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

#[cfg(feature = "risk")]
impl<'a> DueDiligenceFileUploadRequest<'a> {
    /// The operation's path template.
    pub const PATH_TEMPLATE: &'static str =
        "v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload";

    /// The request from its required fields, each named (two texts side by
    /// side could swap unnoticed).
    pub fn new(required: DueDiligenceFileUploadRequired<'a>) -> Self {
        let DueDiligenceFileUploadRequired {
            due_diligence_id,
            filename,
            content,
        } = required;
        Self {
            due_diligence_id,
            filename,
            content,
        }
    }

    /// Uploads the file and decodes the verified answer. An empty
    /// `due_diligence_id`, `.` or `..` is refused.
    pub async fn send(&self, client: &Client) -> Result<FileId, Error> {
        let mut path = wxpay_core::request::PathBuilder::new();
        path.literal("v3/mch-operation-manage/enhanced-due-diligence/");
        path.param("due_diligence_id", self.due_diligence_id)?;
        path.literal("/upload");
        let upload =
            Upload::new(self.filename, self.content.to_vec()).file_part("due_diligence_file");
        client.upload(&path.finish(), &upload).await
    }
}

/// 上传商户提交资料文件: `POST /v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload`,
/// one file for an item of a merchant management record. `item_id` and
/// `manage_record_id` travel as form fields of their own beside `meta` and
/// the `submission_file` part (WeChat Pay signs `meta` only).
#[cfg(feature = "risk")]
#[cfg_attr(docsrs, doc(cfg(feature = "risk")))]
#[doc(
    alias = "上传商户提交资料文件",
    alias = "POST v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubmissionFileUploadRequest<'a> {
    /// 子商户号 (path). Example: `123000110`.
    pub sub_mchid: &'a str,
    /// 资料项唯一id (form field). Example: `56`.
    pub item_id: i64,
    /// 商户管理记录ID (form field). Example: `56`.
    pub manage_record_id: &'a str,
    /// The file name; its extension picks the content type.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

/// The required fields of [`SubmissionFileUploadRequest`], each named where it is given:
/// `SubmissionFileUploadRequest::new(SubmissionFileUploadRequired { .. })`.
#[cfg(feature = "risk")]
#[cfg_attr(docsrs, doc(cfg(feature = "risk")))]
pub struct SubmissionFileUploadRequired<'a> {
    /// 子商户号 (path). Example: `123000110`.
    pub sub_mchid: &'a str,
    /// 资料项唯一id (form field). Example: `56`.
    pub item_id: i64,
    /// 商户管理记录ID (form field). Example: `56`.
    pub manage_record_id: &'a str,
    /// The file name; its extension picks the content type.
    pub filename: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

#[cfg(feature = "risk")]
impl<'a> SubmissionFileUploadRequest<'a> {
    /// The operation's path template.
    pub const PATH_TEMPLATE: &'static str =
        "v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload";

    /// The request from its required fields, each named (two texts side by
    /// side could swap unnoticed).
    pub fn new(required: SubmissionFileUploadRequired<'a>) -> Self {
        let SubmissionFileUploadRequired {
            sub_mchid,
            item_id,
            manage_record_id,
            filename,
            content,
        } = required;
        Self {
            sub_mchid,
            item_id,
            manage_record_id,
            filename,
            content,
        }
    }

    /// Uploads the file and decodes the verified answer. An empty
    /// `sub_mchid`, `.` or `..` is refused.
    pub async fn send(&self, client: &Client) -> Result<FileId, Error> {
        let mut path = wxpay_core::request::PathBuilder::new();
        path.literal("v3/mch-manage/submission-files/sub-mchid/");
        path.param("sub_mchid", self.sub_mchid)?;
        path.literal("/upload");
        let upload = Upload::new(self.filename, self.content.to_vec())
            .file_part("submission_file")
            .form_field("item_id", self.item_id.to_string())
            .form_field("manage_record_id", self.manage_record_id);
        client.upload(&path.finish(), &upload).await
    }
}

/// 上传电子小票: `POST /v3/marketing/shopping-receipt/shoppingreceipts`, a
/// receipt image (PNG or JPG, at most 200 KB) shown with a paid order. Its
/// `meta` names the order instead of the file (no `filename`); the
/// after-sales phone number is encrypted by `send`, which also sends
/// `Wechatpay-Serial` (the operation requires it).
///
/// ```no_run
/// # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
/// use wxpay_apis::media::{ShoppingReceiptUploadRequest, ShoppingReceiptUploadRequired};
/// use wxpay_core::sensitive::Sensitive;
/// let png = std::fs::read("receipt.png").unwrap_or_default();
/// let mut request = ShoppingReceiptUploadRequest::new(ShoppingReceiptUploadRequired {
///     transaction_id: "1217752501201407033233368018",
///     openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
///     filename: "receipt.png",
///     content: &png,
/// });
/// request.consultation_phone_number = Some(Sensitive::new("0755-86013388"));
/// let answer = request.send(&client).await?;
/// println!("receipt {} is {}", answer.receipt.receipt_id, answer.receipt.state);
/// # Ok(()) }
/// ```
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
#[doc(
    alias = "上传电子小票",
    alias = "POST v3/marketing/shopping-receipt/shoppingreceipts"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShoppingReceiptUploadRequest<'a> {
    /// 微信支付订单的交易单号 (meta, required): the order the receipt belongs to.
    pub transaction_id: &'a str,
    /// 微信支付订单中OpenID (meta, required).
    pub openid: &'a str,
    /// The file name; its extension picks the content type (`.png`, `.jpg`).
    pub filename: &'a str,
    /// The image's bytes.
    pub content: &'a [u8],
    /// 微信支付订单的下单商户号 (meta, optional).
    pub transaction_mchid: Option<&'a str>,
    /// 微信支付订单的下单子商户号 (meta, optional).
    pub transaction_sub_mchid: Option<&'a str>,
    /// 微信支付订单的商户订单号 (meta, optional).
    pub out_trade_no: Option<&'a str>,
    /// 品牌售后部门的咨询电话 (meta `merchant_contact_information`, optional,
    /// sensitive: encrypted by `send`).
    pub consultation_phone_number: Option<wxpay_core::sensitive::Sensitive<&'a str>>,
    /// 上传时间 (meta, optional), RFC 3339: orders uploads of one order.
    pub upload_time: Option<&'a str>,
}

/// The required fields of [`ShoppingReceiptUploadRequest`], each named where it is given:
/// `ShoppingReceiptUploadRequest::new(ShoppingReceiptUploadRequired { .. })`.
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
pub struct ShoppingReceiptUploadRequired<'a> {
    /// 微信支付订单的交易单号 (meta, required): the order the receipt belongs to.
    pub transaction_id: &'a str,
    /// 微信支付订单中OpenID (meta, required).
    pub openid: &'a str,
    /// The file name; its extension picks the content type (`.png`, `.jpg`).
    pub filename: &'a str,
    /// The image's bytes.
    pub content: &'a [u8],
}

#[cfg(feature = "marketing")]
impl<'a> ShoppingReceiptUploadRequest<'a> {
    /// The operation's path.
    pub const PATH: &'static str = "v3/marketing/shopping-receipt/shoppingreceipts";

    /// The request from its required fields (the order's `transaction_id`
    /// and payer `openid`, then the image), each named.
    pub fn new(required: ShoppingReceiptUploadRequired<'a>) -> Self {
        let ShoppingReceiptUploadRequired {
            transaction_id,
            openid,
            filename,
            content,
        } = required;
        Self {
            transaction_id,
            openid,
            filename,
            content,
            transaction_mchid: None,
            transaction_sub_mchid: None,
            out_trade_no: None,
            consultation_phone_number: None,
            upload_time: None,
        }
    }

    /// Uploads the receipt and decodes the verified answer.
    pub async fn send(&self, client: &Client) -> Result<ShoppingReceiptUploadResponse, Error> {
        let mut upload = Upload::new(self.filename, self.content.to_vec())
            .without_meta_filename()
            .wechatpay_serial()
            .meta_field("transaction_id", self.transaction_id)?
            .meta_field("openid", self.openid)?;
        for (name, value) in [
            ("transaction_mchid", self.transaction_mchid),
            ("transaction_sub_mchid", self.transaction_sub_mchid),
            ("out_trade_no", self.out_trade_no),
            ("upload_time", self.upload_time),
        ] {
            if let Some(value) = value {
                upload = upload.meta_field(name, value)?;
            }
        }
        if let Some(phone) = self.consultation_phone_number {
            upload = upload.sensitive_meta_field(
                &["merchant_contact_information", "consultation_phone_number"],
                wxpay_core::sensitive::Sensitive::new((*phone.expose()).to_owned()),
            );
        }
        client.upload(Self::PATH, &upload).await
    }
}

/// The answer to [`ShoppingReceiptUploadRequest`].
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShoppingReceiptUploadResponse {
    /// 电子小票上传信息
    pub receipt: ShoppingReceipt,
}

/// An uploaded shopping receipt.
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShoppingReceipt {
    /// 电子小票ID. Example: `121630001`.
    pub receipt_id: String,
    /// 电子小票图片审核状态: `WAIT_REVIEW`, `PASS_REVIEW` or `NOT_PASS_REVIEW`.
    pub state: String,
    /// 微信支付订单的交易单号
    pub transaction_id: String,
    /// 微信支付订单的商户号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_mchid: Option<String>,
    /// 微信支付订单的子商户号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_sub_mchid: Option<String>,
    /// 微信支付订单中OpenID
    pub openid: String,
    /// 图片文件的文件摘要 (SHA-256, hex)
    pub sha256: String,
    /// 标识电子小票图片类型, e.g. `PNG`.
    pub image_type: String,
    /// 电子小票创建的时间 (RFC 3339)
    pub create_time: String,
    /// 电子小票最后一次修改时间 (RFC 3339)
    pub modify_time: String,
    /// 电子小票归属品牌的ID
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<i64>,
    /// 用户与商家的联系渠道
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_contact_information: Option<ShoppingReceiptContact>,
    /// 上传时间 (RFC 3339), when the upload gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<String>,
}

/// 用户与商家的联系渠道 of an uploaded receipt.
#[cfg(feature = "marketing")]
#[cfg_attr(docsrs, doc(cfg(feature = "marketing")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShoppingReceiptContact {
    /// 品牌售后部门的咨询电话, encrypted: [`Encrypted::decrypt`](wxpay_core::sensitive::Encrypted::decrypt) reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation_phone_number: Option<wxpay_core::sensitive::Encrypted>,
}
