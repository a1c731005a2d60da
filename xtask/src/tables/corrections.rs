//! What WeChat's documentation and official SDKs say about closed sets where
//! the catalog is silent or contradicts itself, each fact with its source.
//! `xtask/CORRECTIONS.md` explains the rules and lists these facts for
//! readers (and the sandbox); `cargo xtask codegen` applies them to the
//! typed code and the sandbox's schemas alike, and fails when an entry no
//! longer changes anything (fixed upstream: drop it) or when the catalog
//! gains a contradiction no entry settles.

/// Where a schema node sits in an operation of the catalog: `body/a/b`,
/// `query/name`, `responses/200/a/list[]/b` (`[]`: the element of an array).
pub type Location = &'static str;

/// What a correction does to the node.
#[derive(Debug, Clone, Copy)]
pub enum Fix {
    /// The closed set of values, in the source's order: a string the
    /// catalog gives none for becomes an enum, a wrong list is replaced.
    Values(&'static [&'static str]),
    /// Values the list lacks (the example is one of them).
    AddValues(&'static [&'static str]),
    /// The catalog's example is not a value of the field: this listed value
    /// replaces it in the docs, the generated tests and the sandbox.
    Example(&'static str),
    /// The field may be absent (the catalog requires it).
    Optional,
}

/// One corrected fact: (method, path, where, fix, source).
pub type Correction = (&'static str, &'static str, Location, Fix, &'static str);

const REFUND_STATUS: &[&str] = &["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"];
const REFUND_CHANNEL: &[&str] = &["ORIGINAL", "BALANCE", "OTHER_BALANCE", "OTHER_BANKCARD"];
const REFUND_FUNDS_ACCOUNT: &[&str] = &[
    "UNSETTLED",
    "AVAILABLE",
    "UNAVAILABLE",
    "OPERATION",
    "BASIC",
    "ECNY_BASIC",
];
const REFUND_FROM_ACCOUNT: &[&str] = &["AVAILABLE", "UNAVAILABLE"];

const SRC_REFUND_STATUS: &str =
    "WECHATPAY-LIFECYCLE.md §3 (wechatpay-go services/refunddomestic/models.go \
     `Status`, wechatpay-java refund `Status`): PROCESSING, SUCCESS, CLOSED, ABNORMAL";
const SRC_REFUND_CHANNEL: &str =
    "WECHATPAY-LIFECYCLE.md §3 (wechatpay-go refunddomestic `Channel`): \
     ORIGINAL, BALANCE, OTHER_BALANCE, OTHER_BANKCARD";
const SRC_REFUND_FUNDS_ACCOUNT: &str =
    "WECHATPAY-LIFECYCLE.md §3 (wechatpay-java refund `FundsAccount`; \
     wechatpay-go `FundsAccount` lacks ECNY_BASIC): UNSETTLED, AVAILABLE, UNAVAILABLE, OPERATION, \
     BASIC, ECNY_BASIC";
const SRC_REFUND_REQ_FUNDS_ACCOUNT: &str =
    "WECHATPAY-LIFECYCLE.md §3: wechatpay-java `ReqFundsAccount` \
     AVAILABLE; the official merchant page (退款申请) adds UNSETTLED for 出行预付押金";
const SRC_REFUND_FROM_ACCOUNT: &str =
    "wechatpay-go services/refunddomestic/models.go `Account`: AVAILABLE, UNAVAILABLE";

const PS_RESULT: &[&str] = &["PENDING", "SUCCESS", "CLOSED"];
const PS_FAIL_REASON: &[&str] = &[
    "ACCOUNT_ABNORMAL",
    "NO_RELATION",
    "RECEIVER_HIGH_RISK",
    "RECEIVER_REAL_NAME_NOT_VERIFIED",
    "NO_AUTH",
    "RECEIVER_RECEIPT_LIMIT",
    "PAYER_ACCOUNT_ABNORMAL",
    "INVALID_REQUEST",
];
const SRC_PS_STATE: &str = "wechatpay-go services/profitsharing/models.go `OrderStatus` and \
     wechatpay-java profitsharing `OrderStatus`: PROCESSING, FINISHED (the catalog lists the \
     receivers' `result` values here)";
const SRC_PS_RESULT: &str = "wechatpay-go profitsharing `DetailStatus` and wechatpay-java \
     `DetailStatus`: PENDING, SUCCESS, CLOSED (the catalog lists the `fail_reason` values here)";
const SRC_PS_FAIL_REASON: &str = "wechatpay-java profitsharing `DetailFailReason` (8 values; \
     wechatpay-go has the first 5), as the create answer of the catalog lists them";
pub(super) const SRC_PS_ENTITY: &str = "wechatpay-go profitsharing: CreateOrder, QueryOrder and \
     UnfreezeOrder all answer `OrdersEntity`, whose `OrderReceiverDetail.fail_reason` is \
     `omitempty` (absent unless the share failed)";

/// The corrections, by operation.
pub const ENUM_CORRECTIONS: &[Correction] = &[
    // 基础支付∙退款 (WECHATPAY-LIFECYCLE.md §3): the catalog gives no values.
    ("POST", "v3/refund/domestic/refunds", "responses/200/status", Fix::Values(REFUND_STATUS), SRC_REFUND_STATUS),
    ("GET", "v3/refund/domestic/refunds/{out_refund_no}", "responses/200/status", Fix::Values(REFUND_STATUS), SRC_REFUND_STATUS),
    ("POST", "v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", "responses/200/status", Fix::Values(REFUND_STATUS), SRC_REFUND_STATUS),
    ("POST", "v3/refund/domestic/refunds", "responses/200/channel", Fix::Values(REFUND_CHANNEL), SRC_REFUND_CHANNEL),
    ("GET", "v3/refund/domestic/refunds/{out_refund_no}", "responses/200/channel", Fix::Values(REFUND_CHANNEL), SRC_REFUND_CHANNEL),
    ("POST", "v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", "responses/200/channel", Fix::Values(REFUND_CHANNEL), SRC_REFUND_CHANNEL),
    ("POST", "v3/refund/domestic/refunds", "responses/200/funds_account", Fix::Values(REFUND_FUNDS_ACCOUNT), SRC_REFUND_FUNDS_ACCOUNT),
    ("GET", "v3/refund/domestic/refunds/{out_refund_no}", "responses/200/funds_account", Fix::Values(REFUND_FUNDS_ACCOUNT), SRC_REFUND_FUNDS_ACCOUNT),
    ("POST", "v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", "responses/200/funds_account", Fix::Values(REFUND_FUNDS_ACCOUNT), SRC_REFUND_FUNDS_ACCOUNT),
    ("POST", "v3/refund/domestic/refunds", "body/funds_account", Fix::Values(&["AVAILABLE", "UNSETTLED"]), SRC_REFUND_REQ_FUNDS_ACCOUNT),
    ("POST", "v3/refund/domestic/refunds", "body/amount/from[]/account", Fix::Values(REFUND_FROM_ACCOUNT), SRC_REFUND_FROM_ACCOUNT),
    ("POST", "v3/refund/domestic/refunds", "responses/200/amount/from[]/account", Fix::Values(REFUND_FROM_ACCOUNT), SRC_REFUND_FROM_ACCOUNT),
    ("GET", "v3/refund/domestic/refunds/{out_refund_no}", "responses/200/amount/from[]/account", Fix::Values(REFUND_FROM_ACCOUNT), SRC_REFUND_FROM_ACCOUNT),
    ("POST", "v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", "responses/200/amount/from[]/account", Fix::Values(REFUND_FROM_ACCOUNT), SRC_REFUND_FROM_ACCOUNT),
    // 分账 (direct and partner): the query's lists are shifted by one field.
    ("GET", "v3/profitsharing/orders/{out_order_no}", "responses/200/state", Fix::Values(&["PROCESSING", "FINISHED"]), SRC_PS_STATE),
    ("GET", "v3/profitsharing/orders/{out_order_no}", "responses/200/receivers[]/result", Fix::Values(PS_RESULT), SRC_PS_RESULT),
    ("GET", "v3/profitsharing/orders/{out_order_no}", "responses/200/receivers[]/fail_reason", Fix::Values(PS_FAIL_REASON), SRC_PS_FAIL_REASON),
    ("POST", "v3/profitsharing/orders", "responses/200/state", Fix::Values(&["PROCESSING", "FINISHED"]), SRC_PS_STATE),
    ("POST", "v3/profitsharing/orders", "responses/200/receivers[]/result", Fix::Values(PS_RESULT), SRC_PS_RESULT),
    ("POST", "v3/profitsharing/orders", "responses/200/receivers[]/fail_reason", Fix::Values(PS_FAIL_REASON), SRC_PS_FAIL_REASON),
    ("POST", "v3/profitsharing/orders/unfreeze", "responses/200/state", Fix::Values(&["PROCESSING", "FINISHED"]), SRC_PS_STATE),
    ("POST", "v3/profitsharing/orders/unfreeze", "responses/200/receivers[]/result", Fix::Values(PS_RESULT), SRC_PS_RESULT),
    ("POST", "v3/profitsharing/orders/unfreeze", "responses/200/receivers[]/fail_reason", Fix::Values(PS_FAIL_REASON), SRC_PS_FAIL_REASON),
    ("POST", "v3/profitsharing/orders/unfreeze", "responses/200/receivers[]/fail_reason", Fix::Optional, SRC_PS_ENTITY),
    // 品牌分账: a typo in the list.
    ("GET", "v3/brand/profitsharing/orders", "responses/200/receivers[]/result", Fix::Values(PS_RESULT),
        "wechatpay-java brandprofitsharing `ReceiverResultEntity.result`: PENDING, SUCCESS, CLOSED (the catalog spells `SUCEESS`)"),
    // 收付通分账: the list of the receiver's `type` copied onto `relation_type`.
    ("POST", "v3/ecommerce/profitsharing/receivers/add", "body/relation_type",
        Fix::Values(&["SUPPLIER", "DISTRIBUTOR", "SERVICE_PROVIDER", "PLATFORM", "OTHERS"]),
        "wechatpay-java ecommerceprofitsharing `AddReceiverRequest.relation_type`: SUPPLIER, DISTRIBUTOR, SERVICE_PROVIDER, PLATFORM, OTHERS"),
    // Examples that are no value of their field; the list stands.
    ("GET", "v3/global/merchant-service/complaints", "query/mch_language", Fix::Example("ZH_CN"),
        "the catalog's source (TheNorthMemory/wechatpay-openapi docs/v3/global/merchant-service/complaints.yaml) lists the upper-case codes one by one with their languages; its example `zh_CN` is the only lower-case token (unconfirmed against a live answer)"),
    ("GET", "v3/global/merchant-service/complaints/{complaint_id}", "query/mch_language", Fix::Example("ZH_CN"),
        "as for the complaint list: the listed codes are upper case (unconfirmed against a live answer)"),
    ("GET", "v3/global/merchant-service/complaints/{complaint_id}/negotiation-historys", "query/mch_language", Fix::Example("ZH_CN"),
        "as for the complaint list: the listed codes are upper case (unconfirmed against a live answer)"),
    ("POST", "v3/global/profit-sharing/receivers", "body/relation_type", Fix::Example("SUPPLIER"),
        "the catalog's source (docs/v3/global/profit-sharing/receivers.yaml) lists SUPPLIER, DISTRIBUTOR, TAX_SERVICE_PROVIDER, IT_SERVICE_PROVIDER, CUSTOM; `SERVICE_PROVIDER` is the domestic profit-sharing value (wechatpay-java `ReceiverRelationType`)"),
    ("POST", "v3/global/profit-sharing/receivers", "responses/200/relation_type", Fix::Example("SUPPLIER"),
        "the answer echoes the request's relation_type (same list in docs/v3/global/profit-sharing/receivers.yaml)"),
    ("GET", "v3/global/profit-sharing/receivers/{account}", "responses/200/relation_type", Fix::Example("SUPPLIER"),
        "the same list as the add answer (docs/v3/global/profit-sharing/receivers.yaml)"),
    ("POST", "v3/gov/subsidy/qualifications/passthrough/query", "responses/200/qualification_list[]/unclaimed_reason", Fix::Example("REASON_UNCLAIMED"),
        "`NOT_SELLABLE_REASON_NOT_FOUND` is a value of the S/N code query's `not_sellable_reason` (TheNorthMemory/wechatpay-openapi, official page 4013989543), not of `unclaimed_reason`"),
    ("POST", "v3/gov/subsidy/qualifications/query", "responses/200/qualification_list[]/unclaimed_reason", Fix::Example("REASON_UNCLAIMED"),
        "as for the passthrough query: the example belongs to the S/N code query's `not_sellable_reason`"),
    ("GET", "v3/marketing/partner/delivery-plan/delivery-plans/{brand_id}/delivery-plans", "query/audit_state", Fix::Example("AUDIT_PASSED"),
        "`12000` is a number, not an audit state; the listed states stand (no other source found)"),
    ("POST", "v3/new-tax-control-fapiao/fapiao-applications/{fapiao_apply_id}/reverse", "body/reverse_reason", Fix::Example("SALES_RETURN"),
        "the listed codes are the four reasons a red-letter fapiao takes (开票有误, 销货退回, 服务中止, 销售折让); `退款` is free text from an older page"),
    ("GET", "v3/mchalterapply/mchcontactalterapplyment/merchant/{merchant_code}/out-request-no/{out_request_no}", "responses/200/state", Fix::AddValues(&["APPLYMENT_STATE_EDITTING"]),
        "APPLYMENT_STATE_EDITTING (编辑中) is an applyment state WeChat returns (wechatpay-go applyment4sub `ApplymentState`); the catalog's own example shows it here"),
    ("GET", "v3/mchalterapply/mchcontactalterapplyment/{apply_id}", "responses/200/state", Fix::AddValues(&["APPLYMENT_STATE_EDITTING"]),
        "as for the query by out_request_no: the catalog's example, a state of WeChat's applyment family"),
    ("GET", "v3/mchalterapply/merchantnamealterapplyment/merchant/{sub_mchid}/out-request-no/{out_request_no}", "responses/200/state", Fix::AddValues(&["APPLYMENT_STATE_EDITTING"]),
        "as for the contact alteration: the catalog's example, a state of WeChat's applyment family"),
    ("GET", "v3/mchalterapply/merchantnamealterapplyment/{apply_id}", "responses/200/state", Fix::AddValues(&["APPLYMENT_STATE_EDITTING"]),
        "as for the contact alteration: the catalog's example, a state of WeChat's applyment family"),
    ("GET", "v3/platsolution/ecommerce/bank-transfer-recharges/out-recharge-no/{out_recharge_no}", "responses/200/account_type", Fix::AddValues(&["DEPOSIT"]),
        "the catalog's example names the 保证金 (deposit) account a bank-transfer recharge can credit; an answer may carry it (unconfirmed beyond the example)"),
    ("GET", "v3/recharge/bank-transfer-recharges/out-recharge-no/{out_recharge_no}", "responses/200/account_type", Fix::AddValues(&["DEPOSIT"]),
        "as for the platform recharge query: the catalog's example (unconfirmed beyond it)"),
    // APIv2 (text fields; the values are documented).
    ("POST", "v2/cgi-bin/mch/customs/customdeclareorder", "body/customs", Fix::Example("SHANGHAI_ZS"),
        "the official customs list (报关 参数规定-海关列表, chapter2_3) names SHANGHAI_ZS 上海（总署版）; there is no `SHANGHAI`"),
    ("POST", "v2/cgi-bin/mch/customs/customdeclarequery", "body/customs", Fix::Example("SHANGHAI_ZS"),
        "the official customs list (chapter2_3): SHANGHAI_ZS"),
    ("POST", "v2/cgi-bin/mch/newcustoms/customdeclareredeclare", "body/customs", Fix::Example("SHANGHAI_ZS"),
        "the official customs list (chapter2_3): SHANGHAI_ZS"),
    ("POST", "v2/cgi-bin/mch/customs/customdeclarequery", "responses/200/customs_$n", Fix::Example("SHANGHAI_ZS"),
        "the official customs list (chapter2_3): SHANGHAI_ZS"),
    ("POST", "v2/cgi-bin/mch/customs/customdeclareorder", "responses/200/state",
        Fix::Values(&["UNDECLARED", "SUBMITTED", "PROCESSING", "SUCCESS", "FAIL", "EXCEPT"]),
        "the 报关 page's state list reads UNDECLARED 未申报 (the catalog drops its first letter: `NDECLARED`), as the catalog's own example does"),
    ("POST", "v2/cgi-bin/mch/customs/customdeclarequery", "responses/200/state_$n",
        Fix::Values(&["UNDECLARED", "SUBMITTED", "PROCESSING", "SUCCESS", "FAIL", "EXCEPT"]),
        "as for the declaration answer: UNDECLARED, not `NDECLARED`"),
    ("POST", "v2/secsvc/realnameauth", "responses/200/bind_bankcard", Fix::Example("True"),
        "the example repeats the label's condition (`V_NM_ID_MA`); the field is the listed True/False"),
    ("POST", "v2/wxv/queryrentbill", "responses/200/rent_unit", Fix::Example("FEN_DAY"),
        "`DAY_FEN` is the listed FEN_DAY with its words swapped"),
];

/// Fields of which a request takes exactly one (二选一): the generator
/// replaces them with one required field, `group`, whose type is an enum of
/// the allowed shapes (each variant one of the fields), serialised in place
/// of the group (`#[serde(flatten)]`): exactly the allowed combinations
/// compile. The catalog marks such fields all optional (or one required).
pub struct OneOf {
    pub method: &'static str,
    pub path: &'static str,
    /// The object holding the fields: `body`, `body/payer`, `query`.
    pub object: Location,
    /// The Rust field that replaces them.
    pub group: &'static str,
    pub fields: &'static [&'static str],
    /// What a variant's docs add: (field, text).
    pub notes: &'static [(&'static str, &'static str)],
    pub source: &'static str,
}

