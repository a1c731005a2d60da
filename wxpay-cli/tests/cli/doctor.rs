//! `wxpay doctor` against real sandboxes, one mistake planted per test:
//! each is found, named with its fix, and exits with its class's status;
//! nothing secret is printed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::*;

/// `wxpay --config PROFILE ARGS doctor`: its exit status and stdout, checked
/// for secrets.
fn doctor(profile: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["--config", profile.to_str().unwrap()];
    all.extend_from_slice(args);
    all.push("doctor");
    let output = run_with(&all, &[], b"");
    let printed = format!("{}{}", stdout(&output), stderr(&output));
    assert_no_secret(profile.parent().unwrap(), &printed);
    (output.status.code().unwrap_or(-1), stdout(&output))
}

/// Neither the APIv3 key nor any line of the private key is ever printed.
fn assert_no_secret(dir: &Path, printed: &str) {
    let apiv3_key = std::fs::read_to_string(dir.join("apiv3_key.txt")).unwrap();
    assert!(!printed.contains(apiv3_key.trim()), "{printed}");
    let pem = std::fs::read_to_string(dir.join(MERCHANT_KEY_FILE)).unwrap();
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!printed.contains(line), "{printed}");
    }
}

#[track_caller]
fn expect_doctor(profile: &Path, args: &[&str], code: i32) -> String {
    let (status, out) = doctor(profile, args);
    assert_eq!(status, code, "{out}");
    out
}

/// The line of the first finding of `check` with `status`, and its fix.
#[track_caller]
fn finding(out: &str, status: &str, check: &str) -> String {
    let mut lines = out.lines();
    while let Some(line) = lines.next() {
        let mut words = line.split_whitespace();
        let found =
            words.next() == Some(status) && line[status.len()..].trim_start().starts_with(check);
        if found {
            let next = lines.next().unwrap_or_default();
            return if next.trim_start().starts_with("fix:") {
                format!("{line}\n{next}")
            } else {
                line.to_owned()
            };
        }
    }
    panic!("no `{status} {check}` in:\n{out}");
}

fn private_file(dir: &Path, name: &str, contents: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path
}

#[test]
fn a_sandbox_profile_passes_every_check_in_either_mode() {
    let out = expect_doctor(&config(), &[], 0);
    for check in [
        "settings",
        "key files",
        "private key",
        "merchant cert",
        "platform cert",
        "APIv3 key",
        "host",
        "clock",
        "request signature",
        "answer signature (certificate)",
    ] {
        finding(&out, "ok", check);
    }
    assert!(finding(&out, "ok", "APIv3 key").contains("from"), "{out}");
    assert!(out.contains("decrypts the certificate listing"), "{out}");
    assert!(out.ends_with("Every check passed.\n"), "{out}");

    let (_sandbox, dir) = start(&shared().runtime, KeyMode::PublicKey, "doctor-public-key");
    let out = expect_doctor(&dir.join(CLI_CONFIG_FILE), &[], 0);
    assert!(
        finding(&out, "ok", "answer signature (public key)").contains("PUB_KEY_ID_"),
        "{out}"
    );
    assert!(
        finding(&out, "skip", "APIv3 key").contains("public-key mode"),
        "{out}"
    );
}

#[test]
fn a_wrong_serial_is_named_with_the_right_one() {
    let serial = shared().sandbox.merchant().serial_no.clone();
    let out = expect_doctor(&config(), &["--merchant-serial", "0123456789ABCDEF"], 11);
    let found = finding(&out, "FAIL", "merchant serial");
    assert!(
        found.contains(&format!("fix: set merchant_serial to {serial}")),
        "{found}"
    );
    assert!(
        finding(&out, "FAIL", "request signature").contains("SIGN_ERROR"),
        "{out}"
    );
}

#[test]
fn a_private_key_that_does_not_match_the_certificate_is_found() {
    let dir = temp("doctor-other-key");
    let other = wxpay_core::unstable::generate_private_key()
        .unwrap()
        .to_pkcs8_pem();
    let key = private_file(&dir, "other_key.pem", &other, 0o600);
    let out = expect_doctor(&config(), &["--private-key", key.to_str().unwrap()], 11);
    assert!(
        finding(&out, "FAIL", "merchant cert").contains("does not belong to"),
        "{out}"
    );
    finding(&out, "FAIL", "request signature");
    assert!(!out.contains(other.lines().nth(1).unwrap()));
}

#[test]
fn the_merchant_certificate_given_as_the_platforms_is_found() {
    let own = shared().dir.join("apiclient_cert.pem");
    let out = expect_doctor(
        &config(),
        &["--platform-certificate", own.to_str().unwrap()],
        12,
    );
    let found = finding(&out, "FAIL", "platform cert");
    assert!(found.contains("merchant's own API certificate"), "{found}");
    assert!(
        found.contains("fix: download the platform certificates"),
        "{found}"
    );
    // And online: WeChat Pay's answer names a certificate not trusted.
    finding(&out, "FAIL", "answer signature (certificate)");
}

#[test]
fn a_wrong_apiv3_key_fails_to_decrypt_the_listing() {
    let dir = temp("doctor-apiv3");
    let wrong = private_file(
        &dir,
        "apiv3_key.txt",
        "0123456789abcdef0123456789abcdef",
        0o600,
    );
    let out = expect_doctor(
        &config(),
        &["--apiv3-key-file", wrong.to_str().unwrap()],
        13,
    );
    let found = finding(&out, "FAIL", "APIv3 key");
    assert!(found.contains("does not decrypt"), "{found}");
    assert!(found.contains("APIv3密钥"), "{found}");
    assert!(!out.contains("0123456789abcdef0123456789abcdef"), "{out}");
}

