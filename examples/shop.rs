//! A JSAPI shop, end to end against the sandbox, through the typed API:
//! prepay → the sandbox pays (as a customer would) → TRANSACTION.SUCCESS
//! reaches an axum handler (verified, decrypted and typed by the `VerifiedEvent` extractor) → the query says SUCCESS →
//! a partial refund → REFUND.SUCCESS reaches the handler → the next morning
//! (the sandbox's clock moved) the day's trade bill streams in, SHA-1 and
//! summary checked, and is reconciled against the shop's own orders. Every
//! request is signed and every answer verified, as against WeChat Pay.
//! Exits non-zero on failure.
//!
//! Run: `cargo run --example shop`

use std::error::Error;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;
use wxpay_apis::events::Event;
use wxpay_core::bills::{
    AsyncTradeBillReader, ChinaTime, LocalBook, LocalOrder, LocalRefund, LocalRefundState,
    Reconciler, TradeRecord,
};
use wxpay_core::notify::axum::{Success, VerifiedEvent};
use wxpay_core::notify::{Notification, Notifier};
use wxpay_core::ApiV3Key;
use wxpay_sandbox::Sandbox;

const APPID: &str = "wxd678efh567hg6787";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const ORDER: &str = "SHOP20240101000001";

/// The typed WeChat Pay calls of the shop, in one place.
mod wechat {
    use wxpay_apis::bill::tradebill::TradeBillRequest;
    use wxpay_apis::pay::transactions::jsapi::{
        JsapiPrepayPayer, JsapiPrepayRequest, JsapiPrepayRequired,
    };
    use wxpay_apis::pay::transactions::out_trade_no::{
        QueryOrderByOutTradeNoRequest, QueryOrderByOutTradeNoResponse,
    };
    use wxpay_apis::pay::PayAmount;
    use wxpay_apis::refund::domestic::refunds::{
        CreateRefundAmount, CreateRefundAmountRequired, CreateRefundRequest, CreateRefundRequired,
        CreateRefundResponse, RefundedOrder,
    };
    use wxpay_core::bills::BillInfo;
    use wxpay_core::{Client, Error};

    /// `POST v3/pay/transactions/jsapi`: the `prepay_id`.
    pub async fn prepay(
        client: &Client,
        appid: &str,
        openid: &str,
        out_trade_no: &str,
        total: i64,
        notify_url: &str,
    ) -> Result<String, Error> {
        let mut amount = PayAmount::new(total);
        amount.currency = Some("CNY");
        let request = JsapiPrepayRequest::new(JsapiPrepayRequired {
            amount,
            appid,
            description: "Image形象店-深圳腾大-QQ公仔",
            notify_url,
            out_trade_no,
            payer: JsapiPrepayPayer::new(openid),
        });
        // `mchid` is the client's own. Keyed by out_trade_no, so safe to
        // retry on a 5xx or a timeout.
        Ok(client.send_idempotent(&request).await?.prepay_id)
    }

    /// `POST v3/refund/domestic/refunds`.
    pub async fn refund(
        client: &Client,
        out_trade_no: &str,
        out_refund_no: &str,
        refund: i64,
        total: i64,
        notify_url: &str,
    ) -> Result<CreateRefundResponse, Error> {
        let mut request = CreateRefundRequest::new(CreateRefundRequired {
            amount: CreateRefundAmount::new(CreateRefundAmountRequired {
                currency: "CNY",
                refund,
                total,
            }),
            order: RefundedOrder::OutTradeNo(out_trade_no),
            out_refund_no,
        });
        request.notify_url = Some(notify_url);
        request.reason = Some("尺码不合适");
        // One refund per out_refund_no, however many requests.
        client.send_idempotent(&request).await
    }

    /// `GET v3/pay/transactions/out-trade-no/{out_trade_no}`: the order as it stands.
    pub async fn query(
        client: &Client,
        out_trade_no: &str,
    ) -> Result<QueryOrderByOutTradeNoResponse, Error> {
        QueryOrderByOutTradeNoRequest::new(out_trade_no)
            .send(client)
            .await
    }

    /// `GET v3/bill/tradebill`: where the day's bill is and its SHA-1.
    pub async fn trade_bill(client: &Client, bill_date: &str) -> Result<BillInfo, Error> {
        TradeBillRequest::new(bill_date).send(client).await
    }
}

type Events = mpsc::UnboundedSender<Notification<Event>>;

/// What the notification endpoint shares: the notifier (which the
/// `VerifiedEvent` extractor finds through `FromRef`) and where events go.
#[derive(Clone)]
struct Shop {
    notifier: Notifier,
    events: Events,
}

impl FromRef<Shop> for Notifier {
    fn from_ref(shop: &Shop) -> Notifier {
        shop.notifier.clone()
    }
}

/// The shop's notification endpoint: the extractor verified and decrypted
/// the raw body and decoded it by event type (anything else was answered FAIL before this ran, and
/// WeChat Pay retries it); 204 tells WeChat Pay it was handled.
async fn notify(
    State(shop): State<Shop>,
    VerifiedEvent(notification): VerifiedEvent<Event>,
) -> Success {
    println!(
        "   handler: {} ({}) verified and decrypted",
        notification.envelope.event_type, notification.envelope.summary
    );
    // A real shop records it idempotently, keyed by notification.envelope.id.
    let _ = shop.events.send(notification);
    Success
}

