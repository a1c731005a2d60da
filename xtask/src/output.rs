//! Formatting the generated files with rustfmt, then writing them (removing
//! stale ones) or, with `--check`, reporting every file that would change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A folder the generator owns entirely, and its files (relative paths).
pub struct Tree {
    pub dir: PathBuf,
    pub files: BTreeMap<String, String>,
    /// Entry points rustfmt starts from (it follows `mod` declarations).
    pub roots: Vec<String>,
}

/// A hand-written file with one generated block between two marker lines.
pub struct Block {
    pub file: PathBuf,
    pub begin: &'static str,
    pub end: &'static str,
    pub content: String,
}

pub fn format(trees: &mut [Tree], scratch: &Path) -> Result<(), String> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    let mut roots = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        let base = scratch.join(i.to_string());
        for (rel, text) in &tree.files {
            let path = base.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        roots.extend(tree.roots.iter().map(|r| base.join(r)));
    }
    let status = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .arg("--edition")
        .arg("2021")
        .args(&roots)
        .status()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    if !status.success() {
        return Err(format!(
            "rustfmt failed on the generated code (kept in {})",
            scratch.display()
        ));
    }
    for (i, tree) in trees.iter_mut().enumerate() {
        let base = scratch.join(i.to_string());
        for (rel, text) in tree.files.iter_mut() {
            if rel.ends_with(".rs") {
                let path = base.join(rel);
                *text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    std::fs::remove_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    Ok(())
}

fn existing_files(dir: &Path, rel: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    if !dir.join(rel).exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            existing_files(dir, &rel, out)?;
        } else {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn splice(block: &Block) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(&block.file)
        .map_err(|e| format!("{}: {e}", block.file.display()))?;
    let start = text
        .find(block.begin)
        .ok_or_else(|| format!("{}: no `{}` line", block.file.display(), block.begin))?;
    let end = text
        .find(block.end)
        .ok_or_else(|| format!("{}: no `{}` line", block.file.display(), block.end))?;
    let inner_start = start + block.begin.len() + 1;
    let new = format!("{}{}{}", &text[..inner_start], block.content, &text[end..]);
    Ok((text, new))
}

/// Writes the trees and blocks; returns how many files changed.
pub fn write(trees: &[Tree], blocks: &[Block]) -> Result<usize, String> {
    let mut changed = 0;
    for tree in trees {
        let mut existing = Vec::new();
        existing_files(&tree.dir, Path::new(""), &mut existing)
            .map_err(|e| format!("{}: {e}", tree.dir.display()))?;
        for rel in existing {
            if !tree.files.contains_key(&rel) {
                std::fs::remove_file(tree.dir.join(&rel)).map_err(|e| format!("{rel}: {e}"))?;
                changed += 1;
            }
        }
        for (rel, text) in &tree.files {
            let path = tree.dir.join(rel);
            if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            changed += 1;
        }
        remove_empty_dirs(&tree.dir);
    }
    for block in blocks {
        let (old, new) = splice(block)?;
        if old != new {
            std::fs::write(&block.file, new)
                .map_err(|e| format!("{}: {e}", block.file.display()))?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&entry.path());
                let _ = std::fs::remove_dir(entry.path());
            }
        }
    }
}

/// The files that differ from what is on disk.
pub fn check(trees: &[Tree], blocks: &[Block]) -> Result<Vec<String>, String> {
    let mut differ = Vec::new();
    for tree in trees {
        let mut existing = Vec::new();
        existing_files(&tree.dir, Path::new(""), &mut existing)
            .map_err(|e| format!("{}: {e}", tree.dir.display()))?;
        for rel in existing {
            if !tree.files.contains_key(&rel) {
                differ.push(format!("{} (stale)", tree.dir.join(rel).display()));
            }
        }
        for (rel, text) in &tree.files {
            let path = tree.dir.join(rel);
            match std::fs::read_to_string(&path) {
                Ok(on_disk) if on_disk == *text => {}
                Ok(_) => differ.push(path.display().to_string()),
                Err(_) => differ.push(format!("{} (missing)", path.display())),
            }
        }
    }
    for block in blocks {
        let (old, new) = splice(block)?;
        if old != new {
            differ.push(format!("{} (generated block)", block.file.display()));
        }
    }
    Ok(differ)
}
