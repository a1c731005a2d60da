//! `paysign` and `bill`.

use crate::support::*;

#[test]
fn paysign_signs_jsapi_and_app_parameters_with_the_merchant_key() {
    let key = PrivateKey::from_pem_file(shared().dir.join(MERCHANT_KEY_FILE)).unwrap();
    let fixed = [
        "--timestamp",
        "1700000000",
        "--nonce",
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    ];
    let mut args = vec![
        "paysign",
        "jsapi",
        "--appid",
        APPID,
        "--prepay-id",
        "wx201410272009395522657a690389285100",
    ];
    args.extend_from_slice(&fixed);
    let jsapi = json_out(&wxpay(&args));
    let expected = shared().runtime.block_on(wxpay_core::paysign::jsapi_with(
        &key,
        APPID,
        "wx201410272009395522657a690389285100",
        1_700_000_000,
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    ));
    assert_eq!(jsapi, serde_json::to_value(expected.unwrap()).unwrap());

    args[1] = "app";
    let app = json_out(&wxpay(&args));
    assert_eq!(app["partnerid"], shared().sandbox.merchant().mchid.as_str());
    assert_eq!(app["package"], "Sign=WXPay");
    let message = format!(
        "{APPID}\n1700000000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nwx201410272009395522657a690389285100\n"
    );
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(app["sign"].as_str().unwrap())
        .unwrap();
    assert!(key
        .public_key()
        .verify_sha256(message.as_bytes(), &signature));
}

#[test]
fn paysign_without_a_prepay_id_exits_2() {
    let err = expect_exit(&wxpay(&["paysign", "jsapi", "--appid", APPID]), 2);
    assert!(err.contains("--prepay-id"), "{err}");
}

#[test]
fn bill_is_downloaded_hash_checked_and_saved_quietly_when_piped() {
    let mchid = shared().sandbox.merchant().mchid.clone();
    expect_ok(&wxpay(&[
        "request",
        "POST",
        "v3/pay/transactions/jsapi",
        "--json",
        &jsapi_order("CLI-BILL-1"),
    ]));
    {
        // Paying starts the sandbox's notification work on its runtime.
        let _runtime = shared().runtime.enter();
        shared().sandbox.pay_order(&mchid, "CLI-BILL-1").unwrap();
    }
    let dir = temp("bill");
    let file = dir.join("trade.csv");
    let out = wxpay(&[
        "bill",
        "trade",
        "--date",
        &today_cst(),
        "--out",
        file.to_str().unwrap(),
    ]);
    let printed = expect_ok(&out);
    assert!(printed.starts_with("saved "), "{printed}");
    assert!(printed.contains("verified"), "{printed}");
    assert!(
        out.stderr.is_empty(),
        "no progress when piped: {}",
        stderr(&out)
    );
    let content = std::fs::read_to_string(&file).unwrap();
    assert!(content.contains("CLI-BILL-1"), "{content}");
    assert!(!dir.join("trade.csv.partial").exists());

    let forced = wxpay(&[
        "bill",
        "trade",
        "--date",
        &today_cst(),
        "--out",
        file.to_str().unwrap(),
        "--progress",
        "always",
    ]);
    expect_ok(&forced);
    assert!(
        stderr(&forced).contains("downloading"),
        "{}",
        stderr(&forced)
    );
}

#[test]
fn bill_for_a_bad_date_exits_1_and_writes_nothing() {
    let dir = temp("bill-bad");
    let file = dir.join("trade.csv");
    let err = expect_exit(
        &wxpay(&[
            "bill",
            "trade",
            "--date",
            "2020-13-45",
            "--out",
            file.to_str().unwrap(),
        ]),
        1,
    );
    assert!(err.contains("PARAM_ERROR"), "{err}");
    assert!(!file.exists());
}
