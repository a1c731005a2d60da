//! `sandbox`, `completions`, the help snapshots, and a public-key-mode sandbox.

use crate::support::*;

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

#[test]
fn completions_are_printed_for_a_known_shell_only() {
    let script = expect_ok(&run_with(&["completions", "bash"], &[], b""));
    assert!(script.contains("_wxpay()"), "{script}");
    assert!(script.contains("certificates"));
    expect_exit(&run_with(&["completions", "tcsh"], &[], b""), 2);
}

#[test]
fn help_texts_match_their_snapshots() {
    let pages: [&[&str]; 16] = [
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
        &["bill", "trade", "--help"],
        &["bill", "fundflow", "--help"],
        &["bill", "parse", "--help"],
        &["bill", "reconcile", "--help"],
        &["doctor", "--help"],
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
