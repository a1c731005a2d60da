//! `wxpay request` and where its settings come from.

use crate::support::*;

#[test]
fn request_posts_json_and_gets_a_verified_answer_pretty_raw_and_with_headers() {
    let created = json_out(&wxpay(&[
        "request",
        "POST",
        "v3/pay/transactions/jsapi",
        "--json",
        &jsapi_order("CLI-REQ-1"),
    ]));
    assert!(created["prepay_id"].as_str().is_some(), "{created}");

    let mchid = shared().sandbox.merchant().mchid.clone();
    let args = [
        "request",
        "get",
        "v3/pay/transactions/out-trade-no/{out_trade_no}",
        "--path",
        "out_trade_no=CLI-REQ-1",
        "--query",
        &format!("mchid={mchid}"),
    ];
    let pretty = expect_ok(&wxpay(&args));
    assert!(
        pretty.contains("\n  \"trade_state\": \"NOTPAY\""),
        "{pretty}"
    );

    let mut raw_args = args.to_vec();
    raw_args.push("--raw");
    let raw = expect_ok(&wxpay(&raw_args));
    let parsed: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(parsed["out_trade_no"], "CLI-REQ-1");
    assert!(
        !raw.contains("\n  "),
        "the exact body, not re-indented: {raw}"
    );

    let mut include_args = args.to_vec();
    include_args.push("-i");
    let included = expect_ok(&wxpay(&include_args));
    assert!(
        included.starts_with("HTTP 200 OK\nRequest-ID: "),
        "{included}"
    );
    assert!(
        included
            .to_ascii_lowercase()
            .contains("\nwechatpay-signature: "),
        "{included}"
    );
    let (_, body) = included.split_once("\n\n").unwrap();
    assert_eq!(serde_json::from_str::<Value>(body).unwrap(), parsed);
}

#[test]
fn request_body_comes_from_a_file_or_stdin() {
    let dir = temp("body");
    let file = dir.join("order.json");
    std::fs::write(&file, jsapi_order("CLI-REQ-FILE")).unwrap();
    let at_file = format!("@{}", file.display());
    let created = json_out(&wxpay(&[
        "request",
        "POST",
        "v3/pay/transactions/jsapi",
        "--json",
        &at_file,
    ]));
    assert!(created["prepay_id"].is_string());

    let from_stdin = wxpay_stdin(
        &[
            "request",
            "POST",
            "v3/pay/transactions/jsapi",
            "--json",
            "@-",
        ],
        jsapi_order("CLI-REQ-STDIN").as_bytes(),
    );
    assert!(json_out(&from_stdin)["prepay_id"].is_string());
}

#[test]
fn request_error_exits_1_with_wechats_code_message_and_request_id() {
    // The command of the sandbox's README, against a refund that does not exist.
    let out = wxpay(&[
        "request",
        "GET",
        "v3/ecommerce/refunds/{refund_id}/return-advance",
        "--path",
        "refund_id=50000000382019052709732678859",
        "--query",
        "sub_mchid=1900000109",
    ]);
    let err = expect_exit(&out, 1);
    assert!(out.stdout.is_empty());
    assert!(err.contains("  code:       "), "{err}");
    assert!(err.contains("  message:    "), "{err}");
    assert!(err.contains("  Request-ID: "), "{err}");
}

#[test]
fn a_tampered_answer_exits_3_with_the_verification_reason() {
    let out = wxpay(&[
        "request",
        "GET",
        "v3/certificates",
        "--header",
        "Wxpay-Sandbox-Fault=tampered-body",
    ]);
    let err = expect_exit(&out, 3);
    assert!(out.stdout.is_empty(), "nothing unverified is printed");
    assert!(
        err.starts_with(
            "wxpay: the answer failed signature verification and was discarded \
             (do not act on it): the signature does not match"
        ) && err.contains("(Request-ID "),
        "{err}"
    );
}

