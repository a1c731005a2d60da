//! The declared `rust-version` is the MSRV for real: no locked dependency
//! needs a newer compiler. When this fails, either raise `rust-version` in
//! the workspace `Cargo.toml` (and note it in CHANGELOG.md), or keep the
//! dependency on an older version: `cargo update -p NAME --precise VERSION`
//! (the workspace uses resolver 3, so `cargo update` already prefers
//! versions that fit).

use crate::{metadata, name};

/// `1.88` or `1.88.0` as `(1, 88, 0)`.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|part| {
        part.parse::<u64>()
            .unwrap_or_else(|_| panic!("rust-version {text:?} is not a version"))
    });
    let major = parts
        .next()
        .unwrap_or_else(|| panic!("rust-version {text:?} is empty"));
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    assert!(
        parts.next().is_none(),
        "rust-version {text:?} has more than three parts"
    );
    (major, minor, patch)
}

#[test]
fn versions_compare_numerically() {
    assert!(version("1.100") > version("1.88"));
    assert_eq!(version("1.88"), version("1.88.0"));
    assert!(version("1.88.1") > version("1.88"));
}

#[test]
fn every_member_declares_the_workspace_rust_version() {
    let meta = metadata();
    let members = meta.members();
    let declared: Vec<(&str, Option<&str>)> = members
        .iter()
        .map(|p| (name(p), p["rust_version"].as_str()))
        .collect();
    let first = declared[0].1;
    assert!(
        first.is_some() && declared.iter().all(|(_, v)| *v == first),
        "every workspace member must say `rust-version.workspace = true`: {declared:?}"
    );
}

#[test]
fn no_dependency_needs_a_newer_compiler_than_the_workspace_declares() {
    let meta = metadata();
    let members = meta.members();
    let ours = members[0]["rust_version"]
        .as_str()
        .expect("members declare rust-version");
    let mut too_new: Vec<String> = meta
        .dependencies()
        .iter()
        .filter_map(|p| {
            let theirs = p["rust_version"].as_str()?;
            (version(theirs) > version(ours)).then(|| {
                format!(
                    "{} {} needs rustc {theirs}",
                    name(p),
                    p["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    too_new.sort();
    assert!(
        too_new.is_empty(),
        "the workspace declares rust-version = \"{ours}\", but {} locked dependencies need more:\n  {}\n\
         Raise rust-version in Cargo.toml, or `cargo update -p NAME --precise OLDER`.",
        too_new.len(),
        too_new.join("\n  ")
    );
    // The check saw the graph, not an empty list.
    assert!(
        meta.dependencies().len() > 100,
        "cargo metadata listed too few packages"
    );
    if !meta.all_platforms {
        eprintln!("(host platform only)");
    }
}
