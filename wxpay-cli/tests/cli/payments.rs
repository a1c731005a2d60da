//! `paysign`.

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
