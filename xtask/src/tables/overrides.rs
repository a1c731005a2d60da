//! What the generator takes from WeChat's documentation over the catalog:
//! required fields, published type names, hand-written operations and
//! documented body orders.

/// Fields the catalog marks optional that WeChat's typed documentation
/// requires: (method, path, field, where that is documented). The generator
/// makes them required (a `new` argument, not an `Option`) and checks that
/// each entry still names an optional field of the catalog.
pub const REQUIRED_OVERRIDES: &[(&str, &str, &str, &str)] = &[(
    "GET",
    "v3/ecommerce/profitsharing/after-sales-orders",
    "transaction_id",
    "收付通 请求售后服务分账结果: `sub_mchid` and `transaction_id` are both required query parameters",
)];

/// Type names the generator's rules do not give: those kept from the
/// hand-written seed modules, so code written against them still compiles,
/// and those the names audit fixed: (module, generated name, published name).
pub const TYPE_NAME_OVERRIDES: &[(&str, &str, &str)] = &[
    // The corrected amount of the four order queries (see ORDER_QUERIES).
    ("pay", "PartnerQueryOrderByIdAmount", "QueryOrderAmount"),
    (
        "ecommerce::profitsharing::after_sales_orders",
        "CreateAfterSalesOrderScene",
        "AfterSalesScene",
    ),
    (
        "ecommerce::profitsharing::after_sales_orders",
        "CreateAfterSalesOrderType",
        "AfterSalesType",
    ),
    (
        "ecommerce::profitsharing::after_sales_orders",
        "QueryAfterSalesOrderResult",
        "AfterSalesResult",
    ),
    (
        "ecommerce::profitsharing::returnorders",
        "ReturnOrderResult",
        "ReturnResult",
    ),
    (
        "ecommerce::profitsharing::returnorders",
        "ReturnOrderFailReason",
        "ReturnFailReason",
    ),
    // The names audit (`cargo xtask codegen --types`): a generic field word
    // (`type`, `state`) held by objects of several kinds, named here after
    // what its label says it holds.
    ("global", "GlobalType", "GlobalPromotionType"), // 优惠类型
    ("hk::v3", "HkType", "HkPromotionType"),         // 优惠类型
    ("payscore", "PayscoreState", "PayscoreServiceOrderState"), // 服务订单状态
    ("payscore", "PayscoreType", "PayscoreSceneType"), // 场景类型
    (
        "marketing::partner::product_coupon",
        "ProductCouponProductCouponState",
        "ProductCouponState",
    ), // 商品券状态
    (
        "profitsharing",
        "ProfitsharingReceiverType",
        "ProfitSharingReceiverType",
    ), // 分账接收方类型, as `ProfitSharingOrder` is spelt
    // The one-of enums (ONE_OF), named after what the chosen field names.
    ("pay::partner::transactions", "PrepayOpenid", "PayerOpenid"),
    (
        "refund::domestic::refunds",
        "CreateRefundOrder",
        "RefundedOrder",
    ),
    (
        "global::refunds",
        "CreateGlobalRefundsOrder",
        "RefundedOrder",
    ),
    ("hk::v3::refunds", "CreateHkRefundsOrder", "RefundedOrder"),
    (
        "profitsharing::return_orders",
        "CreateProfitSharingReturnOrderOrder",
        "SharingOrder",
    ),
    (
        "ecommerce::profitsharing::returnorders",
        "ReturnOrderOrder",
        "SharingOrder",
    ),
    (
        "brand::profitsharing::returnorders",
        "ProfitsharingReturnordersOrder",
        "SharingOrder",
    ),
];

