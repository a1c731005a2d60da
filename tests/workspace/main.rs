//! Workspace policy, read from `cargo metadata` (offline, about a second):
//! the declared MSRV covers every locked dependency, and every crate is either
//! internal (`publish = false`) or ready for crates.io.

mod msrv;
mod publish;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The workspace root (this crate lives in `<root>/tests`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The cargo running these tests (cargo sets `CARGO` for tests it runs).
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned())
}

/// What `cargo metadata` describes: every platform's dependencies when they
/// are all downloaded, else only the host's.
struct Metadata {
    json: Value,
    all_platforms: bool,
}

/// `cargo metadata` over the locked graph with every feature on, run once
/// for all the tests. Offline: it reads the lock file and the
/// already-downloaded manifests, never the network. Dependencies of other
/// platforms (Windows, wasm) are downloaded by `cargo fetch` (CI runs it) but
/// not by a build; without them only the host's dependencies can be read,
/// and the test says so.
fn metadata() -> &'static Metadata {
    static METADATA: OnceLock<Metadata> = OnceLock::new();
    METADATA.get_or_init(read_metadata)
}

fn read_metadata() -> Metadata {
    let run = |extra: &[&str]| {
        Command::new(cargo())
            .args([
                "metadata",
                "--format-version",
                "1",
                "--offline",
                "--locked",
                "--all-features",
            ])
            .args(extra)
            .arg("--manifest-path")
            .arg(root().join("Cargo.toml"))
            .output()
            .expect("cargo runs")
    };
    let all = run(&[]);
    if all.status.success() {
        return Metadata {
            json: parse(&all.stdout),
            all_platforms: true,
        };
    }
    let host = host_triple();
    let filtered = run(&["--filter-platform", &host]);
    assert!(
        filtered.status.success(),
        "cargo metadata failed:\n{}\n(for {host} only:)\n{}",
        String::from_utf8_lossy(&all.stderr),
        String::from_utf8_lossy(&filtered.stderr),
    );
    eprintln!(
        "note: only {host}'s dependencies are checked (run `cargo fetch --locked` to check \
         every platform's): {}",
        String::from_utf8_lossy(&all.stderr)
            .lines()
            .next()
            .unwrap_or_default()
    );
    Metadata {
        json: parse(&filtered.stdout),
        all_platforms: false,
    }
}

fn parse(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).expect("cargo metadata prints JSON")
}

fn host_triple() -> String {
    let out = Command::new(cargo())
        .arg("-vV")
        .output()
        .expect("cargo runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("`cargo -vV` names the host")
        .to_owned()
}

impl Metadata {
    fn packages(&self) -> &[Value] {
        self.json["packages"]
            .as_array()
            .expect("packages is an array")
    }

    /// The workspace's own crates.
    fn members(&self) -> Vec<&Value> {
        let ids = self.json["workspace_members"]
            .as_array()
            .expect("workspace_members");
        self.packages()
            .iter()
            .filter(|p| ids.contains(&p["id"]))
            .collect()
    }

    /// Every other package of the locked graph.
    fn dependencies(&self) -> Vec<&Value> {
        let ids = self.json["workspace_members"]
            .as_array()
            .expect("workspace_members");
        self.packages()
            .iter()
            .filter(|p| !ids.contains(&p["id"]))
            .collect()
    }
}

fn name(package: &Value) -> &str {
    package["name"].as_str().expect("a package has a name")
}
