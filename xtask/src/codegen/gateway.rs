//! The sandbox gateway's contract: `spec/gateway/command_session.proto`
//! compiled to Rust types without any system tool (`protox` parses it into a
//! descriptor set, `prost-build` turns that into code), and the two gateway
//! files copied byte for byte into pi-contract, which embeds them.

use std::collections::BTreeMap;
use std::path::Path;

/// The gateway files, from the workspace root.
pub(crate) const GATEWAY_SPEC_DIR: &str = "spec/gateway";
/// The command service's protobuf definition, under [`GATEWAY_SPEC_DIR`].
pub(crate) const PROTO_FILE: &str = "command_session.proto";
/// The file endpoints' OpenAPI document, under [`GATEWAY_SPEC_DIR`].
pub(crate) const FILES_SPEC_FILE: &str = "files.openapi.json";
/// The gateway files' provenance, under [`GATEWAY_SPEC_DIR`].
pub(crate) const LOCK_FILE: &str = "upstream.lock";
/// Where the generated gateway types live, from the workspace root.
pub(crate) const GATEWAY_TYPES_DIR: &str = "crates/pi-types/src/gateway";
/// The generated file's name in [`GATEWAY_TYPES_DIR`].
pub(crate) const GATEWAY_TYPES_FILE: &str = "command_session.rs";
/// Where pi-contract keeps its embedded copies, from the workspace root.
pub(crate) const EMBEDDED_GATEWAY_DIR: &str = "crates/pi-contract/spec/gateway";
/// The files pi-contract embeds, byte-identical to the ones under `spec/gateway/`.
pub(crate) const EMBEDDED_FILES: [&str; 2] = [PROTO_FILE, FILES_SPEC_FILE];

/// The proto under `root`, parsed with its comments.
fn descriptors(root: &Path) -> Result<prost_types::FileDescriptorSet, String> {
    let dir = root.join(GATEWAY_SPEC_DIR);
    protox::Compiler::new([&dir])
        .and_then(|mut compiler| {
            compiler
                .include_source_info(true)
                .include_imports(false)
                .open_file(PROTO_FILE)
                .map(|c| c.file_descriptor_set())
        })
        .map_err(|e| format!("cannot compile {GATEWAY_SPEC_DIR}/{PROTO_FILE}: {e}"))
}

/// The generated gateway types: file name → contents.
pub(crate) fn render(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let shown = format!("{GATEWAY_SPEC_DIR}/{PROTO_FILE}");
    let requests = descriptors(root)?
        .file
        .into_iter()
        .map(|file| {
            (
                prost_build::Module::from_protobuf_package_name(file.package()),
                file,
            )
        })
        .collect();
    // Maps as `BTreeMap`, as everywhere in pi-types: a message encodes to
    // the same bytes every time.
    let mut modules = prost_build::Config::new()
        .btree_map(["."])
        .generate(requests)
        .map_err(|e| format!("cannot generate Rust from {shown}: {e}"))?;
    let (_, code) = modules
        .drain()
        .next()
        .ok_or_else(|| format!("{shown} produced no Rust module"))?;
    let file =
        syn::parse_file(&code).map_err(|e| format!("the code for {shown} does not parse: {e}"))?;
    let text = format!(
        "{}\n// From {shown} by protox and prost-build.\n{}",
        super::emit::HEADER,
        prettyplease::unparse(&file)
    );
    Ok(BTreeMap::from([(GATEWAY_TYPES_FILE.to_owned(), text)]))
}

/// What a stale embedded copy is told to do.
const EMBEDDED_FIX_HINT: &str = "run `cargo xtask codegen` and commit";