/// Operations the generator skips (multipart uploads, file downloads, the
/// notification) that `wxpay-apis` types by hand beside the generated code:
/// (method, path, item under the crate root, whether it is compiled only
/// with its area's feature).
pub const HAND_WRITTEN: &[(&str, &str, &str, bool)] = &[
    (
        "GET",
        "v3/billdownload/file",
        "download::BillFileDownloadRequest",
        true,
    ),
    (
        "GET",
        "v3/transferdownload/signfile",
        "download::TransferReceiptDownloadRequest",
        true,
    ),
    (
        "GET",
        "v3/transferdownload/elecvoucherfile",
        "download::ElecVoucherDownloadRequest",
        true,
    ),
    (
        "GET",
        "v3/merchant-service/images/{media_id}",
        "download::ComplaintImageDownloadRequest",
        true,
    ),
    (
        "GET",
        "v3/global/merchant-service/images/{media_id}",
        "download::GlobalComplaintImageDownloadRequest",
        true,
    ),
    (
        "GET",
        "v3/global/statements",
        "download::GlobalStatementDownloadRequest",
        true,
    ),
    (
        "GET",
        "hk/v3/statements",
        "download::HkStatementDownloadRequest",
        true,
    ),
    ("POST", "v3/webhooks", "events", false),
    (
        "POST",
        "v3/marketing/bank/packages/{package_id}/tasks",
        "media::BankPackageTaskUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/ecommerce/account/cancel-applications/media",
        "media::CancelApplicationMediaUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/global/merchant-service/images/upload",
        "media::GlobalComplaintImageUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/global/merchant-storage/file/upload",
        "media::GlobalFileUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/marketing/partner/product-coupon/media/upload-image",
        "media::ProductCouponImageUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file",
        "media::FapiaoFileUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/taxi-invoice/cards/upload-file",
        "media::TaxiFapiaoFileUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/merchant/media/upload",
        "media::ImageUploadRequest",
        false,
    ),
    (
        "POST",
        "v3/merchant/media/video_upload",
        "media::VideoUploadRequest",
        false,
    ),
    (
        "POST",
        "v3/marketing/favor/media/image-upload",
        "media::MarketingImageUploadRequest",
        false,
    ),
    (
        "POST",
        "v3/merchant-service/images/upload",
        "media::ComplaintImageUploadRequest",
        false,
    ),
    (
        "POST",
        "v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload",
        "media::DueDiligenceFileUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload",
        "media::SubmissionFileUploadRequest",
        true,
    ),
    (
        "POST",
        "v3/marketing/shopping-receipt/shoppingreceipts",
        "media::ShoppingReceiptUploadRequest",
        true,
    ),
];

/// Body field orders the catalog lost (it sorts properties): the documented
/// order of the two seed bodies, which `tests/core/seeds.rs` checks byte for
/// byte. Fields not listed keep the catalog order after the listed ones.
pub const FIELD_ORDER: &[(&str, &str, &[&str])] = &[
    (
        "POST",
        "v3/ecommerce/profitsharing/after-sales-orders",
        &[
            "sub_mchid",
            "transaction_id",
            "amount",
            "refund_id",
            "scene",
            "type",
        ],
    ),
    (
        "POST",
        "v3/ecommerce/profitsharing/returnorders",
        &[
            "sub_mchid",
            // `order_id` or `out_order_no` (ONE_OF).
            "order",
            "out_return_no",
            "return_mchid",
            "amount",
            "description",
            "transaction_id",
        ],
    ),
];

/// The order queries, whose answers the catalog describes wrongly: its
/// schema reuses the prepay request's, so it lists request-only fields that
/// are never returned (and requires two of them), and it requires an
/// `amount` that a closed order does not carry, shaped so that an unpaid
/// one cannot decode (no `total`, `payer_total` required). WECHATPAY-
/// LIFECYCLE.md §1 (live captures and the official field lists) gives what
/// is returned, by state. The generator corrects these four answers before
/// anything else reads them, and fails if one no longer matches the catalog.
pub const ORDER_QUERIES: &[(&str, &str)] = &[
    ("GET", "v3/pay/transactions/id/{transaction_id}"),
    ("GET", "v3/pay/transactions/out-trade-no/{out_trade_no}"),
    ("GET", "v3/pay/partner/transactions/id/{transaction_id}"),
    (
        "GET",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}",
    ),
];

/// Fields of the prepay request that an order query never returns
/// (WECHATPAY-LIFECYCLE.md §1: "no capture and no official field list
/// contains them").
pub const REQUEST_ONLY_FIELDS: &[&str] = &[
    "description",
    "notify_url",
    "time_expire",
    "goods_tag",
    "detail",
    "limit_pay",
    "support_fapiao",
    "settle_info",
];

/// The H5 prepay requests, whose `scene_info` the catalog describes without
/// `payer_client_ip` and with nothing required. WeChat's H5下单 pages (direct
/// and partner; the catalog's own combined H5 prepay agrees) require
/// `scene_info.payer_client_ip` (用户终端IP, IPv4 or IPv6), `scene_info.h5_info`
/// and `h5_info.type`; the sandbox refuses an H5 prepay without them, as
/// WeChat does. The generator adds them before anything reads the catalog,
/// for the typed requests and the sandbox's schema alike, and fails if the
/// catalog gains `payer_client_ip` (fixed upstream: drop the entry).
pub const H5_PREPAYS: &[(&str, &str)] = &[
    ("POST", "v3/pay/transactions/h5"),
    ("POST", "v3/pay/partner/transactions/h5"),
];
