//! Every crate is either internal (`publish = false`) or ready for crates.io:
//! licence files, a README of its own, the metadata crates.io and docs.rs
//! show, and dependencies that exist on crates.io. `.ci/run` then checks
//! that `cargo package --workspace` builds each one from its package alone.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::{metadata, name, root};

/// The crates released to crates.io. A new crate is added here or marked
/// `publish = false`.
const PUBLISHED: &[&str] = &[
    "wxpay-macros",
    "wxpay-core",
    "wxpay-redis",
    "wxpay-apis",
    "wxpay-sandbox",
    "wxpay-cli",
];

const LICENSE: &str = "MIT OR Apache-2.0";
const LICENSE_FILES: &[&str] = &["LICENSE-MIT", "LICENSE-APACHE"];
const WORKSPACE_README: &str = "https://github.com/wxpay-rs/wxpay#readme";

fn has_lib(package: &Value) -> bool {
    package["targets"].as_array().is_some_and(|targets| {
        targets.iter().any(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "lib" || k == "proc-macro"))
        })
    })
}

fn is_published(package: &Value) -> bool {
    // `publish = false` reads as `"publish": []`; unset is `null`.
    package["publish"]
        .as_array()
        .is_none_or(|registries| !registries.is_empty())
}

fn manifest_dir(package: &Value) -> &Path {
    Path::new(package["manifest_path"].as_str().expect("manifest_path"))
        .parent()
        .expect("a manifest has a directory")
}

#[test]
fn members_are_published_or_marked_internal() {
    let meta = metadata();
    for package in meta.members() {
        let expected = PUBLISHED.contains(&name(package));
        assert_eq!(
            is_published(package),
            expected,
            "{}: {}",
            name(package),
            if expected {
                "is listed in PUBLISHED but says `publish = false`"
            } else {
                "is internal: say `publish = false` in its Cargo.toml (or list it in PUBLISHED)"
            }
        );
    }
}

#[test]
fn published_crates_carry_what_crates_io_and_docs_rs_show() {
    let meta = metadata();
    let mut problems = Vec::new();
    for package in meta.members().into_iter().filter(|p| is_published(p)) {
        let crate_name = name(package);
        let mut problem = |what: String| problems.push(format!("{crate_name}: {what}"));
        let text = |key: &str| package[key].as_str().filter(|v| !v.trim().is_empty());

        for key in ["description", "repository", "rust_version"] {
            if text(key).is_none() {
                problem(format!("no `{key}`"));
            }
        }
        if text("license") != Some(LICENSE) {
            problem(format!(
                "license is {:?}, not {LICENSE:?}",
                package["license"]
            ));
        }
        let docs = format!("https://docs.rs/{crate_name}");
        if text("documentation") != Some(docs.as_str()) {
            problem(format!(
                "documentation is {:?}, not {docs:?}",
                package["documentation"]
            ));
        }
        let keywords = package["keywords"].as_array().map_or(0, Vec::len);
        if !(1..=5).contains(&keywords) {
            problem(format!("{keywords} keywords (crates.io takes 1 to 5)"));
        }
        if package["categories"].as_array().is_none_or(Vec::is_empty) {
            problem("no categories".into());
        }
        // With features beyond the defaults, docs.rs must be told which to build.
        let optional_features = package["features"]
            .as_object()
            .is_some_and(|features| features.keys().any(|f| f != "default"));
        if optional_features && package["metadata"]["docs"]["rs"].is_null() {
            problem(
                "has features but no [package.metadata.docs.rs] saying which docs.rs builds".into(),
            );
        }

        let dir = manifest_dir(package);
        match text("readme").map(|readme| fs::read_to_string(dir.join(readme))) {
            None => problem("no `readme`".into()),
            Some(Err(e)) => problem(format!("README unreadable: {e}")),
            Some(Ok(readme)) => {
                if !readme.contains(WORKSPACE_README) {
                    problem(format!(
                        "README does not link the workspace README ({WORKSPACE_README})"
                    ));
                }
                // A library shows Rust code; a command-line crate, a shell session.
                let example = if has_lib(package) { "```rust" } else { "```sh" };
                if !readme.contains(example) {
                    problem(format!("README has no example (no {example} block)"));
                }
            }
        }
        for file in LICENSE_FILES {
            let root_text = fs::read_to_string(root().join(file)).expect("root licence file");
            match fs::read_to_string(dir.join(file)) {
                Ok(own) if own == root_text => {}
                Ok(_) => problem(format!("{file} differs from the workspace's")),
                Err(e) => problem(format!("{file} missing ({e}): link it to ../{file}")),
            }
        }
        // A path dependency is published as its version requirement, so it
        // needs one, and must name a crate that is published too.
        for dep in package["dependencies"].as_array().expect("dependencies") {
            if dep["path"].is_null() || dep["kind"].as_str() == Some("dev") {
                continue;
            }
            let dep_name = dep["name"].as_str().unwrap_or("?");
            if dep["req"].as_str() == Some("*") {
                problem(format!("path dependency {dep_name} has no version"));
            }
            if !PUBLISHED.contains(&dep_name) {
                problem(format!("depends on {dep_name}, which is not published"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "not ready for crates.io:\n  {}",
        problems.join("\n  ")
    );
}

/// `.ci/run` packages (and so verifies) exactly the published crates.
#[test]
fn ci_packages_every_published_crate() {
    let script = fs::read_to_string(root().join(".ci/run")).expect(".ci/run is readable");
    let line = script
        .lines()
        .find(|line| line.trim_start().starts_with("cargo package"))
        .expect(".ci/run runs `cargo package`");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        !words.contains(&"--no-verify"),
        "CI must build the packages: {line}"
    );
    let mut packaged: Vec<&str> = words
        .windows(2)
        .filter(|w| w[0] == "-p")
        .map(|w| w[1])
        .collect();
    packaged.sort_unstable();
    let mut published = PUBLISHED.to_vec();
    published.sort_unstable();
    assert_eq!(
        packaged, published,
        "`{line}` must name each crate of PUBLISHED with -p"
    );
}