/// Copies the gateway files to pi-contract's embedded copies when they
/// differ; returns how many it wrote.
pub(crate) fn sync_embedded(root: &Path) -> Result<usize, String> {
    let target_dir = root.join(EMBEDDED_GATEWAY_DIR);
    std::fs::create_dir_all(&target_dir)
        .map_err(|e| format!("{}: cannot create: {e}", target_dir.display()))?;
    let mut written = 0;
    for name in EMBEDDED_FILES {
        let source = root.join(GATEWAY_SPEC_DIR).join(name);
        let target = target_dir.join(name);
        let bytes = std::fs::read(&source)
            .map_err(|e| format!("{}: cannot read: {e}", source.display()))?;
        if std::fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&target, &bytes)
                .map_err(|e| format!("{}: cannot write: {e}", target.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

/// Fails unless each embedded copy is byte-identical to its file under
/// `spec/gateway/`.
pub(crate) fn check_embedded(root: &Path) -> Result<(), String> {
    for name in EMBEDDED_FILES {
        let source = root.join(GATEWAY_SPEC_DIR).join(name);
        let bytes = std::fs::read(&source)
            .map_err(|e| format!("{}: cannot read: {e}", source.display()))?;
        let copy = format!("{EMBEDDED_GATEWAY_DIR}/{name}");
        match std::fs::read(root.join(&copy)) {
            Ok(embedded) if embedded == bytes => {}
            Ok(_) => {
                return Err(format!(
                    "{copy} differs from {GATEWAY_SPEC_DIR}/{name}: {EMBEDDED_FIX_HINT}"
                ));
            }
            Err(e) => return Err(format!("{copy} cannot be read ({e}): {EMBEDDED_FIX_HINT}")),
        }
    }
    Ok(())
}

/// What the lock counts in the two files, by file name and count name.
fn counts(root: &Path) -> Result<BTreeMap<&'static str, BTreeMap<&'static str, u64>>, String> {
    // A map field's entry type is a message only in the descriptor.
    fn messages(list: &[prost_types::DescriptorProto]) -> u64 {
        list.iter()
            .filter(|m| !m.options.as_ref().is_some_and(|o| o.map_entry()))
            .map(|m| 1 + messages(&m.nested_type))
            .sum()
    }
    fn enums(list: &[prost_types::DescriptorProto]) -> u64 {
        list.iter()
            .map(|m| m.enum_type.len() as u64 + enums(&m.nested_type))
            .sum()
    }
    let fds = descriptors(root)?;
    let file = fds
        .file
        .first()
        .ok_or_else(|| format!("{GATEWAY_SPEC_DIR}/{PROTO_FILE} holds no file"))?;
    let proto = BTreeMap::from([
        ("services", file.service.len() as u64),
        (
            "methods",
            file.service.iter().map(|s| s.method.len() as u64).sum(),
        ),
        ("messages", messages(&file.message_type)),
        (
            "enums",
            file.enum_type.len() as u64 + enums(&file.message_type),
        ),
    ]);
    let path = root.join(GATEWAY_SPEC_DIR).join(FILES_SPEC_FILE);
    let spec = pi_contract::Spec::from_path(&path)
        .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
    let schemas = spec.document()["components"]["schemas"]
        .as_object()
        .map_or(0, |schemas| schemas.len() as u64);
    let files = BTreeMap::from([
        ("operations", spec.operations().len() as u64),
        ("schemas", schemas),
    ]);
    Ok(BTreeMap::from([
        (PROTO_FILE, proto),
        (FILES_SPEC_FILE, files),
    ]))
}

/// Fails, naming the file, when a sha256 or a count in
/// `spec/gateway/upstream.lock` is not the one of the file it records.
pub(crate) fn check_lock(root: &Path) -> Result<(), String> {
    use sha2::{Digest, Sha256};
    let lock_path = root.join(GATEWAY_SPEC_DIR).join(LOCK_FILE);
    let lock: serde_json::Value = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("{}: cannot read: {e}", lock_path.display()))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", lock_path.display()))
        })?;
    let files = lock["files"]
        .as_object()
        .ok_or_else(|| format!("{}: no `files` object", lock_path.display()))?;
    for name in EMBEDDED_FILES {
        let path = root.join(GATEWAY_SPEC_DIR).join(name);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let recorded = files
            .get(name)
            .and_then(|entry| entry["sha256"].as_str())
            .unwrap_or_default();
        if recorded != actual {
            return Err(format!(
                "{GATEWAY_SPEC_DIR}/{LOCK_FILE} records sha256 {recorded:?} for {name}, \
                 the file's is {actual}: update the lock with the edit"
            ));
        }
    }
    for (name, counted) in counts(root)? {
        for (what, actual) in counted {
            let recorded = files.get(name).and_then(|entry| entry[what].as_u64());
            if recorded != Some(actual) {
                return Err(format!(
                    "{GATEWAY_SPEC_DIR}/{LOCK_FILE} records {recorded:?} {what} for {name}, \
                     the file has {actual}: update the lock with the edit"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::project_root;
    use std::path::PathBuf;

    /// A copy of `spec/gateway/` in a temporary root, for tests that edit it.
    fn scratch_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("pi-gateway-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join(GATEWAY_SPEC_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        for name in [PROTO_FILE, FILES_SPEC_FILE, LOCK_FILE] {
            std::fs::copy(
                project_root().join(GATEWAY_SPEC_DIR).join(name),
                dir.join(name),
            )
            .unwrap();
        }
        root
    }

    #[test]
    fn the_lock_records_the_files_as_they_are() {
        if let Err(message) = check_lock(&project_root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn an_edit_without_a_lock_update_is_refused() {
        let root = scratch_root("edited");
        assert!(check_lock(&root).is_ok());
        let proto = root.join(GATEWAY_SPEC_DIR).join(PROTO_FILE);
        let edited = std::fs::read_to_string(&proto).unwrap() + "// edited\n";
        std::fs::write(&proto, edited).unwrap();
        let error = check_lock(&root).unwrap_err();
        assert!(
            error.contains(PROTO_FILE) && error.contains("sha256"),
            "{error}"
        );
    }

    #[test]
    fn the_embedded_gateway_files_are_the_vendored_ones() {
        if let Err(message) = check_embedded(&project_root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn a_stale_embedded_copy_is_found_and_rewritten() {
        let root = scratch_root("embedded");
        assert!(check_embedded(&root).is_err(), "no copies yet");
        assert_eq!(sync_embedded(&root).unwrap(), 2);
        assert!(check_embedded(&root).is_ok());
        std::fs::write(root.join(EMBEDDED_GATEWAY_DIR).join(FILES_SPEC_FILE), "{}").unwrap();
        let error = check_embedded(&root).unwrap_err();
        assert!(error.contains(FILES_SPEC_FILE), "{error}");
        assert_eq!(sync_embedded(&root).unwrap(), 1);
        assert!(check_embedded(&root).is_ok());
    }

    #[test]
    fn the_types_follow_the_proto() {
        let root = scratch_root("types");
        let before = render(&root).unwrap();
        let text = &before[GATEWAY_TYPES_FILE];
        assert!(text.starts_with(super::super::emit::HEADER));
        assert!(text.contains("#[prost(sint32, tag = \"1\")]\n        pub exit_code: i32,"));
        let proto = root.join(GATEWAY_SPEC_DIR).join(PROTO_FILE);
        let edited = std::fs::read_to_string(&proto).unwrap().replace(
            "optional string session_uuid = 5;",
            "optional string session_uuid = 6;",
        );
        std::fs::write(&proto, edited).unwrap();
        let after = render(&root).unwrap();
        assert!(after[GATEWAY_TYPES_FILE].contains("tag = \"6\""));
        assert_ne!(before, after);
    }

    #[test]
    fn a_proto_that_does_not_compile_names_the_file() {
        let root = scratch_root("broken");
        std::fs::write(root.join(GATEWAY_SPEC_DIR).join(PROTO_FILE), "message {").unwrap();
        let error = render(&root).unwrap_err();
        assert!(
            error.contains("spec/gateway/command_session.proto"),
            "{error}"
        );
    }
}
