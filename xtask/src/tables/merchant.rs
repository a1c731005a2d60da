//! Which request fields are the calling merchant's own id: the client knows
//! it (`ClientBuilder::mchid`), so it can fill them and refuse a different
//! explicit value. The rules below pick them from the catalog; the generator
//! lists what they pick, and what merely looks like it, in
//! `xtask/CORRECTIONS.md`.

/// What a picked field carries: it leaves the required fields (`new` no
/// longer asks for it) and becomes an `Option` that the client fills with
/// its own merchant id when `None`; a different id is refused before
/// sending, naming both.
pub const CALLER_MERCHANT_ATTRIBUTE: &str = "#[wxpay(merchant)]";

/// A rule: a field at the top of a request body or query with this name and
/// one of these labels is the calling merchant, when the operation is of the
/// given kind.
pub struct CallerRule {
    pub field: &'static str,
    pub labels: &'static [&'static str],
    /// The request must not also carry this top-level field (an operation
    /// with both `mchid` and `sp_mchid` merges the direct and the
    /// institution mode, or names two parties: neither is filled).
    pub not_beside: &'static str,
    /// When not empty: every role of the operation is one of these (a
    /// direct merchant's `mchid` in an operation partners also call may
    /// name the sub-merchant).
    pub only_roles: &'static [&'static str],
    /// None of the operation's roles is one of these (an `sp_mchid` of an
    /// operation direct merchants also call is absent when they do).
    pub not_roles: &'static [&'static str],
    pub source: &'static str,
}

pub const CALLER_RULES: &[CallerRule] = &[
    CallerRule {
        field: "mchid",
        labels: &["直连商户号", "商户号"],
        not_beside: "sp_mchid",
        only_roles: &["直连商户", "普通商户", "特约商户（直连模式）"],
        not_roles: &[],
        source: "official direct-merchant pages (e.g. JSAPI下单, 商户订单号查询订单): `mchid` \
                 直连商户号 \"直连商户的商户号，由微信支付生成并下发\", the merchant whose key \
                 signs the request (WECHATPAY-LIFECYCLE.md §2: a wrong one is \
                 `APPID_MCHID_NOT_MATCH` / `MCH_NOT_EXISTS`)",
    },
    CallerRule {
        field: "sp_mchid",
        labels: &[
            "服务商户号",
            "服务商商户号",
            "机构商户号",
            "合作伙伴商户号",
            "微信支付分配的服务商商户号",
        ],
        not_beside: "mchid",
        only_roles: &[],
        not_roles: &["直连商户", "普通商户", "直连模式", "特约商户（直连模式）"],
        source: "official partner pages (e.g. 服务商 JSAPI下单 4012523579): `sp_mchid` \
                 服务商户号 \"由微信支付生成并分配给每个服务商的唯一标识符\", the service \
                 provider (or cross-border institution) that signs the request; the \
                 sub-merchant is `sub_mchid`",
    },
    CallerRule {
        field: "combine_mchid",
        labels: &["合单商户号", "平台商户号"],
        not_beside: "sp_mchid",
        only_roles: &[],
        not_roles: &[],
        source: "official 合单下单 pages: `combine_mchid` is the merchant that initiates the \
                 combined order (合单发起方) and signs it; each sub-order's own `mchid` is \
                 nested under `sub_orders` and is not the caller",
    },
];

/// Operations whose fields the rules would pick but that name the merchant
/// they act on: (path prefix, why).
pub const NOT_CALLER_PATHS: &[(&str, &str)] = &[
    (
        "v3/aggracct-bc/",
        "the bank-channel (wb-channel) operations name the merchant they act on",
    ),
    (
        "v3/marketing/busifavor/callbacks",
        "the official 设置商家券事件通知地址 page (apiv3 chapter9_2_7) is for 直连商户, \
         服务商 and 渠道商 alike: `mchid` names the merchant whose notify URL is set, \
         \"不填默认查询调用方商户的通知URL\" (the catalog lists only 直连商户)",
    ),
];

/// The field names (at any depth) that look like the calling merchant: the
/// generator lists every one the rules do not pick, with the reason.
pub const MERCHANT_LIKE_FIELDS: &[&str] = &["mchid", "sp_mchid", "combine_mchid", "mch_id"];