const SRC_REFUND_ONE_OF: &str = "the official 退款申请 pages (direct: \
     pay.weixin.qq.com/docs/merchant/products/refund/apilist.html; partner: \
     pay.weixin.qq.com/doc/v3/partner/4012886219): \"transaction_id和out_trade_no必须二选一进行传参\"";
const SRC_PARTNER_PAYER: &str = "the official partner JSAPI下单 page \
     (pay.weixin.qq.com/doc/v3/partner/4012523579): payer.sp_openid and payer.sub_openid are each \
     optional and one identifies the payer (\"sp_openid和sub_openid可以选传其中之一\"); with \
     sub_openid, sub_appid is required (\"若sub_openid有传的情况下，sub_appid必填\")";
const SRC_RETURN_ORDER_ONE_OF: &str = "wechatpay-go services/profitsharing/models.go \
     `CreateReturnOrderRequest` and wechatpay-java profitsharing, ecommerceprofitsharing and \
     brandprofitsharing `CreateReturnOrderRequest`: \"微信分账单号和商户分账单号二选一填写\"";
const SRC_RETURN_QUERY_ONE_OF: &str = "wechatpay-java ecommerceprofitsharing and \
     brandprofitsharing `QueryReturnOrderRequest`: order_id \"与商户分账单号二选一\"";
