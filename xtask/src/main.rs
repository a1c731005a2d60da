//! `cargo xtask codegen [--catalog DIR] [--check]`: generates the typed
//! endpoints of `wxpay-apis` (and their per-operation tests) from the WeChat
//! Pay API catalog. With `--check`, writes nothing and fails if any generated
//! file differs from what is committed (what CI runs).

mod catalog;
mod contract_table;
mod corrections;
mod emit;
mod merchant;
mod model;
mod naming;
mod output;
mod sandbox_schemas;
mod tables;
mod testgen;
mod v2;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use model::Model;

const USAGE: &str = "usage: cargo xtask codegen [--catalog DIR] [--check] [--names]

  --catalog DIR  the catalog folder holding operations.json
                 (default: ../shared/api-catalog, next to the workspace)
  --check        write nothing; fail if a generated file would change
  --names        print every operation's Rust name, then stop
  --types        print every generated type's name, its label and the fields
                 holding it (for auditing names against labels), then stop";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => match codegen(&args[1..]) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn codegen(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let mut catalog_dir = root.join("../shared/api-catalog");
    let mut check = false;
    let mut names = false;
    let mut types = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--catalog" => {
                catalog_dir = PathBuf::from(args.next().ok_or("--catalog needs a folder")?);
            }
            "--check" => check = true,
            "--names" => names = true,
            "--types" => types = true,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let operations = catalog::load(&catalog_dir)?;
    let merchant_rows = merchant::rows(&operations);
    let model = Model::build(operations)?;
    let v2 = v2::V2Model::build(catalog::load_v2(&catalog_dir)?)?;

    if types {
        for line in model.type_listing() {
            println!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if names {
        for op in &model.ops {
            println!(
                "{:<7}{:<90} {}::{}",
                op.cat.method,
                op.cat.path,
                op.module.join("::"),
                op.name
            );
        }
        for (method, path, name) in v2.names() {
            println!("{method:<7}{path:<90} {name}");
        }
        return Ok(ExitCode::SUCCESS);
    }

    let apis = root.join("wxpay-apis");
    let (mut api_files, mut constructors) = emit::api_files(&model);
    let (v2_files, v2_constructors) = v2.files();
    api_files.extend(v2_files);
    constructors.extend(v2_constructors);
    let swappable = emit::swappable(&constructors);
    let constructor_count = constructors.len();
    if !swappable.is_empty() {
        return Err(format!(
            "{} of {} constructors take two neighbouring parameters of one type, which a \
             caller could swap unnoticed (name them in a `{{Type}}Required` struct):\n  {}",
            swappable.len(),
            constructors.len(),
            swappable.join("\n  ")
        ));
    }
    if let Some(root) = api_files.get_mut("mod.rs") {
        root.push_str(&v2.root_declaration());
    }
    if let Some(readme) = api_files.get_mut("README.md") {
        readme.push_str(&v2.crate_docs());
    }
    let mut trees = vec![
        output::Tree {
            dir: apis.join("src/generated"),
            files: api_files,
            roots: vec!["mod.rs".into()],
        },
        output::Tree {
            dir: apis.join("tests/operations"),
            files: testgen::test_files(&model),
            roots: vec!["main.rs".into()],
        },
        sandbox_schemas::tree(&root, &catalog_dir)?,
        contract_table::tree(&root, &model)?,
    ];
    let blocks = vec![
        output::Block {
            file: apis.join("Cargo.toml"),
            begin: "# @generated features: begin (cargo xtask codegen; DO NOT EDIT)",
            end: "# @generated features: end",
            content: features_block(&v2),
        },
        output::Block {
            file: root.join("xtask/CORRECTIONS.md"),
            begin: "<!-- @generated corrections: begin (cargo xtask codegen; DO NOT EDIT) -->",
            end: "<!-- @generated corrections: end -->",
            content: corrections::markdown(&merchant_rows),
        },
    ];
    output::format(&mut trees, &root.join("target/xtask-codegen"))?;

    let structs = model.structs.len();
    let enums = model.enums.len();
    let summary = format!(
        "{} operations generated, {} skipped ({} of them typed by hand); {structs} structs, {enums} enums; \
         {} APIv2 operations typed; {constructor_count} constructors, none with two neighbouring \
         parameters of one type",
        model.ops.len(),
        model.skipped.len(),
        model
            .skipped
            .iter()
            .filter(|s| tables::HAND_WRITTEN
                .iter()
                .any(|(m, p, _, _)| *m == s.op.method && *p == s.op.path))
            .count(),
        v2.typed()
    );
    if check {
        let differ = output::check(&trees, &blocks)?;
        if differ.is_empty() {
            eprintln!("codegen: up to date ({summary})");
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!("codegen: these files differ from what the catalog generates:");
            for d in &differ {
                eprintln!("  {d}");
            }
            eprintln!("run `cargo xtask codegen` and commit the result");
            Ok(ExitCode::FAILURE)
        }
    } else {
        let changed = output::write(&trees, &blocks)?;
        eprintln!("codegen: {changed} files written ({summary})");
        Ok(ExitCode::SUCCESS)
    }
}

/// The `[features]` entries of `wxpay-apis`.
fn features_block(v2: &v2::V2Model) -> String {
    let mut out = String::new();
    for f in tables::FEATURES {
        writeln!(out, "## {}: {}", f.doc, f.areas.join(", ")).unwrap();
        writeln!(out, "{} = []", f.name).unwrap();
    }
    let (v2_features, v2_all) = v2.features_block();
    out.push_str(&v2_features);
    let mut all: Vec<String> = tables::FEATURES
        .iter()
        .map(|f| format!("\"{}\"", f.name))
        .collect();
    all.push(v2_all);
    writeln!(out, "## Every business area, APIv3 and APIv2.").unwrap();
    writeln!(out, "full = [{}]", all.join(", ")).unwrap();
    out
}
