//! The names of the operations most programs call are part of the API: a
//! rename is a breaking change. Each line pins one name to its method and
//! path, so a generator change that renames or re-targets one fails here.
//! Run with `--features full`.
// Which groups run depends on the features turned on.
#![allow(dead_code)]

use wxpay_core::{ApiRequest, Method};

#[track_caller]
fn pinned<R: ApiRequest>(method: Method, template: &str) {
    assert_eq!((R::METHOD, R::PATH_TEMPLATE), (method, template));
}

#[cfg(feature = "pay")]
#[test]
fn direct_and_partner_payments_combined_payments_and_bills() {
    pinned::<wxpay_apis::pay::transactions::jsapi::JsapiPrepayRequest>(
        Method::Post,
        "v3/pay/transactions/jsapi",
    );
    pinned::<wxpay_apis::pay::transactions::app::AppPrepayRequest>(
        Method::Post,
        "v3/pay/transactions/app",
    );
    pinned::<wxpay_apis::pay::transactions::h5::H5PrepayRequest>(
        Method::Post,
        "v3/pay/transactions/h5",
    );
    pinned::<wxpay_apis::pay::transactions::native::NativePrepayRequest>(
        Method::Post,
        "v3/pay/transactions/native",
    );
    pinned::<wxpay_apis::pay::transactions::codepay::CodePayRequest>(
        Method::Post,
        "v3/pay/transactions/codepay",
    );
    pinned::<wxpay_apis::pay::transactions::id::QueryOrderByIdRequest>(
        Method::Get,
        "v3/pay/transactions/id/<transaction_id>",
    );
    pinned::<wxpay_apis::pay::transactions::out_trade_no::QueryOrderByOutTradeNoRequest>(
        Method::Get,
        "v3/pay/transactions/out-trade-no/<out_trade_no>",
    );
    pinned::<wxpay_apis::pay::transactions::out_trade_no::close::CloseOrderRequest>(
        Method::Post,
        "v3/pay/transactions/out-trade-no/<out_trade_no>/close",
    );
    pinned::<wxpay_apis::pay::transactions::out_trade_no::reverse::ReverseOrderRequest>(
        Method::Post,
        "v3/pay/transactions/out-trade-no/<out_trade_no>/reverse",
    );
    pinned::<wxpay_apis::pay::partner::transactions::jsapi::PartnerJsapiPrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/jsapi",
    );
    pinned::<wxpay_apis::pay::partner::transactions::app::PartnerAppPrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/app",
    );
    pinned::<wxpay_apis::pay::partner::transactions::h5::PartnerH5PrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/h5",
    );
    pinned::<wxpay_apis::pay::partner::transactions::native::PartnerNativePrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/native",
    );
    pinned::<wxpay_apis::pay::partner::transactions::miniprogram::PartnerMiniProgramPrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/miniprogram",
    );
    pinned::<wxpay_apis::pay::partner::transactions::codepay::PartnerCodePayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/codepay",
    );
    pinned::<wxpay_apis::pay::partner::transactions::id::PartnerQueryOrderByIdRequest>(
        Method::Get,
        "v3/pay/partner/transactions/id/<transaction_id>",
    );
    pinned::<
        wxpay_apis::pay::partner::transactions::out_trade_no::PartnerQueryOrderByOutTradeNoRequest,
    >(
        Method::Get,
        "v3/pay/partner/transactions/out-trade-no/<out_trade_no>",
    );
    pinned::<wxpay_apis::pay::partner::transactions::out_trade_no::close::PartnerCloseOrderRequest>(
        Method::Post,
        "v3/pay/partner/transactions/out-trade-no/<out_trade_no>/close",
    );
    pinned::<
        wxpay_apis::pay::partner::transactions::out_trade_no::reverse::PartnerReverseOrderRequest,
    >(
        Method::Post,
        "v3/pay/partner/transactions/out-trade-no/<out_trade_no>/reverse",
    );
    pinned::<wxpay_apis::combine_transactions::jsapi::CombineJsapiPrepayRequest>(
        Method::Post,
        "v3/combine-transactions/jsapi",
    );
    pinned::<wxpay_apis::combine_transactions::app::CombineAppPrepayRequest>(
        Method::Post,
        "v3/combine-transactions/app",
    );
    pinned::<wxpay_apis::combine_transactions::h5::CombineH5PrepayRequest>(
        Method::Post,
        "v3/combine-transactions/h5",
    );
    pinned::<wxpay_apis::combine_transactions::native::CombineNativePrepayRequest>(
        Method::Post,
        "v3/combine-transactions/native",
    );
    pinned::<wxpay_apis::combine_transactions::out_trade_no::QueryCombineOrderRequest>(
        Method::Get,
        "v3/combine-transactions/out-trade-no/<combine_out_trade_no>",
    );
    pinned::<wxpay_apis::combine_transactions::out_trade_no::close::CloseCombineOrderRequest>(
        Method::Post,
        "v3/combine-transactions/out-trade-no/<combine_out_trade_no>/close",
    );
    pinned::<wxpay_apis::bill::tradebill::TradeBillRequest>(Method::Get, "v3/bill/tradebill");
    pinned::<wxpay_apis::bill::fundflowbill::FundFlowBillRequest>(
        Method::Get,
        "v3/bill/fundflowbill",
    );
    pinned::<wxpay_apis::bill::sub_merchant_fundflowbill::SubMerchantFundFlowBillRequest>(
        Method::Get,
        "v3/bill/sub-merchant-fundflowbill",
    );
    pinned::<wxpay_apis::pay::partner::transactions::scannedpos::PartnerScannedPosPrepayRequest>(
        Method::Post,
        "v3/pay/partner/transactions/scannedpos",
    );
}

