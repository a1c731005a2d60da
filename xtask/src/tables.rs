//! The hand-kept decisions of the generator: which cargo feature each
//! top-level area belongs to, and the few names and orders the catalog
//! cannot give. Everything else comes from the catalog.

/// A cargo feature of `wxpay-apis`: its name, a one-line description, and the
/// top-level path areas (first segment after `v3/`, or `hk` / `global` for
/// `hk/v3/...` and `global/v3/...`) it turns on.
pub struct Feature {
    pub name: &'static str,
    pub doc: &'static str,
    pub areas: &'static [&'static str],
}

/// Areas with about eight or more operations have a feature of their own,
/// named after the area; the smaller ones are grouped by business. Every
/// area of the catalog must appear exactly once (the generator checks).
pub const FEATURES: &[Feature] = &[
    Feature {
        name: "pay",
        doc: "基础支付: payments (JSAPI, APP, H5, Native, mini program), combined payments, bills",
        areas: &["pay", "combine-transactions", "bill", "billdownload"],
    },
    Feature {
        name: "refund",
        doc: "基础支付∙退款: domestic refunds",
        areas: &["refund"],
    },
    Feature {
        name: "profitsharing",
        doc: "资金应用∙分账: profit sharing",
        areas: &["profitsharing"],
    },
    Feature {
        name: "ecommerce",
        doc: "收付通: the e-commerce platform product, its withdrawals, abnormal funds and outbound funds",
        areas: &[
            "ecommerce",
            "mch_operate",
            "abnormal-fund-processing",
            "funds-to-oversea",
        ],
    },
    Feature {
        name: "marketing",
        doc: "营销工具 / 运营工具: coupons, member cards, activities, consumption gold",
        areas: &["marketing", "industry-coupon", "multiuse"],
    },
    Feature {
        name: "payscore",
        doc: "支付分: WeChat Pay Score services and the discount card (先享卡)",
        areas: &["payscore", "discount-card"],
    },
    Feature {
        name: "global",
        doc: "跨境: cross-border payments (`v3/global/...` and `global/v3/...`)",
        areas: &["global"],
    },
    Feature {
        name: "hk",
        doc: "跨境 (香港): `hk/v3/...`",
        areas: &["hk"],
    },
    Feature {
        name: "platsolution",
        doc: "平台解决方案: platform solutions",
        areas: &["platsolution"],
    },
    Feature {
        name: "brand",
        doc: "品牌 / 商家名片: brands, brand stores, member cards",
        areas: &["brand", "brand-basic"],
    },
    Feature {
        name: "fund-app",
        doc: "资金应用: merchant transfers, brand red packets",
        areas: &["fund-app"],
    },
    Feature {
        name: "papay",
        doc: "委托代扣: entrusted (contract) payments",
        areas: &["papay", "partner-papay"],
    },
    Feature {
        name: "gov",
        doc: "国补专区: government subsidies",
        areas: &["gov"],
    },
    Feature {
        name: "new-tax-control-fapiao",
        doc: "电子发票: e-invoices (fapiao)",
        areas: &["new-tax-control-fapiao"],
    },
    Feature {
        name: "taxi-invoice",
        doc: "出租车电子发票: taxi e-invoices",
        areas: &["taxi-invoice"],
    },
    Feature {
        name: "merchant-service",
        doc: "风险合规∙消费者投诉: consumer complaints",
        areas: &["merchant-service"],
    },
    Feature {
        name: "webizpay",
        doc: "企业支付: enterprise payments",
        areas: &["webizpay"],
    },
    Feature {
        name: "aggracct-bc",
        doc: "渠道服务: channel accounts",
        areas: &["aggracct-bc"],
    },
    Feature {
        name: "parking",
        doc: "停车缴费服务: parking fees",
        areas: &["parking"],
    },
    Feature {
        name: "vehicle",
        doc: "ETC授权扣费 / 支付分停车: vehicle (ETC, parking) deductions",
        areas: &["vehicle"],
    },
    Feature {
        name: "password-exempt-contract",
        doc: "免密支付: password-free payment contracts",
        areas: &["password-exempt-contract"],
    },
    Feature {
        name: "payroll-card",
        doc: "运营工具∙用工卡: payroll card",
        areas: &["payroll-card"],
    },
    Feature {
        name: "merchant",
        doc: "商户资金: balances and withdrawals (`v3/merchant/...`)",
        areas: &["merchant"],
    },
    Feature {
        name: "repayment",
        doc: "自动还款 / 还款支付: credit card repayment",
        areas: &["credit-repayment", "repayment"],
    },
    Feature {
        name: "education",
        doc: "教育续费通 / 校园轻松付 / 学生卡: education payments",
        areas: &["edu-papay", "eduschoolpay", "edu-star"],
    },
    Feature {
        name: "face-pay",
        doc: "刷脸支付 / 微信刷掌: face and palm payments, IoT devices",
        areas: &[
            "offlineface",
            "offlinefacemch",
            "facemch",
            "iotmanage",
            "palmservice",
        ],
    },
    Feature {
        name: "transfer",
        doc: "资金应用∙转账: batch and bank transfers, receipts, income records, recharges",
        areas: &[
            "transfer",
            "bank-transfer",
            "partner-transfer",
            "bank-batch-transfer",
            "transfer-detail",
            "transferdownload",
            "merchantfund",
            "recharge",
        ],
    },
    Feature {
        name: "onboarding",
        doc: "进件与商户资料: sub-merchant applications, settlement accounts, super-admin changes, fee-rate activities",
        areas: &[
            "applyment4sub",
            "apply4sub",
            "apply4subject",
            "mchalterapply",
            "merchant-settlement",
            "rate-activity",
        ],
    },
    Feature {
        name: "risk",
        doc: "风险合规 / 风险管理: risk notices, merchant management records, due diligence, transaction blocks",
        areas: &[
            "merchant-risk-manage",
            "compliance",
            "mch-manage",
            "mch-operation-manage",
            "transaction-block",
        ],
    },
    Feature {
        name: "business-tools",
        doc: "经营工具: stores, gold plan, business circles, smart guides, pay devices, catering",
        areas: &[
            "merchant-store",
            "goldplan",
            "businesscircle",
            "smartguide",
            "pay-devices",
            "industry-rebate",
            "catering",
        ],
    },
    Feature {
        name: "industry",
        doc: "行业方案: e-bikes, insurance policies, medical insurance, power banks, charity meals, transit QR codes, express",
        areas: &[
            "ebike",
            "inspolicymgr",
            "med-ins",
            "hire-power-bank",
            "lovefeast",
            "qrcode",
            "express",
        ],
    },
    Feature {
        name: "common",
        doc: "通用接口: platform certificates, bank and region lookups, real-name check, signature echo test",
        areas: &["certificates", "capital", "realname", "security", "webhooks"],
    },
];

