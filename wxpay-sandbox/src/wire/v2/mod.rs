//! APIv2 (XML) as WeChat Pay speaks it: the sign, the flat XML, the refund
//! notification's encrypted `req_info`, and the facts of each operation the
//! sandbox answers (which need the merchant's client certificate, whether
//! the answer is signed), from WeChat's APIv2 pages.

pub(crate) mod req_info;
pub(crate) mod sign;
pub(crate) mod xml;

/// One APIv2 operation the sandbox answers, as WeChat documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The path after `https://api.mch.weixin.qq.com/` (the catalog prefixes `v2/`).
    pub(crate) path: &'static str,
    /// 是否需要证书: "请求需要双向证书" (mutual TLS with the merchant API certificate).
    pub(crate) certificate: bool,
}

/// The operations, each from its page on pay.weixin.qq.com/wiki/doc/api/
/// (micropay.php, the 付款码支付 chapter): 付款码支付 `chapter=9_10` (no
/// certificate), 查询订单 `9_2` (none), 撤销订单 `9_11` (双向证书), 申请退款
/// `9_4` (双向证书), 查询退款 `9_5` (none). All five answers carry a `sign`.
pub(crate) const OPERATIONS: [Operation; 5] = [
    Operation {
        path: "pay/micropay",
        certificate: false,
    },
    Operation {
        path: "pay/orderquery",
        certificate: false,
    },
    Operation {
        path: "secapi/pay/reverse",
        certificate: true,
    },
    Operation {
        path: "secapi/pay/refund",
        certificate: true,
    },
    Operation {
        path: "pay/refundquery",
        certificate: false,
    },
];

/// The operation of a request path (`/pay/micropay`, or `/v2/pay/micropay`
/// as the catalog spells it).
pub(crate) fn operation(path: &str) -> Option<Operation> {
    let path = path.trim_start_matches('/');
    let path = path.strip_prefix("v2/").unwrap_or(path);
    OPERATIONS.iter().copied().find(|op| op.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secapi_operations_need_the_certificate() {
        assert_eq!(
            operation("/v2/secapi/pay/refund").map(|o| o.certificate),
            Some(true)
        );
        assert_eq!(
            operation("pay/micropay").map(|o| o.certificate),
            Some(false)
        );
        assert!(operation("/pay/unknown").is_none());
    }
}
