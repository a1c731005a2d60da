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

#[cfg(feature = "marketing")]
impl<'a> BankPackageTaskUploadRequest<'a> {
    /// The operation's path template: `POST /v3/marketing/bank/packages/{package_id}/tasks`.
    pub const PATH_TEMPLATE: &'static str = "v3/marketing/bank/packages/{package_id}/tasks";

    /// The request: the path parameter, the bank type, then the file.
    pub fn new(
        package_id: &'a str,
        bank_type: &'a str,
        filename: &'a str,
        content: &'a [u8],
    ) -> Self {
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
        let mut path = wxpay_core::PathBuilder::new();
        path.literal("v3/marketing/bank/packages/");
        path.param("package_id", self.package_id)?;
        path.literal("/tasks");
        let upload = Upload::new(self.filename, self.content.to_vec())
            .meta_field("bank_type", self.bank_type)?;
        client.upload(&path.finish(), &upload).await
    }
}
