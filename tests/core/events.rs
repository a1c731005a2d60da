//! Notifications decoded by their event type into `wxpay_apis::events`:
//! each known event into its case, any other kept as it came, and a known
//! event whose resource does not fit refused, naming the event type.

use wxpay_apis::events::Event;
use wxpay_core::notify::Notification;

use crate::notify::{now, Wechat, APIV3};

const PAID: &str = r#"{"amount":{"currency":"CNY","payer_currency":"CNY","payer_total":1,"total":1},"appid":"wxd678efh567hg6787","attach":"","bank_type":"OTHERS","mchid":"1230000109","out_trade_no":"1217752501201407033233368018","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"promotion_detail":[],"success_time":"2023-11-06T16:56:51+08:00","trade_state":"SUCCESS","trade_state_desc":"支付成功","trade_type":"NATIVE","transaction_id":"4200002050202311069075905809"}"#;

/// `event_type` with resource `resource`, signed, encrypted and decoded as
/// an [`Event`].
async fn event(
    wechat: &Wechat,
    event_type: &str,
    resource: &str,
) -> Result<Notification<Event>, wxpay_core::Error> {
    let body = wechat.envelope(event_type, resource, APIV3, "AEAD_AES_256_GCM");
    wechat
        .notifier()
        .parse_event::<Event>(&wechat.headers(&body, now(), false), &body)
        .await
}

