//! The quickstart: starts the WeChat Pay sandbox in-process, builds a client
//! for its demo merchant, and runs the six seed operations end to end through
//! the typed API. Every request is signed and every answer verified, exactly
//! as against the real WeChat Pay. Exits non-zero if anything fails.
//!
//! Run: `cargo run --example quickstart`

use std::error::Error;

use wxpay_apis::ecommerce::profitsharing::after_sales_orders::{
    AfterSalesScene, AfterSalesType, CreateAfterSalesOrderRequest, CreateAfterSalesOrderRequired,
    QueryAfterSalesOrderRequest, QueryAfterSalesOrderRequired,
};
use wxpay_apis::ecommerce::profitsharing::returnorders::{
    CreateReturnOrderRequest, CreateReturnOrderRequired, QueryReturnOrderRequest,
    QueryReturnOrderRequired, SharingOrder,
};
use wxpay_apis::ecommerce::refunds::return_advance::{
    QueryReturnAdvanceRequest, QueryReturnAdvanceRequired, ReturnAdvanceRequest,
    ReturnAdvanceRequired,
};
use wxpay_sandbox::{KeyMode, Sandbox};

const SUB_MCHID: &str = "1900000109";

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
        .start()
        .await?;
    println!("WeChat Pay sandbox on {}", sandbox.base_url());
    println!(
        "  merchant {} (certificate serial {}), platform certificate {}",
        sandbox.merchant().mchid,
        sandbox.merchant().serial_no,
        sandbox.platform_serial()
    );
    let client = sandbox.client_builder().build()?;

    println!("\n1. 请求售后服务分账  POST /v3/ecommerce/profitsharing/after-sales-orders");
    let split = CreateAfterSalesOrderRequest::new(CreateAfterSalesOrderRequired {
        sub_mchid: SUB_MCHID,
        transaction_id: "4208450740201411110007820472",
        amount: 120,
        refund_id: "3008450740201411110007820472",
        scene: AfterSalesScene::RefundTicket,
        r#type: AfterSalesType::ServiceFeeIncome,
    })
    .send(&client)
    .await?;
    println!(
        "   split {} fen of transaction {}",
        split.amount, split.transaction_id
    );

    println!("\n2. 查询售后服务分账结果  GET /v3/ecommerce/profitsharing/after-sales-orders");
    let result = QueryAfterSalesOrderRequest::new(QueryAfterSalesOrderRequired {
        sub_mchid: SUB_MCHID,
        transaction_id: &split.transaction_id,
    })
    .send(&client)
    .await?;
    println!(
        "   {} fen, result {}, finished {}",
        result.amount, result.result, result.finish_time
    );

    println!("\n3. 请求分账回退  POST /v3/ecommerce/profitsharing/returnorders");
    // Required fields go to `new`, each named; the profit-sharing order is
    // named by WeChat's order_id or by our out_order_no, exactly one.
    let order = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
        sub_mchid: SUB_MCHID,
        order: SharingOrder::OrderId("3008450740201411110007820472"),
        out_return_no: "R20190516001",
        return_mchid: "86693852",
        amount: 10,
        description: "分账回退",
    })
    .send(&client)
    .await?;
    println!(
        "   return {} ({} fen) is {}",
        order.return_no, order.amount, order.result
    );

    println!("\n4. 查询分账回退结果  GET /v3/ecommerce/profitsharing/returnorders");
    let order = QueryReturnOrderRequest::new(QueryReturnOrderRequired {
        sub_mchid: SUB_MCHID,
        order: SharingOrder::OrderId(&order.order_id),
        out_return_no: &order.out_return_no,
    })
    .send(&client)
    .await?;
    println!(
        "   return {} ({} fen) is now {}",
        order.return_no, order.amount, order.result
    );

    println!("\n5. 垫付退款回补  POST /v3/ecommerce/refunds/{{refund_id}}/return-advance");
    let refund_id = "50000000382019052709732678859";
    let advance = ReturnAdvanceRequest::new(ReturnAdvanceRequired {
        refund_id,
        sub_mchid: SUB_MCHID,
    })
    .send(&client)
    .await?;
    println!(
        "   advance return {}: {} fen from {} to {}, {}",
        advance.advance_return_id,
        advance.return_amount,
        advance.payer_mchid,
        advance.payee_mchid,
        advance.result
    );

    println!("\n6. 查询垫付回补结果  GET /v3/ecommerce/refunds/{{refund_id}}/return-advance");
    let advance = QueryReturnAdvanceRequest::new(QueryReturnAdvanceRequired {
        refund_id,
        sub_mchid: SUB_MCHID,
    })
    .send(&client)
    .await?;
    println!(
        "   advance return {}: {} fen, {} at {}",
        advance.advance_return_id,
        advance.return_amount,
        advance.result,
        advance.success_time.as_deref().unwrap_or("-")
    );

    println!("\nAll six operations signed, verified and decoded.");
    sandbox.shutdown().await;
    Ok(())
}