/// Operation names the catalog cannot give, or gives in a form nobody would
/// guess. The seed operations keep the names they were published with;
/// `POST .../return-advance` is required to be `ReturnAdvanceRequest`.
pub const NAME_OVERRIDES: &[(&str, &str, &str)] = &[
    (
        "POST",
        "v3/ecommerce/refunds/{refund_id}/return-advance",
        "ReturnAdvance",
    ),
    (
        "POST",
        "v3/ecommerce/profitsharing/after-sales-orders",
        "CreateAfterSalesOrder",
    ),
    (
        "GET",
        "v3/ecommerce/profitsharing/after-sales-orders",
        "QueryAfterSalesOrder",
    ),
    (
        "POST",
        "v3/ecommerce/profitsharing/returnorders",
        "CreateReturnOrder",
    ),
    (
        "GET",
        "v3/ecommerce/profitsharing/returnorders",
        "QueryReturnOrder",
    ),
    // The operations most programs call, named as the official English docs
    // and SDKs say them (`wxpay-apis/tests/names.rs` pins these names).
    ("POST", "v3/pay/transactions/jsapi", "JsapiPrepay"),
    ("POST", "v3/pay/transactions/app", "AppPrepay"),
    ("POST", "v3/pay/transactions/h5", "H5Prepay"),
    ("POST", "v3/pay/transactions/native", "NativePrepay"),
    ("POST", "v3/pay/transactions/codepay", "CodePay"),
    (
        "GET",
        "v3/pay/transactions/id/{transaction_id}",
        "QueryOrderById",
    ),
    (
        "GET",
        "v3/pay/transactions/out-trade-no/{out_trade_no}",
        "QueryOrderByOutTradeNo",
    ),
    (
        "POST",
        "v3/pay/transactions/out-trade-no/{out_trade_no}/close",
        "CloseOrder",
    ),
    (
        "POST",
        "v3/pay/transactions/out-trade-no/{out_trade_no}/reverse",
        "ReverseOrder",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/jsapi",
        "PartnerJsapiPrepay",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/app",
        "PartnerAppPrepay",
    ),
    ("POST", "v3/pay/partner/transactions/h5", "PartnerH5Prepay"),
    (
        "POST",
        "v3/pay/partner/transactions/native",
        "PartnerNativePrepay",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/miniprogram",
        "PartnerMiniProgramPrepay",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/codepay",
        "PartnerCodePay",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/scannedpos",
        "PartnerScannedPosPrepay",
    ),
    (
        "GET",
        "v3/pay/partner/transactions/id/{transaction_id}",
        "PartnerQueryOrderById",
    ),
    (
        "GET",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}",
        "PartnerQueryOrderByOutTradeNo",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close",
        "PartnerCloseOrder",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}/reverse",
        "PartnerReverseOrder",
    ),
    (
        "POST",
        "v3/combine-transactions/jsapi",
        "CombineJsapiPrepay",
    ),
    ("POST", "v3/combine-transactions/app", "CombineAppPrepay"),
    ("POST", "v3/combine-transactions/h5", "CombineH5Prepay"),
    (
        "POST",
        "v3/combine-transactions/native",
        "CombineNativePrepay",
    ),
    (
        "GET",
        "v3/combine-transactions/out-trade-no/{combine_out_trade_no}",
        "QueryCombineOrder",
    ),
    (
        "POST",
        "v3/combine-transactions/out-trade-no/{combine_out_trade_no}/close",
        "CloseCombineOrder",
    ),
    ("POST", "v3/refund/domestic/refunds", "CreateRefund"),
    (
        "GET",
        "v3/refund/domestic/refunds/{out_refund_no}",
        "QueryRefund",
    ),
    (
        "POST",
        "v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund",
        "ApplyAbnormalRefund",
    ),
    ("GET", "v3/bill/tradebill", "TradeBill"),
    ("GET", "v3/bill/fundflowbill", "FundFlowBill"),
    (
        "GET",
        "v3/bill/sub-merchant-fundflowbill",
        "SubMerchantFundFlowBill",
    ),
    (
        "POST",
        "v3/profitsharing/orders",
        "CreateProfitSharingOrder",
    ),
    (
        "GET",
        "v3/profitsharing/orders/{out_order_no}",
        "QueryProfitSharingOrder",
    ),
    (
        "POST",
        "v3/profitsharing/orders/unfreeze",
        "UnfreezeProfitSharingOrder",
    ),
    (
        "POST",
        "v3/profitsharing/return-orders",
        "CreateProfitSharingReturnOrder",
    ),
    (
        "GET",
        "v3/profitsharing/return-orders/{out_return_no}",
        "QueryProfitSharingReturnOrder",
    ),
    (
        "GET",
        "v3/profitsharing/transactions/{transaction_id}/amounts",
        "QueryProfitSharingAmounts",
    ),
    (
        "POST",
        "v3/profitsharing/receivers/add",
        "AddProfitSharingReceiver",
    ),
    (
        "POST",
        "v3/profitsharing/receivers/delete",
        "DeleteProfitSharingReceiver",
    ),
    ("GET", "v3/profitsharing/bills", "ProfitSharingBill"),
    (
        "POST",
        "v3/fund-app/mch-transfer/transfer-bills",
        "CreateTransferBill",
    ),
    (
        "GET",
        "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}",
        "QueryTransferBillByOutBillNo",
    ),
    (
        "GET",
        "v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{transfer_bill_no}",
        "QueryTransferBillByTransferBillNo",
    ),
    (
        "POST",
        "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}/cancel",
        "CancelTransferBill",
    ),
    ("POST", "v3/transfer/batches", "CreateTransferBatch"),
    (
        "GET",
        "v3/transfer/batches/out-batch-no/{out_batch_no}",
        "QueryTransferBatchByOutBatchNo",
    ),
    (
        "GET",
        "v3/transfer/batches/batch-id/{batch_id}",
        "QueryTransferBatchById",
    ),
    ("GET", "v3/certificates", "QueryCertificates"),
];

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

