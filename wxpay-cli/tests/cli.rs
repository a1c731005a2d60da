//! The real `wxpay` binary against a real sandbox on 127.0.0.1: every
//! subcommand, its success and its failure exits, and the `--help` texts.
//!
//! One sandbox (certificate mode) serves the whole file; it writes its
//! credentials folder, and the binary is pointed at the `wxpay.toml` in it.
//! Set `WXPAY_UPDATE_SNAPSHOTS=1` to rewrite `tests/snapshots/*.txt`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};
use wxpay_core::{PrivateKey, PublicKey};
use wxpay_sandbox::files::{CLI_CONFIG_FILE, MERCHANT_KEY_FILE, PLATFORM_KEY_FILE};
use wxpay_sandbox::{KeyMode, Sandbox};

const APPID: &str = "wxd678efh567hg6787";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

struct Shared {
    runtime: tokio::runtime::Runtime,
    sandbox: Sandbox,
    dir: PathBuf,
}

fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wxpay-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (sandbox, dir) = start(&runtime, KeyMode::Certificate, "sandbox");
        Shared {
            runtime,
            sandbox,
            dir,
        }
    })
}

/// A sandbox on 127.0.0.1 and its credentials folder (with `wxpay.toml`).
fn start(runtime: &tokio::runtime::Runtime, mode: KeyMode, name: &str) -> (Sandbox, PathBuf) {
    let sandbox =
        runtime.block_on(async { Sandbox::builder().key_mode(mode).start().await.unwrap() });
    let dir = temp(name);
    sandbox.write_dir(&dir).unwrap();
    (sandbox, dir)
}

fn config() -> PathBuf {
    shared().dir.join(CLI_CONFIG_FILE)
}

/// Runs `wxpay ARGS` with an empty environment plus `env`, feeding `stdin`.
fn run_with(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxpay"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `wxpay --config SANDBOX/wxpay.toml ARGS`.
fn wxpay(args: &[&str]) -> Output {
    wxpay_stdin(args, b"")
}

/// `wxpay --config SANDBOX/wxpay.toml ARGS < stdin`.
fn wxpay_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let config = config();
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    run_with(&all, &[], stdin)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn expect_ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

#[track_caller]
fn expect_exit(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stderr(output)
}

fn json_out(output: &Output) -> Value {
    serde_json::from_str(&expect_ok(output)).expect("stdout is JSON")
}

/// Today in China Standard Time, as the sandbox dates its bills.
fn today_cst() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let cst =
        der::DateTime::from_unix_duration(now + std::time::Duration::from_secs(8 * 3600)).unwrap();
    format!("{:04}-{:02}-{:02}", cst.year(), cst.month(), cst.day())
}

fn jsapi_order(out_trade_no: &str) -> String {
    json!({
        "appid": APPID,
        "mchid": shared().sandbox.merchant().mchid,
        "description": "wxpay-cli test",
        "out_trade_no": out_trade_no,
        "notify_url": "http://127.0.0.1:9/notify",
        "amount": { "total": 100, "currency": "CNY" },
        "payer": { "openid": OPENID },
    })
    .to_string()
}

// --- request ---------------------------------------------------------------

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
        err.contains("verification failed: signature does not match"),
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

// --- configuration -----------------------------------------------------------

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
    let apiv3 = merchant.apiv3_key.clone();
    let env = [
        ("WXPAY_MCHID", merchant.mchid.as_str()),
        ("WXPAY_MERCHANT_SERIAL", merchant.serial_no.as_str()),
        ("WXPAY_PRIVATE_KEY", key.to_str().unwrap()),
        ("WXPAY_APIV3_KEY", apiv3.as_str()),
        ("WXPAY_BASE_URL", shared.sandbox.base_url()),
    ];
    // No verification key configured: the certificates are downloaded first.
    let out = run_with(&["request", "GET", "v3/certificates"], &env, b"");
    assert!(json_out(&out)["data"].is_array());
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

// --- certificates --------------------------------------------------------------

#[test]
fn certificates_are_downloaded_verified_decrypted_and_saved() {
    let dir = temp("certs");
    let out = expect_ok(&wxpay(&["certificates", "--out", dir.to_str().unwrap()]));
    let serial = shared().sandbox.platform_serial();
    assert!(out.starts_with("SERIAL"), "{out}");
    assert!(out.contains(serial), "{out}");
    let saved = dir.join(format!("wechatpay_{serial}.pem"));
    let certificate = wxpay_core::Certificate::from_pem_file(&saved).unwrap();
    assert_eq!(certificate.serial(), serial);
    assert_eq!(
        Some(certificate),
        shared().sandbox.platform_certificate(),
        "the saved PEM is the sandbox's certificate"
    );
}

#[test]
fn certificates_with_the_wrong_apiv3_key_fail_to_decrypt() {
    let dir = temp("wrongkey");
    let wrong = dir.join("apiv3_key.txt");
    std::fs::write(&wrong, "0123456789abcdef0123456789abcdef").unwrap();
    let out = wxpay(&["--apiv3-key-file", wrong.to_str().unwrap(), "certificates"]);
    let err = expect_exit(&out, 5);
    assert!(err.contains("crypto error"), "{err}");
    assert!(out.stdout.is_empty());
}