const SRC_GLOBAL_REFUND_ONE_OF: &str = "the official cross-border 申请退款API page \
     (pay.weixin.qq.com/wiki/doc/api_external/ch/apis/chapter3_1_3.shtml): transaction_id / \
     out_trade_no \"二选一\"";

/// The one-of fields found (catalog, official pages, official SDKs).
pub const ONE_OF: &[OneOf] = &[
    OneOf {
        method: "POST",
        path: "v3/pay/partner/transactions/jsapi",
        object: "body/payer",
        group: "openid",
        fields: &["sp_openid", "sub_openid"],
        notes: &[(
            "sub_openid",
            "WeChat Pay then requires the request's sub_appid.",
        )],
        source: SRC_PARTNER_PAYER,
    },
    OneOf {
        method: "POST",
        path: "v3/pay/partner/transactions/miniprogram",
        object: "body/payer",
        group: "openid",
        fields: &["sp_openid", "sub_openid"],
        notes: &[(
            "sub_openid",
            "WeChat Pay then requires the request's sub_appid.",
        )],
        source: SRC_PARTNER_PAYER,
    },
    OneOf {
        method: "POST",
        path: "v3/refund/domestic/refunds",
        object: "body",
        group: "order",
        fields: &["transaction_id", "out_trade_no"],
        notes: &[],
        source: SRC_REFUND_ONE_OF,
    },
    OneOf {
        method: "POST",
        path: "v3/global/refunds",
        object: "body",
        group: "order",
        fields: &["transaction_id", "out_trade_no"],
        notes: &[],
        source: SRC_GLOBAL_REFUND_ONE_OF,
    },
    OneOf {
        method: "POST",
        path: "hk/v3/refunds",
        object: "body",
        group: "order",
        fields: &["transaction_id", "out_trade_no"],
        notes: &[],
        source: SRC_GLOBAL_REFUND_ONE_OF,
    },
    OneOf {
        method: "POST",
        path: "v3/profitsharing/return-orders",
        object: "body",
        group: "order",
        fields: &["order_id", "out_order_no"],
        notes: &[],
        source: SRC_RETURN_ORDER_ONE_OF,
    },
    OneOf {
        method: "POST",
        path: "v3/ecommerce/profitsharing/returnorders",
        object: "body",
        group: "order",
        fields: &["order_id", "out_order_no"],
        notes: &[],
        source: SRC_RETURN_ORDER_ONE_OF,
    },
    OneOf {
        method: "POST",
        path: "v3/brand/profitsharing/returnorders",
        object: "body",
        group: "order",
        fields: &["order_id", "out_order_no"],
        notes: &[],
        source: SRC_RETURN_ORDER_ONE_OF,
    },
    OneOf {
        method: "GET",
        path: "v3/ecommerce/profitsharing/returnorders",
        object: "query",
        group: "order",
        fields: &["order_id", "out_order_no"],
        notes: &[],
        source: SRC_RETURN_QUERY_ONE_OF,
    },
    OneOf {
        method: "GET",
        path: "v3/brand/profitsharing/returnorders",
        object: "query",
        group: "order",
        fields: &["order_id", "out_order_no"],
        notes: &[],
        source: SRC_RETURN_QUERY_ONE_OF,
    },
];