/// Type names kept from the hand-written seed modules, so code written
/// against them still compiles: (module, generated name, published name).
pub const TYPE_NAME_OVERRIDES: &[(&str, &str, &str)] = &[
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
            "order_id",
            "out_order_no",
            "out_return_no",
            "return_mchid",
            "amount",
            "description",
            "transaction_id",
        ],
    ),
];

/// Doc slugs that name a page, not an operation.
pub const GENERIC_SLUGS: &[&str] = &["introduction", "overview", "index"];

/// The verbs of [`ACTION_WORDS`] that a `GET` can carry: in `GET .../refund-flow`
/// `refund` is a noun, and the operation is named `Query...`.
pub const GET_ACTION_WORDS: &[&str] = &[
    "query",
    "find",
    "search",
    "get",
    "download",
    "check",
    "verify",
    "precheck",
    "calculate",
    "match",
];

/// First words of a last path segment that read as the operation's verb
/// (`.../close`, `.../apply-abnormal-refund`): the name starts with that segment.
pub const ACTION_WORDS: &[&str] = &[
    "accept",
    "activate",
    "add",
    "apply",
    "approve",
    "assess",
    "assign",
    "audit",
    "authorize",
    "batch",
    "bind",
    "calculate",
    "cancel",
    "change",
    "changecustompagestatus",
    "changegoldplanstatus",
    "check",
    "claim",
    "close",
    "commit",
    "complete",
    "confirm",
    "create",
    "deactivate",
    "delete",
    "deliver",
    "disable",
    "dispose",
    "download",
    "echo",
    "enable",
    "find",
    "finish",
    "freeze",
    "get",
    "import",
    "insert",
    "invalidate",
    "lock",
    "match",
    "modify",
    "notify",
    "open",
    "pause",
    "preauthorize",
    "prebind",
    "precheck",
    "preopen",
    "prepay",
    "presign",
    "print",
    "punch",
    "punish",
    "query",
    "recover",
    "recv",
    "refund",
    "register",
    "release",
    "rename",
    "report",
    "resend",
    "restart",
    "resume",
    "return",
    "reverse",
    "revoke",
    "search",
    "send",
    "set",
    "settle",
    "start",
    "stop",
    "submit",
    "sync",
    "terminate",
    "transform",
    "try",
    "unbind",
    "unfreeze",
    "unlock",
    "update",
    "upload",
    "use",
    "verify",
    "withdraw",
];
