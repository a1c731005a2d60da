//! The quickstart: starts the WeChat Pay sandbox in-process, builds a client
//! for its demo merchant (an e-commerce platform with a second-level
//! merchant), and runs a profit-sharing round trip through the typed API:
//! a paid order, a receiver, a split, its result, a return and its result.
//! Every request is signed and every answer verified, exactly as against the
//! real WeChat Pay. Exits non-zero if anything fails.
//!
//! Run: `cargo run --example quickstart`

use std::error::Error;

use wxpay_apis::ecommerce::profitsharing::orders::{
    CreateProfitsharingOrdersReceiver, CreateProfitsharingOrdersReceiverRequired,
    CreateProfitsharingOrdersRequest, CreateProfitsharingOrdersRequired,
    QueryProfitsharingOrdersRequest, QueryProfitsharingOrdersRequired,
};
use wxpay_apis::ecommerce::profitsharing::receivers::add::{
    AddProfitsharingReceiversRelationType, AddProfitsharingReceiversRequest,
    AddProfitsharingReceiversRequired,
};
use wxpay_apis::ecommerce::profitsharing::returnorders::{
    CreateReturnOrderRequest, CreateReturnOrderRequired, QueryReturnOrderRequest,
    QueryReturnOrderRequired, SharingOrder,
};
use wxpay_apis::ecommerce::profitsharing::ProfitsharingReceiverType;
use wxpay_apis::pay::partner::transactions::jsapi::{
    PartnerJsapiPrepayPayer, PartnerJsapiPrepayRequest, PartnerJsapiPrepayRequired,
};
use wxpay_apis::pay::partner::transactions::{PayerOpenid, PrepaySettleInfo};
use wxpay_apis::pay::PayAmount;
use wxpay_sandbox::{KeyMode, Sandbox, DEFAULT_SUB_MCHID as SUB_MCHID};

const APPID: &str = "wx8888888888888888";
/// The merchant the platform shares to (its commission account, say).
const RECEIVER: &str = "1900000110";

/// Prints a failure as users would: `{e}` alone says what failed, why and
/// what to fix (returning the error from `main` would print its `Debug`).
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let sandbox = Sandbox::builder()
        .key_mode(KeyMode::Certificate)
        // Splits settle when this program says (WeChat takes a moment).
        .profit_sharing_settle_after(None)
        .start()
        .await?;
    let mchid = sandbox.merchant().mchid.clone();
    println!("WeChat Pay sandbox on {}", sandbox.base_url());
    println!(
        "  merchant {mchid} (certificate serial {}), platform certificate {}",
        sandbox.merchant().serial_no,
        sandbox.platform_serial()
    );
    let client = sandbox.client_builder().build()?;

    println!("\n1. 服务商下单  POST /v3/pay/partner/transactions/jsapi");
    // Required fields go to `new`, each named; optional ones are set after.
    let mut order = PartnerJsapiPrepayRequest::new(PartnerJsapiPrepayRequired {
        amount: PayAmount::new(1000),
        description: "quickstart",
        notify_url: "https://example.com/wxpay/notify",
        out_trade_no: "QS-ORDER-1",
        payer: PartnerJsapiPrepayPayer::new(PayerOpenid::SpOpenid("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")),
        sp_appid: APPID,
        sub_mchid: SUB_MCHID,
    });
    let mut settle_info = PrepaySettleInfo::new();
    settle_info.profit_sharing = Some(true);
    order.settle_info = Some(settle_info);
    let prepay = order.send(&client).await?;
    // The payer pays (in the sandbox: its pay page, or this call).
    let paid = sandbox.pay_order(&mchid, "QS-ORDER-1")?;
    let transaction_id = paid["transaction_id"].as_str().unwrap_or_default();
    println!(
        "   prepay {}; paid 1000 fen: transaction {transaction_id}",
        prepay.prepay_id
    );

    println!("\n2. 添加分账接收方  POST /v3/ecommerce/profitsharing/receivers/add");
    let mut receiver = AddProfitsharingReceiversRequest::new(AddProfitsharingReceiversRequired {
        account: RECEIVER,
        appid: APPID,
        relation_type: AddProfitsharingReceiversRelationType::ServiceProvider,
        r#type: ProfitsharingReceiverType::MerchantId,
    });
    receiver.name = Some("示例平台佣金账户有限公司");
    let receiver = receiver.send(&client).await?;
    println!("   {} {} may receive", receiver.r#type, receiver.account);

    println!("\n3. 请求分账  POST /v3/ecommerce/profitsharing/orders");
    let receivers = [CreateProfitsharingOrdersReceiver::new(
        CreateProfitsharingOrdersReceiverRequired {
            amount: 300,
            description: "平台佣金",
            receiver_account: RECEIVER,
            r#type: ProfitsharingReceiverType::MerchantId,
        },
    )];
    let split = CreateProfitsharingOrdersRequest::new(CreateProfitsharingOrdersRequired {
        finish: false,
        out_order_no: "QS-SPLIT-1",
        receivers: &receivers,
        sub_mchid: SUB_MCHID,
        transaction_id,
    })
    .send(&client)
    .await?;
    println!(
        "   split {} is {}",
        split.order_id,
        split.status.map(|s| s.to_string()).unwrap_or_default()
    );
    sandbox.settle_profit_sharing(&mchid, "QS-SPLIT-1")?;

    println!("\n4. 查询分账结果  GET /v3/ecommerce/profitsharing/orders");
    let split = QueryProfitsharingOrdersRequest::new(QueryProfitsharingOrdersRequired {
        sub_mchid: SUB_MCHID,
        transaction_id,
        out_order_no: &split.out_order_no,
    })
    .send(&client)
    .await?;
    for share in split.receivers.iter().flatten() {
        let result = share
            .result
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        println!(
            "   {} fen to {}: {result}",
            share.amount, share.receiver_account
        );
    }

    println!("\n5. 请求分账回退  POST /v3/ecommerce/profitsharing/returnorders");
    // The split is named by WeChat's order_id or by our out_order_no, exactly one.
    let back = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
        sub_mchid: SUB_MCHID,
        order: SharingOrder::OrderId(&split.order_id),
        out_return_no: "QS-RETURN-1",
        return_mchid: RECEIVER,
        amount: 100,
        description: "用户退款",
    })
    .send(&client)
    .await?;
    println!(
        "   return {} ({} fen from {}) is {}",
        back.return_no, back.amount, back.return_mchid, back.result
    );

    println!("\n6. 查询分账回退结果  GET /v3/ecommerce/profitsharing/returnorders");
    let back = QueryReturnOrderRequest::new(QueryReturnOrderRequired {
        sub_mchid: SUB_MCHID,
        order: SharingOrder::OutOrderNo(&split.out_order_no),
        out_return_no: &back.out_return_no,
    })
    .send(&client)
    .await?;
    println!(
        "   return {} ({} fen) is {}, finished {}",
        back.return_no, back.amount, back.result, back.finish_time
    );

    println!("\nAll six requests signed, verified and decoded.");
    sandbox.shutdown().await;
    Ok(())
}