// --- notify --------------------------------------------------------------------

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
    let tampered = String::from_utf8(std::fs::read(&body).unwrap())
        .unwrap()
        .replacen("支付成功", "支付失败", 1);
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

// --- encrypt / decrypt -----------------------------------------------------------

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
fn decrypt_of_something_else_fails() {
    let err = expect_exit(&wxpay(&["decrypt", "bm90IGEgY2lwaGVydGV4dA=="]), 5);
    assert!(err.contains("crypto error"), "{err}");
}

// --- paysign ---------------------------------------------------------------------

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

// --- bill ------------------------------------------------------------------------

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

// --- sandbox -------------------------------------------------------------------------

#[test]
fn sandbox_serves_with_the_sandbox_flags_and_writes_a_ready_profile() {
    let dir = temp("serve");
    let out = run_with(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--out",
            dir.to_str().unwrap(),
            "--no-db",
            "--mchid",
            "1230000109",
            "--run-for",
            "0",
        ],
        &[],
        b"",
    );
    let printed = expect_ok(&out);
    assert!(printed.contains("base URL"), "{printed}");
    assert!(printed.contains("1230000109"), "{printed}");
    let profile = std::fs::read_to_string(dir.join(CLI_CONFIG_FILE)).unwrap();
    assert!(profile.contains("mchid = \"1230000109\""), "{profile}");
    assert!(profile.contains("platform_certificate = "), "{profile}");
}

#[test]
fn sandbox_rejects_unknown_flags_with_its_usage() {
    let err = expect_exit(&run_with(&["sandbox", "--bogus"], &[], b""), 2);
    assert!(err.contains("unknown option \"--bogus\""), "{err}");
    let help = expect_ok(&run_with(&["sandbox", "--help"], &[], b""));
    assert!(help.contains("--key-mode MODE"), "{help}");
}

// --- completions ---------------------------------------------------------------------

#[test]
fn completions_are_printed_for_a_known_shell_only() {
    let script = expect_ok(&run_with(&["completions", "bash"], &[], b""));
    assert!(script.contains("_wxpay()"), "{script}");
    assert!(script.contains("certificates"));
    expect_exit(&run_with(&["completions", "tcsh"], &[], b""), 2);
}

// --- help snapshots --------------------------------------------------------------------

#[test]
fn help_texts_match_their_snapshots() {
    let pages: [&[&str]; 11] = [
        &["--help"],
        &["request", "--help"],
        &["certificates", "--help"],
        &["notify", "--help"],
        &["encrypt", "--help"],
        &["decrypt", "--help"],
        &["paysign", "--help"],
        &["paysign", "jsapi", "--help"],
        &["paysign", "app", "--help"],
        &["bill", "--help"],
        &["completions", "--help"],
    ];
    let update = std::env::var_os("WXPAY_UPDATE_SNAPSHOTS").is_some();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut stale = Vec::new();
    for page in pages {
        let text = expect_ok(&run_with(page, &[], b""));
        let name = page
            .iter()
            .filter(|a| !a.starts_with('-'))
            .copied()
            .collect::<Vec<_>>()
            .join("-");
        let file = dir.join(format!(
            "help-{}.txt",
            if name.is_empty() { "wxpay" } else { &name }
        ));
        if update {
            std::fs::write(&file, &text).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!("{}:\n{text}", file.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "help texts changed; rerun with WXPAY_UPDATE_SNAPSHOTS=1 if intended:\n{}",
        stale.join("\n")
    );
}

// --- public-key mode ---------------------------------------------------------------------

#[test]
fn a_public_key_mode_sandbox_profile_works_and_has_no_certificates() {
    let shared = shared();
    let (sandbox, dir) = start(&shared.runtime, KeyMode::PublicKey, "public-key");
    let config = dir.join(CLI_CONFIG_FILE);
    let config = config.to_str().unwrap();
    let profile = std::fs::read_to_string(dir.join(CLI_CONFIG_FILE)).unwrap();
    assert!(
        profile.contains("public_key_id = \"PUB_KEY_ID_"),
        "{profile}"
    );
    assert!(!profile.contains("platform_certificate"), "{profile}");

    let out = run_with(&["--config", config, "certificates"], &[], b"");
    assert!(
        expect_ok(&out).starts_with("public-key mode"),
        "{}",
        stdout(&out)
    );
    let out = run_with(
        &["--config", config, "encrypt", "-"],
        &[],
        "李四\n".as_bytes(),
    );
    assert_eq!(
        json_out(&out)["wechatpay_serial"],
        sandbox.platform_public_key_id()
    );
    let out = run_with(
        &[
            "--config",
            config,
            "request",
            "GET",
            "v3/ecommerce/refunds/{refund_id}/return-advance",
            "--path",
            "refund_id=50000000382019052709732678859",
            "--query",
            "sub_mchid=1900000109",
        ],
        &[],
        b"",
    );
    let err = expect_exit(&out, 1);
    assert!(err.contains("Request-ID"), "{err}");
    shared.runtime.block_on(sandbox.shutdown());
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
