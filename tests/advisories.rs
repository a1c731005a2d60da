//! RUSTSEC-2023-0071 (`rsa`, Marvin timing attack) concerns only the
//! non-default `rust-crypto` backend: `rsa` must be in wxpay-core's
//! dependency tree with that feature and absent without it.

use std::process::Command;

fn normal_dependencies(features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let mut command = Command::new(cargo);
    command.args([
        "tree",
        "--manifest-path",
        manifest,
        "-p",
        "wxpay-core",
        "--edges",
        "normal",
        "--prefix",
        "none",
        "--offline",
        "--locked",
    ]);
    if !features.is_empty() {
        command.args(["--no-default-features", "--features", &features.join(",")]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn has_rsa(tree: &str) -> bool {
    tree.lines().any(|line| line.starts_with("rsa v"))
}

#[test]
fn rsa_is_a_dependency_only_of_the_rust_crypto_backend() {
    assert!(
        !has_rsa(&normal_dependencies(&[])),
        "rsa is in the default build"
    );
    assert!(!has_rsa(&normal_dependencies(&["aws-lc"])));
    assert!(
        has_rsa(&normal_dependencies(&["rust-crypto"])),
        "the check cannot see rsa"
    );
}
