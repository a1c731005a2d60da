//! The APIv2 decisions: which module and feature each operation belongs to,
//! the names the official English docs use, and the operations left untyped.

/// An APIv2 module of `wxpay_apis::v2`, turned on by the feature `v2-{name}`
/// (with `-` for `_`): the path prefixes (after `v2/`) it holds, first match
/// wins across the table, so the more specific prefixes come first.
pub struct V2Area {
    pub module: &'static str,
    pub doc: &'static str,
    pub prefixes: &'static [&'static str],
}

pub const V2_AREAS: &[V2Area] = &[
    V2Area {
        module: "profitsharing",
        doc: "资金应用∙分账: profit sharing",
        prefixes: &[
            "pay/profitsharing",
            "secapi/pay/profitsharing",
            "secapi/pay/multiprofitsharing",
        ],
    },
    V2Area {
        module: "papay",
        doc: "委托扣款: entrusted (contract) payments",
        prefixes: &[
            "papay/",
            "pay/contractorder",
            "pay/pappayapply",
            "pay/paporderquery",
            "pay/partner/",
        ],
    },
    V2Area {
        module: "facepay",
        doc: "人脸支付: face payments",
        prefixes: &["pay/facepay", "secapi/pay/facepayreverse", "face/"],
    },
    V2Area {
        module: "crossborder",
        doc: "跨境: exchange rates, settlements, sub-merchant onboarding",
        prefixes: &[
            "pay/queryexchagerate",
            "pay/settlementquery",
            "secapi/mch/addInstitutionsub",
            "secapi/mch/modifyInstitutionsub",
            "secapi/mch/queryInstitutionsub",
        ],
    },
    V2Area {
        module: "pay",
        doc: "基础支付: micropay, orders, refunds, bills, combined orders, tools",
        prefixes: &["pay/", "secapi/pay/", "tools/", "payitil/"],
    },
    V2Area {
        module: "coupon",
        doc: "代金券: coupons",
        prefixes: &[
            "mmpaymkttransfers/send_coupon",
            "mmpaymkttransfers/query_coupon_stock",
            "mmpaymkttransfers/querycouponsinfo",
        ],
    },
    V2Area {
        module: "transfers",
        doc: "资金应用∙付款: payments to users' balances and bank cards, to employees",
        prefixes: &[
            "mmpaymkttransfers/promotion/",
            "mmpaymkttransfers/gettransferinfo",
            "mmpaysptrans/",
            "risk/getpublickey",
        ],
    },
    V2Area {
        module: "redpack",
        doc: "现金红包: red packets (normal, group, mini program, WeCom)",
        prefixes: &["mmpaymkttransfers/"],
    },
    V2Area {
        module: "deposit",
        doc: "酒店押金: hotel deposits",
        prefixes: &["deposit/"],
    },
    V2Area {
        module: "micro",
        doc: "小微商户: micro merchants' applications and withdrawals",
        prefixes: &["applyment/micro/", "fund/"],
    },
    V2Area {
        module: "risk",
        doc: "风控: merchant risk checks and bank merchants' records",
        prefixes: &[
            "mchrisk/",
            "risk/getviolation",
            "secapi/mch/modifymchinfo",
            "secapi/mch/submchmanage",
        ],
    },
    V2Area {
        module: "customs",
        doc: "报关: customs declarations",
        prefixes: &["cgi-bin/mch/"],
    },
    V2Area {
        module: "transit",
        doc: "乘车码代扣: transit QR code deductions",
        prefixes: &["transit/"],
    },
    V2Area {
        module: "vehicle",
        doc: "车主平台: parking and toll deductions",
        prefixes: &["vehicle/"],
    },
    V2Area {
        module: "wxv",
        doc: "免押租借 / 免押速住: deposit-free rentals and hotel stays",
        prefixes: &["wxv/"],
    },
    V2Area {
        module: "realname",
        doc: "实名校验: real-name verification",
        prefixes: &["secsvc/", "appauth/"],
    },
    V2Area {
        module: "sandbox",
        doc: "沙箱环境: WeChat's APIv2 sandbox (its sign key, test payments)",
        prefixes: &["sandboxnew/", "xdc/"],
    },
    V2Area {
        module: "common",
        doc: "通用: platform certificates, sub-merchant configuration, order comments",
        prefixes: &[
            "billcommentsp/",
            "risk/getcertficates",
            "secapi/mch/",
            "secapi/mkt/",
        ],
    },
];

