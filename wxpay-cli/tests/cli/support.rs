//! The binary, a shared sandbox and the helpers every test uses.

pub use std::path::{Path, PathBuf};
pub use std::process::Output;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub use serde_json::{json, Value};
pub use wxpay_core::{PrivateKey, PublicKey};
pub use wxpay_sandbox::files::{
    CLI_CONFIG_FILE, MERCHANT_CERT_FILE, MERCHANT_KEY_FILE, PLATFORM_KEY_FILE,
};
pub use wxpay_sandbox::{KeyMode, Sandbox};

pub const APPID: &str = "wxd678efh567hg6787";
pub const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

pub struct Shared {
    pub runtime: tokio::runtime::Runtime,
    pub sandbox: Sandbox,
    pub dir: PathBuf,
}

pub fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wxpay-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn shared() -> &'static Shared {
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
pub fn start(runtime: &tokio::runtime::Runtime, mode: KeyMode, name: &str) -> (Sandbox, PathBuf) {
    start_with(runtime, Sandbox::builder().key_mode(mode), name)
}

/// A sandbox built by `builder` and its credentials folder.
pub fn start_with(
    runtime: &tokio::runtime::Runtime,
    builder: wxpay_sandbox::SandboxBuilder,
    name: &str,
) -> (Sandbox, PathBuf) {
    let sandbox = runtime.block_on(async { builder.start().await.unwrap() });
    let dir = temp(name);
    sandbox.write_dir(&dir).unwrap();
    (sandbox, dir)
}

pub fn config() -> PathBuf {
    shared().dir.join(CLI_CONFIG_FILE)
}

/// Runs `wxpay ARGS` with an empty environment plus `env`, feeding `stdin`.
pub fn run_with(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
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
pub fn wxpay(args: &[&str]) -> Output {
    wxpay_stdin(args, b"")
}

/// `wxpay --config SANDBOX/wxpay.toml ARGS < stdin`.
pub fn wxpay_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let config = config();
    let mut all = vec!["--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    run_with(&all, &[], stdin)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
pub fn expect_ok(output: &Output) -> String {
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
pub fn expect_exit(output: &Output, code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stderr(output)
}

pub fn json_out(output: &Output) -> Value {
    serde_json::from_str(&expect_ok(output)).expect("stdout is JSON")
}

pub fn jsapi_order(out_trade_no: &str) -> String {
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