#[test]
fn bad_request_arguments_exit_2() {
    let err = expect_exit(&wxpay(&["request", "FETCH", "v3/certificates"]), 2);
    assert!(err.contains("FETCH"), "{err}");
    let err = expect_exit(
        &wxpay(&[
            "request",
            "POST",
            "v3/pay/transactions/jsapi",
            "--json",
            "{nope",
        ]),
        2,
    );
    assert!(err.contains("--json is not valid JSON"), "{err}");
    let err = expect_exit(
        &wxpay(&["request", "GET", "v3/x/{id}", "--path", "nope"]),
        2,
    );
    assert!(err.contains("NAME=VALUE"), "{err}");
    let err = expect_exit(&wxpay(&["request", "GET", "v3/x/{id}"]), 2);
    assert!(err.contains("`id`"), "{err}");
}

#[test]
fn flags_beat_the_environment_which_beats_the_profile() {
    let config = config();
    let config = config.to_str().unwrap();
    // A dead base URL in the environment overrides the profile: exit 4.
    let dead = [("WXPAY_BASE_URL", "http://127.0.0.1:9/")];
    let out = run_with(
        &["--config", config, "request", "GET", "v3/certificates"],
        &dead,
        b"",
    );
    expect_exit(&out, 4);
    // The flag overrides the environment again.
    let base = shared().sandbox.base_url().to_owned();
    let out = run_with(
        &[
            "--config",
            config,
            "--base-url",
            &base,
            "request",
            "GET",
            "v3/certificates",
        ],
        &dead,
        b"",
    );
    assert!(json_out(&out)["data"].is_array());
}

#[test]
fn the_environment_alone_configures_a_client() {
    let shared = shared();
    let merchant = shared.sandbox.merchant();
    let key = shared.dir.join(MERCHANT_KEY_FILE);
    let certificate = shared.dir.join(MERCHANT_CERT_FILE);
    let apiv3 = merchant.apiv3_key.clone();
    let mut env = [
        ("WXPAY_MCHID", merchant.mchid.as_str()),
        ("WXPAY_MERCHANT_CERTIFICATE", certificate.to_str().unwrap()),
        ("WXPAY_PRIVATE_KEY", key.to_str().unwrap()),
        ("WXPAY_APIV3_KEY", apiv3.as_str()),
        ("WXPAY_BASE_URL", shared.sandbox.base_url()),
    ];
    // No verification key configured: the certificates are downloaded first.
    let out = run_with(&["request", "GET", "v3/certificates"], &env, b"");
    assert!(json_out(&out)["data"].is_array());

    // A private key that is not the merchant certificate's: refused before
    // any request, naming the certificate's serial (issue 21, item 6).
    let stranger = shared.dir.join(PLATFORM_KEY_FILE);
    env[2].1 = stranger.to_str().unwrap();
    let err = expect_exit(
        &run_with(&["request", "GET", "v3/certificates"], &env, b""),
        2,
    );
    assert!(
        err.contains(&format!(
            "does not belong to merchant certificate {}",
            merchant.serial_no
        )),
        "{err}"
    );
}

#[test]
fn missing_settings_and_profiles_exit_2_naming_the_fix_and_never_the_secret() {
    let err = expect_exit(
        &run_with(&["request", "GET", "v3/certificates"], &[], b""),
        2,
    );
    assert!(
        err.contains("WXPAY_MCHID") && err.contains("--mchid"),
        "{err}"
    );

    let config = config();
    let err = expect_exit(
        &run_with(
            &[
                "--config",
                config.to_str().unwrap(),
                "--profile",
                "live",
                "request",
                "GET",
                "v3/certificates",
            ],
            &[],
            b"",
        ),
        2,
    );
    assert!(
        err.contains("no profile [live]") && err.contains("default"),
        "{err}"
    );

    let dir = temp("secret");
    let bad_key = dir.join("apiv3_key.txt");
    std::fs::write(&bad_key, "s3cret-but-too-short").unwrap();
    let out = wxpay(&[
        "--apiv3-key-file",
        bad_key.to_str().unwrap(),
        "certificates",
    ]);
    let err = expect_exit(&out, 2);
    assert!(err.contains("APIv3 key"), "{err}");
    assert!(!err.contains("s3cret") && !stdout(&out).contains("s3cret"));
}