/// Names from the official English docs (and the PHP/Node SDKs) for the
/// operations most programs call: path (after `v2/`) → name without
/// `Request`. Other names come from the last path segment split into words
/// ([`V2_WORDS`]).
pub const V2_NAMES: &[(&str, &str)] = &[
    ("pay/micropay", "Micropay"),
    ("pay/orderquery", "OrderQuery"),
    ("secapi/pay/reverse", "Reverse"),
    ("pay/closeorder", "CloseOrder"),
    ("pay/unifiedorder", "UnifiedOrder"),
    ("secapi/pay/refund", "Refund"),
    ("secapi/pay/refundv2", "RefundV2"),
    ("pay/refundquery", "RefundQuery"),
    ("pay/refundqueryv2", "RefundQueryV2"),
    ("pay/downloadbill", "DownloadBill"),
    ("pay/downloadfundflow", "DownloadFundFlow"),
    ("tools/shorturl", "ShortUrl"),
    ("tools/authcodetoopenid", "AuthCodeToOpenid"),
    ("payitil/report", "Report"),
    ("mmpaymkttransfers/sendredpack", "SendRedpack"),
    ("mmpaymkttransfers/sendgroupredpack", "SendGroupRedpack"),
    (
        "mmpaymkttransfers/sendminiprogramhb",
        "SendMiniProgramRedpack",
    ),
    ("mmpaymkttransfers/gethbinfo", "GetRedpackInfo"),
    ("mmpaymkttransfers/sendworkwxredpack", "SendWorkWxRedpack"),
    ("mmpaymkttransfers/queryworkwxredpack", "QueryWorkWxRedpack"),
    ("mmpaymkttransfers/promotion/transfers", "Transfers"),
    ("mmpaymkttransfers/gettransferinfo", "GetTransferInfo"),
    ("mmpaysptrans/pay_bank", "PayBank"),
    ("mmpaysptrans/query_bank", "QueryBank"),
    (
        "mmpaymkttransfers/promotion/paywwsptrans2pocket",
        "PayWorkWxEmployee",
    ),
    (
        "mmpaymkttransfers/promotion/querywwsptrans2pocket",
        "QueryWorkWxEmployeePayment",
    ),
    ("risk/getpublickey", "GetPublicKey"),
    ("mmpaymkttransfers/send_coupon", "SendCoupon"),
    ("mmpaymkttransfers/query_coupon_stock", "QueryCouponStock"),
    ("mmpaymkttransfers/querycouponsinfo", "QueryCouponsInfo"),
    ("secapi/pay/profitsharing", "ProfitSharing"),
    ("secapi/pay/multiprofitsharing", "MultiProfitSharing"),
    ("papay/partner/deletecontract", "PartnerDeleteContract"),
    ("papay/partner/preentrustweb", "PartnerPreEntrustWeb"),
    ("papay/partner/querycontract", "PartnerQueryContract"),
    ("pay/partner/paporderquery", "PartnerPapOrderQuery"),
    ("pay/partner/pappayapply", "PartnerPapPayApply"),
    ("transit/partnerpay/payapply", "PartnerPayApply"),
    ("transit/partnerpay/queryorder", "PartnerQueryOrder"),
    ("transit/partnerpay/querystate", "PartnerQueryState"),
    ("vehicle/partnerpay/notification", "PartnerNotification"),
    ("vehicle/partnerpay/payapply", "PartnerPayApply"),
    ("vehicle/partnerpay/querystate", "PartnerQueryState"),
    ("sandboxnew/pay/downloadbill", "DownloadBill"),
    ("sandboxnew/pay/getsignkey", "GetSignKey"),
    ("sandboxnew/pay/micropay", "Micropay"),
    ("sandboxnew/pay/orderquery", "OrderQuery"),
    ("sandboxnew/pay/refund", "Refund"),
    ("sandboxnew/pay/refundquery", "RefundQuery"),
    ("sandboxnew/pay/unifiedorder", "UnifiedOrder"),
    ("xdc/apiv2getsignkey/sign/getsignkey", "XdcGetSignKey"),
    ("xdc/apiv2sandbox/pay/micropay", "XdcMicropay"),
    ("xdc/apiv2sandbox/pay/orderquery", "XdcOrderQuery"),
];