/// The next notification, within 10 s.
async fn next_event(
    events: &mut mpsc::UnboundedReceiver<Notification<Event>>,
) -> Result<Event, Box<dyn Error>> {
    let notification = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .map_err(|_| "no notification within 10 s")?
        .ok_or("the handler stopped")?;
    Ok(notification.resource)
}

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
    // The sandbox pays every order half a second after its prepay, as a
    // customer would on the WeChat cashier.
    let sandbox = Sandbox::builder()
        .auto_pay(Duration::from_millis(500))
        .start()
        .await?;
    let client = sandbox.client_builder().build()?;
    println!("WeChat Pay sandbox on {}", sandbox.base_url());

    let notifier = Notifier::for_client(&client, ApiV3Key::new(&sandbox.merchant().apiv3_key)?);
    let (sender, mut events) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/wxpay/notify", post(notify))
        .with_state(Shop {
            notifier,
            events: sender,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/wxpay/notify", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    println!("\n1. JSAPI下单  POST /v3/pay/transactions/jsapi");
    let prepay_id = wechat::prepay(&client, APPID, OPENID, ORDER, 1999, &notify_url).await?;
    let params = client.jsapi_pay_params(APPID, &prepay_id).await?;
    println!(
        "   prepay_id {prepay_id}; the page calls WeixinJSBridge with package {} and a {}-byte paySign",
        params.package,
        params.pay_sign.len()
    );

    println!("\n2. The customer pays; WeChat Pay notifies the shop");
    let Event::Transaction(paid) = next_event(&mut events).await? else {
        return Err("expected TRANSACTION.SUCCESS".into());
    };
    println!(
        "   order {} paid: {} fen, transaction {}",
        paid.out_trade_no,
        paid.amount.as_ref().map_or(0, |a| a.total),
        paid.transaction_id.as_deref().unwrap_or("")
    );

    println!("\n3. 查询订单  GET /v3/pay/transactions/out-trade-no/{ORDER}");
    let order = wechat::query(&client, ORDER).await?;
    let state = order.trade_state.as_ref().map(|s| s.as_str()).unwrap_or("");
    println!(
        "   trade_state {state} ({}), {} fen paid",
        order.trade_state_desc.as_deref().unwrap_or(""),
        order
            .amount
            .as_ref()
            .and_then(|a| a.payer_total)
            .unwrap_or(0)
    );
    if state != "SUCCESS" {
        return Err("the paid order does not read SUCCESS".into());
    }

    println!("\n4. 退款申请  POST /v3/refund/domestic/refunds (partial: 500 of 1999 fen)");
    let refund = wechat::refund(&client, ORDER, "SHOP-REFUND-1", 500, 1999, &notify_url).await?;
    println!("   refund {} is {}", refund.refund_id, refund.status);
    let Event::Refund(refunded) = next_event(&mut events).await? else {
        return Err("expected REFUND.SUCCESS".into());
    };
    println!(
        "   refund {} {}: {} fen back to {}",
        refunded.out_refund_no,
        refunded.refund_status,
        refunded.amount.refund,
        refunded.user_received_account.as_deref().unwrap_or("")
    );

    // The bill of the day the payment succeeded: a China calendar day, whose
    // bill WeChat Pay has from 10:00 China time the next morning. The
    // sandbox's clock moves there instead of making the shop wait a night.
    let paid_at = paid
        .success_time
        .as_ref()
        .and_then(|t| ChinaTime::parse_rfc3339(t.as_str()))
        .ok_or("success_time is missing")?;
    let bill_date = paid_at.date();
    let refund_day = refunded
        .success_time
        .as_ref()
        .and_then(|t| ChinaTime::parse_rfc3339(t.as_str()))
        .ok_or("the refund's success_time is missing")?;
    let next_morning = sandbox.advance_to_bill_time();
    println!("\n5. The next morning ({next_morning}'s bills are ready from 10:00 China time)");
    println!("   申请交易账单  GET /v3/bill/tradebill?bill_date={bill_date}");
    let info = wechat::trade_bill(&client, &bill_date.to_string()).await?;
    let download = client.download_bill(&info).await?;

    // What the shop itself recorded that day: the order it saw paid and the
    // refund it asked for (the sandbox settled it at once, the same day).
    let mut books = LocalBook::new();
    books.add_order(LocalOrder::paid(ORDER, 1999, paid_at));
    books.add_refund(
        LocalRefund::requested("SHOP-REFUND-1", ORDER, 500, refund_day)
            .with_state(LocalRefundState::Succeeded),
    );
    // Rows stream out of the verified download as it arrives; the SHA-1 and
    // the bill's own summary are checked at its end.
    let mut rows = AsyncTradeBillReader::new(download.into_reader());
    let mut reconciler = Reconciler::new(bill_date, &books);
    while let Some(row) = rows.next().await {
        let row = row?;
        match &row {
            TradeRecord::Payment(p) => println!(
                "   | payment {} {} fen at {}, fee {} yuan",
                p.out_trade_no(),
                p.order_total(),
                p.time(),
                p.fee()
            ),
            TradeRecord::Refund(r) => println!(
                "   | refund  {} of {}: {} fen, {}",
                r.out_refund_no(),
                r.out_trade_no(),
                r.refund(),
                r.refund_status().map(|s| s.as_str()).unwrap_or("")
            ),
            _ => {}
        }
        reconciler.check(&row);
    }
    let summary = rows.summary().ok_or("the bill ended without its summary")?;
    println!(
        "   summary: {} rows, {} fen settled, fees {} yuan: the rows add up",
        summary.count, summary.settlement_total, summary.fee_total
    );
    println!("\n6. 对账: the bill against the shop's own records");
    let report = reconciler.finish();
    for difference in &report.discrepancies {
        println!("   ! {difference}");
    }
    println!(
        "   {} payment(s) and {} refund(s) in the bill, {} matched",
        report.payments, report.refunds, report.matched
    );
    if !report.is_clean() || report.matched != 2 {
        return Err("the bill and the shop's records differ".into());
    }

    sandbox.shutdown().await;
    println!("\nThe whole lifecycle ran offline, signed and verified at every step.");
    Ok(())
}