#[test]
fn a_wrong_public_key_id_is_named_with_the_one_wechat_pay_signs_with() {
    let (sandbox, dir) = start(&shared().runtime, KeyMode::PublicKey, "doctor-key-id");
    let real = sandbox.platform_public_key_id();
    let out = expect_doctor(
        &dir.join(CLI_CONFIG_FILE),
        &[
            "--public-key-id",
            "PUB_KEY_ID_0100000000000000000000000000000001",
        ],
        12,
    );
    let found = finding(&out, "FAIL", "answer signature (public key)");
    assert!(
        found.contains(&format!("set public_key_id to {real}")),
        "{found}"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_found() {
    let dir = temp("doctor-mode");
    let pem = std::fs::read_to_string(shared().dir.join(MERCHANT_KEY_FILE)).unwrap();
    let key = private_file(&dir, "apiclient_key.pem", &pem, 0o644);
    let out = expect_doctor(&config(), &["--private-key", key.to_str().unwrap()], 10);
    let found = finding(&out, "FAIL", "key files");
    assert!(found.contains("mode 0644"), "{found}");
    assert!(
        found.contains(&format!("fix: chmod 600 {}", key.display())),
        "{found}"
    );
    // Everything else about that key is fine.
    finding(&out, "ok", "request signature");
}

#[test]
fn a_skewed_clock_is_measured_against_the_signed_timestamp() {
    let runtime = &shared().runtime;
    let (_far, dir) = start_with(
        runtime,
        Sandbox::builder().signature_clock_skew(600),
        "doctor-skew-far",
    );
    let out = expect_doctor(&dir.join(CLI_CONFIG_FILE), &[], 14);
    let found = finding(&out, "FAIL", "clock");
    assert!(found.contains("s behind"), "{found}");
    assert!(found.contains("fix: synchronise the clock"), "{found}");
    // The refused request is put down to the clock, not to the keys.
    finding(&out, "skip", "request signature");

    let (_near, dir) = start_with(
        runtime,
        Sandbox::builder().signature_clock_skew(-120),
        "doctor-skew-near",
    );
    let out = expect_doctor(&dir.join(CLI_CONFIG_FILE), &[], 0);
    assert!(
        finding(&out, "warn", "clock").contains("s ahead of"),
        "{out}"
    );
}

#[test]
fn an_unreachable_host_is_named_with_the_route_tried() {
    let out = expect_doctor(&config(), &["--base-url", "http://127.0.0.1:1/"], 15);
    let found = finding(&out, "FAIL", "host");
    assert!(
        found.contains("http://127.0.0.1:1/ cannot be reached"),
        "{found}"
    );
    assert!(found.contains("fix: check the host name"), "{found}");
}

/// A forward proxy for plain HTTP on loopback: it rewrites each request's
/// absolute target to its path and relays the exchange to `upstream`.
fn forward_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let relayed = Arc::new(AtomicUsize::new(0));
    let count = relayed.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let count = count.clone();
            std::thread::spawn(move || relay(client, upstream, &count));
        }
    });
    (address, relayed)
}

fn relay(mut client: TcpStream, upstream: SocketAddr, count: &AtomicUsize) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let Some((line, rest)) = head.split_once("\r\n") else {
        return;
    };
    let mut parts = line.splitn(3, ' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let path = target
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
        .unwrap_or(target);
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    count.fetch_add(1, Ordering::SeqCst);
    let _ = write!(server, "{method} {path} {version}\r\n{rest}");
    let (Ok(mut from_client), Ok(mut to_server)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || std::io::copy(&mut from_client, &mut to_server));
    let _ = std::io::copy(&mut server, &mut client);
}

#[test]
fn hosts_are_reached_through_the_configured_proxy() {
    let (proxy, relayed) = forward_proxy(shared().sandbox.local_addr());
    // A host name only the proxy knows how to reach.
    let base = "http://wxpay-sandbox.invalid/";
    let proxy_url = format!("http://user:secret@{proxy}");
    let out = expect_doctor(&config(), &["--base-url", base, "--proxy", &proxy_url], 0);
    let found = finding(&out, "ok", "host");
    assert!(
        found.contains(&format!("through the proxy http://***@{proxy}")),
        "{found}"
    );
    assert!(!out.contains("secret"), "a proxy password is never printed");
    assert!(relayed.load(Ordering::SeqCst) >= 1);

    // A proxy that is not there: the host cannot be reached through it.
    let out = expect_doctor(
        &config(),
        &["--base-url", base, "--proxy", "http://127.0.0.1:1"],
        15,
    );
    assert!(
        finding(&out, "FAIL", "host").contains("through the proxy http://127.0.0.1:1"),
        "{out}"
    );
}

#[test]
fn offline_checks_need_no_host() {
    let profile = config();
    let output = run_with(
        &[
            "--config",
            profile.to_str().unwrap(),
            "--base-url",
            "http://127.0.0.1:1/",
            "--merchant-serial",
            "0123456789ABCDEF",
            "doctor",
            "--offline",
        ],
        &[],
        b"",
    );
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(11), "{out}");
    finding(&out, "FAIL", "merchant serial");
    assert!(
        finding(&out, "skip", "hosts").contains("--offline"),
        "{out}"
    );
    assert!(!out.contains("cannot be reached"), "{out}");
}