#[tokio::test]
async fn each_event_type_decodes_into_its_case() {
    use wxpay_apis::fund_app::mch_transfer::MchTransferState;
    use wxpay_apis::pay::PayTradeState;
    use wxpay_apis::refund::domestic::refunds::RefundStatus;
    let wechat = Wechat::new();

    let n = event(&wechat, "TRANSACTION.SUCCESS", PAID).await.unwrap();
    assert_eq!(n.event_type(), "TRANSACTION.SUCCESS");
    match n.resource {
        Event::Transaction(paid) => {
            assert_eq!(paid.out_trade_no, "1217752501201407033233368018");
            assert_eq!(paid.trade_state, PayTradeState::Success);
        }
        other => panic!("{other:?}"),
    }

    // 合单支付通知: the same event type, told apart by `combine_mchid`.
    let combined = r#"{"combine_appid":"wxd678efh567hg6787","combine_mchid":"1900000109","combine_out_trade_no":"P20150806125346","combine_payer_info":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"scene_info":{"device_id":"POS1:1"},"sub_orders":[{"mchid":"1900000109","sub_mchid":"1900000110","trade_type":"JSAPI","trade_state":"SUCCESS","bank_type":"CMC","attach":"深圳分店","success_time":"2015-05-20T13:29:35+08:00","transaction_id":"4200000000000000000000000000","out_trade_no":"20150806125346","amount":{"total_amount":10,"payer_amount":10,"currency":"CNY","payer_currency":"CNY"}}]}"#;
    match event(&wechat, "TRANSACTION.SUCCESS", combined)
        .await
        .unwrap()
        .resource
    {
        Event::CombineTransaction(combined) => {
            assert_eq!(combined.combine_out_trade_no, "P20150806125346");
            let sub = &combined.sub_orders[0];
            assert_eq!(
                (sub.out_trade_no.as_str(), sub.trade_state.clone()),
                ("20150806125346", PayTradeState::Success)
            );
            assert_eq!(sub.amount.as_ref().map(|a| a.total_amount), Some(10));
        }
        other => panic!("{other:?}"),
    }

    let closed = r#"{"mchid":"1900000100","transaction_id":"1008450740201411110005820873","out_trade_no":"20150806125346","refund_id":"50200207182018070300011301001","out_refund_no":"7752501201407033233368018","refund_status":"CLOSED","user_received_account":"招商银行信用卡0403","amount":{"total":999,"refund":999,"payer_total":999,"payer_refund":999}}"#;
    let n = event(&wechat, "REFUND.CLOSED", closed).await.unwrap();
    assert_eq!(n.event_type(), "REFUND.CLOSED");
    match n.resource {
        Event::Refund(refund) => assert_eq!(refund.refund_status, RefundStatus::Closed),
        other => panic!("{other:?}"),
    }

    let shared = r#"{"sp_mchid":"1900000100","sub_mchid":"1900000109","transaction_id":"4200000000000000000000000000","order_id":"1217752501201407033233368018","out_order_no":"P20150806125346","receiver":{"type":"MERCHANT_ID","account":"1900000100","amount":888,"description":"运费/交易分账/及时奖励"},"success_time":"2018-06-08T10:34:56+08:00"}"#;
    match event(&wechat, "PROFITSHARING.SUCCESS", shared)
        .await
        .unwrap()
        .resource
    {
        Event::ProfitSharing(share) => {
            assert_eq!(
                (share.receiver.amount, share.sub_mchid.as_deref()),
                (888, Some("1900000109"))
            )
        }
        other => panic!("{other:?}"),
    }

    let transferred = r#"{"mchid":"1900001109","out_bill_no":"plfk2020042013","transfer_bill_no":"1330000071100999991182020050700019480001","state":"FAIL","transfer_amount":400000,"fail_reason":"PAYEE_ACCOUNT_ABNORMAL","openid":"o-MYE42l80oelYMDE34nYD456Xoy","create_time":"2015-05-20T13:29:35.120+08:00","update_time":"2015-05-20T13:29:35.120+08:00"}"#;
    match event(&wechat, "MCHTRANSFER.BILL.FINISHED", transferred)
        .await
        .unwrap()
        .resource
    {
        Event::TransferBill(bill) => {
            assert_eq!(bill.state, MchTransferState::Fail);
            assert_eq!(
                (bill.mchid.as_str(), bill.transfer_amount),
                ("1900001109", 400_000)
            );
        }
        other => panic!("{other:?}"),
    }

    let complaint =
        r#"{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}"#;
    match event(&wechat, "COMPLAINT.CREATE", complaint)
        .await
        .unwrap()
        .resource
    {
        Event::Complaint(c) => assert_eq!(c.complaint_id, "200201820200101080076610000"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_event_type_it_does_not_type_keeps_its_json() {
    let wechat = Wechat::new();
    let resource = r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","out_order_no":"1234323JKHDFE1243252","service_id":"500001","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","state":"DONE","total_amount":50000}"#;
    let n = event(&wechat, "PAYSCORE.USER_PAID", resource)
        .await
        .unwrap();
    assert_eq!(
        n.resource,
        Event::Other {
            event_type: "PAYSCORE.USER_PAID".into(),
            resource: serde_json::from_str(resource).unwrap(),
        }
    );
}

#[tokio::test]
async fn a_known_event_whose_resource_does_not_fit_is_refused_by_name() {
    let wechat = Wechat::new();
    // A payment's resource under a refund's event type.
    let err = event(&wechat, "REFUND.SUCCESS", PAID).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("REFUND.SUCCESS"), "{text}");
    assert!(text.contains("missing field"), "{text}");
    // The decrypted resource (personal data) is never quoted.
    assert!(!text.contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), "{text}");
    assert!(!text.contains("1217752501201407033233368018"), "{text}");
}

/// A notify URL that receives one kind decodes it directly, with the query
/// answers' enums.
#[tokio::test]
async fn payloads_decode_into_the_typed_events_of_wxpay_apis() {
    use wxpay_apis::events::{RefundEvent, TransactionEvent};
    use wxpay_apis::pay::{PayTradeState, PayTradeType};
    let wechat = Wechat::new();
    let paid = PAID;
    let body = wechat.envelope("TRANSACTION.SUCCESS", paid, APIV3, "AEAD_AES_256_GCM");
    let n = wechat
        .notifier()
        .parse::<TransactionEvent>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap();
    let event = n.resource;
    assert_eq!(event.trade_state, PayTradeState::Success);
    assert_eq!(event.trade_type, Some(PayTradeType::Native));
    assert_eq!(event.amount.as_ref().map(|a| a.total), Some(1));
    assert_eq!(
        event.payer.and_then(|p| p.openid).as_deref(),
        Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    );
    assert_eq!(
        event.success_time.as_ref().map(|t| t.as_str()),
        Some("2023-11-06T16:56:51+08:00")
    );

    // A state this SDK does not name still decodes.
    let later = paid.replace(r#""trade_state":"SUCCESS""#, r#""trade_state":"NEWSTATE""#);
    let body = wechat.envelope("TRANSACTION.SUCCESS", &later, APIV3, "AEAD_AES_256_GCM");
    let n = wechat
        .notifier()
        .parse::<TransactionEvent>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap();
    assert!(n.resource.trade_state.is_unknown());

    let refunded = r#"{"mchid":"1900000100","transaction_id":"1008450740201411110005820873","out_trade_no":"20150806125346","refund_id":"50200207182018070300011301001","out_refund_no":"7752501201407033233368018","refund_status":"SUCCESS","success_time":"2018-06-08T10:34:56+08:00","user_received_account":"招商银行信用卡0403","amount":{"total":999,"refund":999,"payer_total":999,"payer_refund":999}}"#;
    let body = wechat.envelope("REFUND.SUCCESS", refunded, APIV3, "AEAD_AES_256_GCM");
    let n = wechat
        .notifier()
        .parse::<RefundEvent>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap();
    assert_eq!(
        n.resource.refund_status,
        wxpay_apis::refund::domestic::refunds::RefundStatus::Success
    );
    assert_eq!(n.resource.amount.payer_refund, Some(999));

    // A payment payload is not a refund: the missing field is named.
    let body = wechat.envelope("TRANSACTION.SUCCESS", paid, APIV3, "AEAD_AES_256_GCM");
    let err = wechat
        .notifier()
        .parse::<RefundEvent>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing field"), "{err}");
}
