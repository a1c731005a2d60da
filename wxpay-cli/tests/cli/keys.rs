//! `certificates`, `notify`, `encrypt` and `decrypt`.

use crate::support::*;

#[test]
fn certificates_are_downloaded_verified_decrypted_and_saved() {
    let dir = temp("certs");
    let out = expect_ok(&wxpay(&["certificates", "--out", dir.to_str().unwrap()]));
    let serial = shared().sandbox.platform_serial();
    assert!(out.starts_with("SERIAL"), "{out}");
    assert!(out.contains(&serial), "{out}");
    let saved = dir.join(format!("wechatpay_{serial}.pem"));
    let certificate = wxpay_core::Certificate::from_pem_file(&saved).unwrap();
    assert_eq!(certificate.serial(), serial);
    assert_eq!(
        Some(certificate),
        shared().sandbox.platform_certificate(),
        "the saved PEM is the sandbox's certificate"
    );

    // The saved file is what the next verified call trusts (no APIv3 key, no profile).
    let merchant = shared().sandbox.merchant();
    let key = shared().dir.join(MERCHANT_KEY_FILE);
    let env = [
        ("WXPAY_MCHID", merchant.mchid.as_str()),
        ("WXPAY_MERCHANT_SERIAL", merchant.serial_no.as_str()),
        ("WXPAY_PRIVATE_KEY", key.to_str().unwrap()),
        ("WXPAY_BASE_URL", shared().sandbox.base_url()),
    ];
    let out = run_with(
        &[
            "--platform-certificate",
            saved.to_str().unwrap(),
            "request",
            "GET",
            "v3/certificates",
        ],
        &env,
        b"",
    );
    assert!(json_out(&out)["data"].is_array());
    // Without it (and without an APIv3 key to fetch one) nothing could be verified.
    let err = expect_exit(
        &run_with(&["request", "GET", "v3/certificates"], &env, b""),
        2,
    );
    assert!(err.contains("nothing to verify"), "{err}");
}

fn captured_callback(dir: &Path) -> (PathBuf, PathBuf) {
    let (headers, body) = shared()
        .sandbox
        .notification(
            "TRANSACTION.SUCCESS",
            "transaction",
            "支付成功",
            &json!({"out_trade_no": "CLI-NOTIFY-1", "trade_state": "SUCCESS"}),
        )
        .unwrap();
    let mut head = String::from("POST /notify HTTP/1.1\r\nHost: merchant.example\r\n");
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    let (head_file, body_file) = (dir.join("headers.txt"), dir.join("body.json"));
    std::fs::write(&head_file, head).unwrap();
    std::fs::write(&body_file, body).unwrap();
    (head_file, body_file)
}

