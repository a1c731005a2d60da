//! One test per exit status `wxpay --help` promises, each from a real
//! failure of its kind (issue 21: a wrong APIv3 key is a configuration
//! error, exit 2, not "other").

use crate::support::*;

#[test]
fn exit_1_wechat_pay_answered_an_error() {
    let out = wxpay(&[
        "request",
        "GET",
        "v3/refund/domestic/refunds/{out_refund_no}",
        "--path",
        "out_refund_no=NO-SUCH-REFUND",
    ]);
    let err = expect_exit(&out, 1);
    assert!(err.contains("  code:       "), "{err}");
}

#[test]
fn exit_2_a_wrong_apiv3_key_is_a_configuration_error() {
    let dir = temp("exit2");
    let wrong = dir.join("apiv3_key.txt");
    std::fs::write(&wrong, "0123456789abcdef0123456789abcdef").unwrap();
    let out = wxpay(&["--apiv3-key-file", wrong.to_str().unwrap(), "certificates"]);
    let err = expect_exit(&out, 2);
    assert!(
        err.contains("decrypt a platform certificate of the v3/certificates listing"),
        "{err}"
    );
    assert!(err.contains("the APIv3 key is most likely wrong"), "{err}");
    assert!(
        !err.contains("0123456789abcdef"),
        "the key is never printed: {err}"
    );
    assert!(out.stdout.is_empty());

    // The same key on a callback: the resource does not decrypt.
    let (headers, body) = shared()
        .sandbox
        .notification(
            "TRANSACTION.SUCCESS",
            "transaction",
            "支付成功",
            &json!({"out_trade_no": "CLI-EXIT-2", "trade_state": "SUCCESS"}),
        )
        .unwrap();
    let mut args = vec![
        "--apiv3-key-file".to_owned(),
        wrong.to_str().unwrap().to_owned(),
        "notify".to_owned(),
    ];
    for (name, value) in &headers {
        args.push("-H".into());
        args.push(format!("{name}: {}", value.to_str().unwrap()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = wxpay_stdin(&args, &body);
    let err = expect_exit(&out, 2);
    assert!(err.contains("decrypt the callback's resource"), "{err}");
    assert!(err.contains("the APIv3 key is most likely wrong"), "{err}");
}

#[test]
fn exit_3_an_answer_that_does_not_verify() {
    let out = wxpay(&[
        "request",
        "GET",
        "v3/certificates",
        "--header",
        "Wxpay-Sandbox-Fault=tampered-body",
    ]);
    let err = expect_exit(&out, 3);
    assert!(err.contains("signature does not match"), "{err}");
}

#[test]
fn exit_4_network_or_timeout() {
    let config = config();
    let out = run_with(
        &[
            "--config",
            config.to_str().unwrap(),
            "--base-url",
            "http://127.0.0.1:9/",
            "request",
            "GET",
            "v3/certificates",
        ],
        &[],
        b"",
    );
    let err = expect_exit(&out, 4);
    assert!(err.contains("cannot reach WeChat Pay"), "{err}");
    assert!(err.contains("the outcome is unknown"), "{err}");
}

#[test]
fn exit_5_other_a_value_not_encrypted_for_this_merchant() {
    let err = expect_exit(&wxpay(&["decrypt", "bm90IGEgY2lwaGVydGV4dA=="]), 5);
    assert!(
        err.contains("cannot decrypt the value with the merchant private key"),
        "{err}"
    );
}

#[test]
fn exit_6_a_bill_and_the_records_differ() {
    let (bill, date) = crate::bills::saved_bill_and_date();
    let dir = temp("exit6");
    let orders = dir.join("orders.csv");
    // The bill has two payments; the records know of a third.
    std::fs::write(
        &orders,
        format!("out_trade_no,total,state,paid_at\nEXIT-6-LOST,100,PAID,{date} 12:00:00\n"),
    )
    .unwrap();
    let out = run_with(
        &[
            "bill",
            "reconcile",
            bill.to_str().unwrap(),
            "--date",
            &date,
            "--orders",
            orders.to_str().unwrap(),
        ],
        &[],
        b"",
    );
    let err = expect_exit(&out, 6);
    assert!(err.contains("EXIT-6-LOST"), "{err}");
}