/// Words the other path segments are made of, for names
/// (`getupgradestate` → Get, Upgrade, State). Longest match first.
pub const V2_WORDS: &[&str] = &[
    "access",
    "add",
    "apply",
    "archives",
    "audit",
    "auth",
    "authinfo",
    "bank",
    "batch",
    "bill",
    "by",
    "callback",
    "cancel",
    "certficates",
    "close",
    "create",
    "change",
    "channel",
    "combined",
    "comment",
    "conf",
    "config",
    "consume",
    "contact",
    "contract",
    "custom",
    "date",
    "declare",
    "delete",
    "dev",
    "entrust",
    "exchage",
    "face",
    "finish",
    "get",
    "hotel",
    "info",
    "institution",
    "mch",
    "media",
    "merchant",
    "micropay",
    "modify",
    "money",
    "multi",
    "notification",
    "order",
    "pap",
    "pay",
    "profit",
    "public",
    "query",
    "rate",
    "re",
    "receiver",
    "recommend",
    "redeclare",
    "refund",
    "remove",
    "rent",
    "result",
    "return",
    "reverse",
    "risk",
    "setting",
    "settlement",
    "sharing",
    "sign",
    "state",
    "sub",
    "submit",
    "sync",
    "token",
    "unified",
    "upgrade",
    "upload",
    "violation",
    "web",
    "withdraw",
    "wxpayface",
    "auto",
    "amount",
    "ratio",
    "set",
    "pre",
    "real",
    "name",
];

/// Answers that are raw data (a bill), decoded as `wxpay_core::v2::V2Bill`.
pub const V2_RAW_ANSWERS: &[&str] = &[
    "pay/downloadbill",
    "pay/downloadfundflow",
    "sandboxnew/pay/downloadbill",
];

/// Operations WeChat answers without a `sign` (after the official PHP SDK's
/// list, wechatpay-php `src/Crypto/...`/`Transformer`: the bills are raw
/// data, the others plain XML whose `return_code`/`result_code` are still
/// checked). Generated with `unsigned_answer`.
pub const V2_UNSIGNED_ANSWERS: &[&str] = &[
    "mchrisk/querymchrisk",
    "mchrisk/setmchriskcallback",
    "mchrisk/syncmchriskresult",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaysptrans/pay_bank",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaysptrans/query_bank",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "papay/entrustweb",
    "papay/h5entrustweb",
    "papay/partner/entrustweb",
    "papay/partner/h5entrustweb",
    "pay/downloadbill",
    "pay/downloadfundflow",
    "payitil/report",
    "risk/getpublickey",
    "risk/getviolation",
    "sandboxnew/pay/downloadbill",
    "sandboxnew/pay/getsignkey",
    "secapi/mch/submchmanage",
    "xdc/apiv2getsignkey/sign/getsignkey",
];

/// Operations outside `secapi/` that need the merchant API certificate
/// (mutual TLS), from WeChat's APIv2 pages ("请求需要双向证书"); every
/// `secapi/` operation needs it too. Generated with `certificate`.
pub const V2_CERTIFICATE: &[&str] = &[
    "deposit/refund",
    "deposit/reverse",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/queryworkwxredpack",
    "mmpaymkttransfers/send_coupon",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "mmpaymkttransfers/sendworkwxredpack",
    "mmpaysptrans/pay_bank",
    "mmpaysptrans/query_bank",
    "pay/downloadfundflow",
    "risk/getpublickey",
];

/// Operations not generated, and why (shown in the crate docs). `V2Client`
/// sends XML POSTs; none of these is one.
pub const V2_UNTYPED: &[(&str, &str)] = &[
    (
        "appauth/authindex",
        "a page the user's browser is sent to (WeChat answers 302), not a call",
    ),
    (
        "appauth/getaccesstoken",
        "a signed GET answered in JSON; `V2Client` sends XML POSTs",
    ),
    (
        "papay/entrustweb",
        "a signed page URL the user's browser opens (签约页), not a call",
    ),
    (
        "papay/h5entrustweb",
        "a signed GET (query, answered in XML with `redirect_url`); `V2Client` sends XML POSTs",
    ),
    (
        "papay/partner/entrustweb",
        "a signed page URL the user's browser opens (签约页), not a call",
    ),
    (
        "papay/partner/h5entrustweb",
        "a signed GET (query, answered in XML with `redirect_url`); `V2Client` sends XML POSTs",
    ),
    (
        "secapi/mch/uploadmedia",
        "a multipart image upload; the catalog gives no body",
    ),
];