#[test]
fn notify_verifies_and_decrypts_a_captured_callback_from_files_or_stdin() {
    let dir = temp("notify");
    let (head, body) = captured_callback(&dir);
    let event = json_out(&wxpay(&[
        "notify",
        "--headers",
        head.to_str().unwrap(),
        "--body",
        body.to_str().unwrap(),
    ]));
    assert_eq!(event["event_type"], "TRANSACTION.SUCCESS");
    assert_eq!(event["resource"]["out_trade_no"], "CLI-NOTIFY-1");

    let from_stdin = wxpay_stdin(
        &["notify", "--headers", head.to_str().unwrap()],
        &std::fs::read(&body).unwrap(),
    );
    assert_eq!(json_out(&from_stdin)["resource"]["trade_state"], "SUCCESS");

    // Headers as a JSON object work as well; --allow-stale checks at the signing time.
    let head_text = std::fs::read_to_string(&head).unwrap();
    let object: serde_json::Map<String, Value> = head_text
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), Value::from(v.trim_end())))
        .collect();
    let json_head = dir.join("headers.json");
    std::fs::write(&json_head, Value::Object(object).to_string()).unwrap();
    let out = wxpay(&[
        "notify",
        "--headers",
        json_head.to_str().unwrap(),
        "--body",
        body.to_str().unwrap(),
        "--allow-stale",
    ]);
    assert_eq!(json_out(&out)["summary"], "支付成功");
    assert!(
        stderr(&out).starts_with("verified: signed by "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn notify_refuses_a_tampered_body_and_missing_headers() {
    let dir = temp("notify-bad");
    let (head, body) = captured_callback(&dir);
    let sent = String::from_utf8(std::fs::read(&body).unwrap()).unwrap();
    let tampered = sent.replacen("TRANSACTION.SUCCESS", "TRANSACTION.REFUSED", 1);
    assert_ne!(tampered, sent, "the body was changed");
    std::fs::write(&body, tampered).unwrap();
    let out = wxpay(&[
        "notify",
        "--headers",
        head.to_str().unwrap(),
        "--body",
        body.to_str().unwrap(),
    ]);
    let err = expect_exit(&out, 3);
    assert!(err.contains("signature does not match"), "{err}");
    assert!(out.stdout.is_empty());

    let out = wxpay(&[
        "notify",
        "-H",
        "Content-Type: application/json",
        "--body",
        body.to_str().unwrap(),
    ]);
    let err = expect_exit(&out, 3);
    assert!(err.contains("missing header Wechatpay-"), "{err}");
}

#[test]
fn encrypt_uses_the_platform_key_and_decrypt_the_merchant_key() {
    let out = json_out(&wxpay(&["encrypt", "张三"]));
    assert_eq!(out["wechatpay_serial"], shared().sandbox.platform_serial());
    let platform = PrivateKey::from_pem_file(shared().dir.join(PLATFORM_KEY_FILE)).unwrap();
    let ciphertext = out["ciphertext"].as_str().unwrap();
    assert_eq!(platform.decrypt_oaep_base64(ciphertext).unwrap(), "张三");

    let merchant: &PublicKey = &PrivateKey::from_pem_file(shared().dir.join(MERCHANT_KEY_FILE))
        .unwrap()
        .public_key()
        .clone();
    let sealed = merchant.encrypt_oaep_base64("13800138000").unwrap();
    let out = wxpay_stdin(&["decrypt"], format!("{sealed}\n").as_bytes());
    assert_eq!(expect_ok(&out), "13800138000\n");
}

#[test]
fn a_stale_capture_is_refused_unless_allowed() {
    let dir = temp("notify-stale");
    let (_, body) = captured_callback(&dir);
    let body_bytes = std::fs::read(&body).unwrap();
    // Re-sign the capture as it was an hour ago, with the sandbox's platform key.
    let platform = PrivateKey::from_pem_file(shared().dir.join(PLATFORM_KEY_FILE)).unwrap();
    let old = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    let nonce = "Mu0AjHCELZCnx1qyiuhH9pQP5Xa9k2cf";
    let mut message = format!("{old}\n{nonce}\n").into_bytes();
    message.extend_from_slice(&body_bytes);
    message.push(b'\n');
    use base64::Engine;
    let signature =
        base64::engine::general_purpose::STANDARD.encode(platform.sign_sha256(&message).unwrap());
    let head = dir.join("stale-headers.txt");
    std::fs::write(
        &head,
        format!(
            "Wechatpay-Serial: {}\nWechatpay-Timestamp: {old}\nWechatpay-Nonce: {nonce}\n\
             Wechatpay-Signature: {signature}\nWechatpay-Signature-Type: WECHATPAY2-SHA256-RSA2048\n",
            shared().sandbox.platform_serial()
        ),
    )
    .unwrap();
    let args = [
        "notify",
        "--headers",
        head.to_str().unwrap(),
        "--body",
        body.to_str().unwrap(),
    ];
    let err = expect_exit(&wxpay(&args), 3);
    assert!(err.contains("away from local time"), "{err}");

    let mut allowed = args.to_vec();
    allowed.push("--allow-stale");
    let out = wxpay(&allowed);
    assert_eq!(json_out(&out)["event_type"], "TRANSACTION.SUCCESS");
    assert!(stderr(&out).contains("s ago"), "{}", stderr(&out));
}
