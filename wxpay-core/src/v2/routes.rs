//! Which APIv2 operations WeChat answers unsigned, and which need the
//! merchant API certificate (mutual TLS).

/// Operations WeChat answers without a `sign` (after the official PHP SDK's
/// list): bills are raw data, the others plain XML. An XML answer from them
/// still has its `return_code`/`result_code` checked.
const UNSIGNED: &[&str] = &[
    "mchrisk/querymchrisk",
    "mchrisk/setmchriskcallback",
    "mchrisk/syncmchriskresult",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/pay_bank",
    "mmpaysptrans/pay_bank",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/query_bank",
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

/// Whether WeChat answers `path` (with the catalog's `v2/` prefix or without) unsigned.
///
/// ```
/// assert!(wxpay_core::v2::answers_unsigned("v2/pay/downloadbill"));
/// assert!(!wxpay_core::v2::answers_unsigned("pay/orderquery"));
/// ```
pub fn answers_unsigned(path: &str) -> bool {
    UNSIGNED.contains(&normalize(path))
}

/// Operations outside `secapi/` that need the merchant API certificate.
const CERTIFICATE: &[&str] = &[
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

/// Whether `path` needs the merchant API certificate (mutual TLS): every
/// `secapi/` operation (refund, reverse, profit sharing ...), red packets,
/// transfers, coupon sending, bank payments, the bill of funds, the RSA
/// public key, deposit refunds and reversals. A client without a certificate
/// refuses these before sending ([`V2Error::CertificateRequired`](super::V2Error::CertificateRequired)).
///
/// ```
/// use wxpay_core::v2::needs_certificate;
/// assert!(needs_certificate("v2/secapi/pay/refund"));
/// assert!(needs_certificate("mmpaymkttransfers/promotion/transfers"));
/// assert!(!needs_certificate("pay/micropay"));
/// ```
pub fn needs_certificate(path: &str) -> bool {
    let path = normalize(path);
    path.starts_with("secapi/") || CERTIFICATE.contains(&path)
}

/// `v2/pay/micropay` (the catalog's spelling) and `/pay/micropay` are `pay/micropay`.
pub(super) fn normalize(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.strip_prefix("v2/").unwrap_or(path)
}
