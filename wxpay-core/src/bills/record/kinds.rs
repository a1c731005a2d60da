//! The closed sets a bill row names (trade type and state, refund type and
//! state, fund-flow kinds), kept open to values WeChat Pay adds.

crate::string_enum! {
    /// 交易类型: how the payment was made.
    pub enum TradeType {
        /// Official account / mini-program payment.
        Jsapi = "JSAPI",
        /// QR code payment.
        Native = "NATIVE",
        /// In-app payment.
        App = "APP",
        /// H5 payment (APIv3's `h5`).
        Mweb = "MWEB",
        /// Payment-code (付款码) payment.
        Micropay = "MICROPAY",
        /// Face payment.
        Facepay = "FACEPAY",
    }
}

crate::string_enum! {
    /// 交易状态 of a bill row.
    pub enum TradeState {
        /// A payment.
        Success = "SUCCESS",
        /// A refund row.
        Refund = "REFUND",
        /// A payment reversed (撤销) after it succeeded (payment-code orders).
        Revoked = "REVOKED",
    }
}

crate::string_enum! {
    /// 退款类型: where a refund goes.
    pub enum RefundType {
        /// Back the way it was paid (原路退款).
        Original = "ORIGINAL",
        /// To the user's balance (退回到余额).
        Balance = "BALANCE",
        /// To another balance.
        OtherBalance = "OTHER_BALANCE",
        /// To another bank card.
        OtherBankcard = "OTHER_BANKCARD",
    }
}

crate::string_enum! {
    /// 退款状态 of a refund row.
    pub enum RefundStatus {
        /// Refunded.
        Success = "SUCCESS",
        /// Being processed.
        Processing = "PROCESSING",
        /// Closed: the refund failed.
        Closed = "CLOSED",
        /// Abnormal (e.g. the user's card is void); not final.
        Abnormal = "ABNORMAL",
        /// APIv2: failed.
        Fail = "FAIL",
        /// APIv2: closed.
        RefundClose = "REFUNDCLOSE",
        /// APIv2: abnormal, to be handled (退款异常).
        Change = "CHANGE",
    }
}

crate::string_enum! {
    /// 收支类型: money in or out of the account.
    pub enum FundDirection {
        /// 收入.
        Income = "收入",
        /// 支出.
        Expense = "支出",
    }
}

crate::string_enum! {
    /// 业务名称 of a fund-flow row.
    pub enum FundBusinessName {
        /// 交易.
        Trade = "交易",
        /// 退款.
        Refund = "退款",
        /// 充值.
        Recharge = "充值",
        /// 提现.
        Withdrawal = "提现",
        /// 企业付款.
        Transfer = "企业付款",
        /// 分账.
        ProfitSharing = "分账",
        /// 代金券.
        Voucher = "代金券",
        /// 立减.
        Discount = "立减",
    }
}

crate::string_enum! {
    /// 业务类型 of a fund-flow row.
    pub enum FundBusinessType {
        /// 交易.
        Trade = "交易",
        /// 扣除交易手续费.
        TradeFee = "扣除交易手续费",
        /// 退款.
        Refund = "退款",
        /// 退款关闭.
        RefundClosed = "退款关闭",
        /// 退还交易手续费.
        FeeReturned = "退还交易手续费",
        /// 分账.
        ProfitSharing = "分账",
        /// 分账回退.
        ProfitSharingReturn = "分账回退",
    }
}
