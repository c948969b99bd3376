//! Keeps the layout ARCHITECTURE.md promises: only the request path
//! (`src/request/`) names reqwest, and modules import each other by their
//! real paths, never through the crate root's re-exports.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, depth first.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn only_the_request_path_names_reqwest() {
    let request = src().join("request");
    let outside: Vec<PathBuf> = sources(&src())
        .into_iter()
        .filter(|path| !path.starts_with(&request))
        .filter(|path| std::fs::read_to_string(path).unwrap().contains("reqwest"))
        .collect();
    assert!(
        outside.is_empty(),
        "only src/request/ may use reqwest (ARCHITECTURE.md); found in {outside:?}"
    );
}

#[test]
fn modules_import_each_other_by_their_real_paths() {
    let mut through_the_root = Vec::new();
    for path in sources(&src()) {
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let line = line.trim_start();
            let Some(rest) = line.strip_prefix("use crate::") else {
                continue;
            };
            // `use crate::{a::B, …}` or `use crate::Name;`: a re-export of lib.rs.
            if rest.starts_with('{') || rest.starts_with(|c: char| c.is_ascii_uppercase()) {
                through_the_root.push(format!("{}: {line}", path.display()));
            }
        }
    }
    assert!(
        through_the_root.is_empty(),
        "import by the defining module's path (crate::error::Error), not the crate root:\n{}",
        through_the_root.join("\n")
    );
}

/// Lines of code in `path` before its test module: no blank lines, no
/// comments, no docs.
fn code_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

#[test]
fn the_hand_written_layer_stays_under_fifteen_lines_an_operation() {
    // What the generator cannot write: the areas' own files (waiters,
    // guards, batching, helpers) and the one request every operation
    // shares (`call.rs`, `page.rs`, `endpoint.rs`).
    let generated = src().join("generated");
    let areas: Vec<PathBuf> = sources(&generated)
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|name| name != "mod.rs"))
        .map(|path| src().join(path.file_name().unwrap()))
        .collect();
    let operations: usize = sources(&generated)
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .matches("crate::endpoint::Endpoint::")
                .count()
        })
        .sum();
    assert!(operations >= 79, "only {operations} generated endpoints");
    let shared = ["call.rs", "page.rs", "endpoint.rs"].map(|name| src().join(name));
    let lines: usize = areas
        .iter()
        .chain(&shared)
        .map(|path| code_lines(path))
        .sum();
    assert!(
        lines <= 15 * operations,
        "{lines} hand-written lines for {operations} operations: more than 15 each"
    );
}