#[cfg(feature = "refund")]
#[test]
fn refunds() {
    pinned::<wxpay_apis::refund::domestic::refunds::CreateRefundRequest>(
        Method::Post,
        "v3/refund/domestic/refunds",
    );
    pinned::<wxpay_apis::refund::domestic::refunds::QueryRefundRequest>(
        Method::Get,
        "v3/refund/domestic/refunds/<out_refund_no>",
    );
    pinned::<
        wxpay_apis::refund::domestic::refunds::apply_abnormal_refund::ApplyAbnormalRefundRequest,
    >(
        Method::Post,
        "v3/refund/domestic/refunds/<refund_id>/apply-abnormal-refund",
    );
}

#[cfg(feature = "profitsharing")]
#[test]
fn profit_sharing() {
    pinned::<wxpay_apis::profitsharing::orders::CreateProfitSharingOrderRequest>(
        Method::Post,
        "v3/profitsharing/orders",
    );
    pinned::<wxpay_apis::profitsharing::orders::QueryProfitSharingOrderRequest>(
        Method::Get,
        "v3/profitsharing/orders/<out_order_no>",
    );
    pinned::<wxpay_apis::profitsharing::orders::unfreeze::UnfreezeProfitSharingOrderRequest>(
        Method::Post,
        "v3/profitsharing/orders/unfreeze",
    );
    pinned::<wxpay_apis::profitsharing::return_orders::CreateProfitSharingReturnOrderRequest>(
        Method::Post,
        "v3/profitsharing/return-orders",
    );
    pinned::<wxpay_apis::profitsharing::return_orders::QueryProfitSharingReturnOrderRequest>(
        Method::Get,
        "v3/profitsharing/return-orders/<out_return_no>",
    );
    pinned::<wxpay_apis::profitsharing::transactions::amounts::QueryProfitSharingAmountsRequest>(
        Method::Get,
        "v3/profitsharing/transactions/<transaction_id>/amounts",
    );
    pinned::<wxpay_apis::profitsharing::receivers::add::AddProfitSharingReceiverRequest>(
        Method::Post,
        "v3/profitsharing/receivers/add",
    );
    pinned::<wxpay_apis::profitsharing::receivers::delete::DeleteProfitSharingReceiverRequest>(
        Method::Post,
        "v3/profitsharing/receivers/delete",
    );
    pinned::<wxpay_apis::profitsharing::bills::ProfitSharingBillRequest>(
        Method::Get,
        "v3/profitsharing/bills",
    );
}

#[cfg(feature = "fund-app")]
#[test]
fn merchant_transfers() {
    pinned::<wxpay_apis::fund_app::mch_transfer::transfer_bills::CreateTransferBillRequest>(
        Method::Post,
        "v3/fund-app/mch-transfer/transfer-bills",
    );
    pinned::<wxpay_apis::fund_app::mch_transfer::transfer_bills::out_bill_no::QueryTransferBillByOutBillNoRequest>(Method::Get, "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/<out_bill_no>");
    pinned::<wxpay_apis::fund_app::mch_transfer::transfer_bills::transfer_bill_no::QueryTransferBillByTransferBillNoRequest>(Method::Get, "v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/<transfer_bill_no>");
    pinned::<wxpay_apis::fund_app::mch_transfer::transfer_bills::out_bill_no::cancel::CancelTransferBillRequest>(Method::Post, "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/<out_bill_no>/cancel");
}

#[cfg(feature = "transfer")]
#[test]
fn batch_transfers() {
    pinned::<wxpay_apis::transfer::batches::CreateTransferBatchRequest>(
        Method::Post,
        "v3/transfer/batches",
    );
    pinned::<wxpay_apis::transfer::batches::out_batch_no::QueryTransferBatchByOutBatchNoRequest>(
        Method::Get,
        "v3/transfer/batches/out-batch-no/<out_batch_no>",
    );
    pinned::<wxpay_apis::transfer::batches::batch_id::QueryTransferBatchByIdRequest>(
        Method::Get,
        "v3/transfer/batches/batch-id/<batch_id>",
    );
}

#[cfg(feature = "common")]
#[test]
fn platform_certificates() {
    pinned::<wxpay_apis::certificates::QueryCertificatesRequest>(Method::Get, "v3/certificates");
}
