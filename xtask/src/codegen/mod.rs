//! `cargo xtask codegen [--check]`: writes `crates/pi-types/src/generated/`
//! and `crates/pi-client/src/generated/` from `spec/openapi.json` and
//! `spec/codegen.toml`, `crates/pi-types/src/gateway/` from
//! `spec/gateway/command_session.proto`, and pi-contract's embedded copies of
//! the contract files, or checks that the committed files are what it would
//! write.

mod client;
pub(crate) mod config;
mod emit;
pub(crate) mod gateway;
mod model;
pub(crate) mod names;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The folder the generated modules live in, from the workspace root.
pub(crate) const GENERATED_DIR: &str = "crates/pi-types/src/generated";
/// The generator's configuration, from the workspace root.
pub(crate) const CONFIG_PATH: &str = "spec/codegen.toml";
/// What a stale or hand-edited generated tree is told to do.
pub(crate) const FIX_HINT: &str = "run `cargo xtask codegen` and commit";

/// Runs the task: `--check` compares, anything else writes.
pub(crate) fn run(root: &Path, args: &[String]) -> ExitCode {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("error: usage: cargo xtask codegen [--check]");
            return ExitCode::from(2);
        }
    };
    let result = if check {
        self::check(root)
            .and_then(|()| crate::spec_update::check_embedded(root))
            .and_then(|()| gateway::check_embedded(root))
            .and_then(|()| gateway::check_lock(root))
    } else {
        write(root)
            .and_then(|_| crate::spec_update::sync_embedded(root))
            .and_then(|_| gateway::sync_embedded(root))
            .and_then(|_| gateway::check_lock(root))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every generated file, by folder (from the workspace root) and name, from
/// the spec, config and gateway proto under `root`: the models, the client's
/// layer and the gateway's types.
pub(crate) fn generate(
    root: &Path,
) -> Result<BTreeMap<&'static str, BTreeMap<String, String>>, String> {
    let config = config::Config::load(&root.join(CONFIG_PATH))?;
    let spec = contract(root, &config)?;
    let model = model::build(&spec, &config)?;
    let client = client::render(spec.document(), &config, &model)?;
    Ok(BTreeMap::from([
        (GENERATED_DIR, emit::render(&model)?),
        (client::CLIENT_DIR, client),
        (gateway::GATEWAY_TYPES_DIR, gateway::render(root)?),
    ]))
}

/// The contract the SDK is generated from: the published document with the
/// project's supplement laid over it, less the supplement's operations that
/// `spec/codegen.toml` gives no table yet. Those are what the SDK does not
/// reach yet; the contract suite reports them as not yet covered.
fn contract(root: &Path, config: &config::Config) -> Result<pi_contract::Spec, String> {
    let read = |relative: &str| {
        let path = root.join(relative);
        pi_contract::document::read_document(&path)
            .map_err(|e| format!("cannot load {}: {e}", path.display()))
    };
    let published = read(crate::spec_update::SPEC_PATH)?;
    let supplement = read(crate::spec_update::SUPPLEMENT_PATH)?;
    let merged = pi_contract::supplement::merge(&published, &supplement)
        .map_err(|e| format!("{}: {e}", crate::spec_update::SUPPLEMENT_PATH))?;
    let mut document = merged.document;
    for added in &merged.added {
        let key = format!("{} {}", added.method, added.path);
        if config.operations.contains_key(&key) {
            continue;
        }
        let paths = document
            .get_mut("paths")
            .and_then(serde_json::Value::as_object_mut);
        if let Some(item) = paths.and_then(|paths| paths.get_mut(&added.path)) {
            if let Some(item) = item.as_object_mut() {
                item.remove(&added.method.to_ascii_lowercase());
            }
        }
    }
    pi_contract::Spec::from_value(document).map_err(|e| format!("cannot load the contract: {e}"))
}

/// Writes the generated trees, removing files they no longer hold; returns
/// how many files changed.
pub(crate) fn write(root: &Path) -> Result<usize, String> {
    let mut changed = 0;
    for (folder, files) in generate(root)? {
        let dir = root.join(folder);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for stale in stale_files(&dir, &files)? {
            std::fs::remove_file(&stale)
                .map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
            changed += 1;
        }
        for (name, text) in &files {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                changed += 1;
            }
        }
        println!("codegen: {} files in {folder}", files.len());
    }
    println!("codegen: {changed} changed");
    Ok(changed)
}

/// Fails, naming the files, when the committed trees differ from what
/// [`write()`] would produce.
pub(crate) fn check(root: &Path) -> Result<(), String> {
    let mut differing = Vec::new();
    let mut count = 0;
    for (folder, files) in generate(root)? {
        let dir = root.join(folder);
        differing.extend(
            stale_files(&dir, &files)?
                .iter()
                .map(|p| format!("{} (no longer generated)", p.display())),
        );
        for (name, text) in &files {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
                differing.push(format!("{folder}/{name}"));
            }
        }
        count += files.len();
    }
    if differing.is_empty() {
        println!("codegen: the generated models and client layer are up to date ({count} files)");
        Ok(())
    } else {
        Err(format!(
            "the generated files are stale ({}): {FIX_HINT}",
            differing.join(", ")
        ))
    }
}

/// `.rs` files in the generated folder that the generator no longer writes.
fn stale_files(dir: &Path, files: &BTreeMap<String, String>) -> Result<Vec<PathBuf>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut stale = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".rs") || files.contains_key(&name) {
            continue;
        }
        // A `generated` folder is the generator's alone; elsewhere (the
        // gateway's folder, beside hand-written modules) only a file that
        // says it was generated is the generator's to remove.
        let owned = dir.ends_with("generated")
            || std::fs::read_to_string(&path).is_ok_and(|text| text.starts_with(emit::HEADER));
        if owned {
            stale.push(path);
        }
    }
    stale.sort();
    Ok(stale)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::project_root;

    /// A copy of the spec and config in a temporary root, for tests that edit them.
    fn scratch_root(name: &str, edit_config: impl FnOnce(String) -> String) -> PathBuf {
        let root = std::env::temp_dir().join(format!("pi-codegen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("spec")).unwrap();
        std::fs::create_dir_all(root.join(GENERATED_DIR)).unwrap();
        std::fs::create_dir_all(root.join(client::CLIENT_DIR)).unwrap();
        std::fs::create_dir_all(root.join(gateway::GATEWAY_SPEC_DIR)).unwrap();
        let real = project_root();
        std::fs::copy(
            real.join(gateway::GATEWAY_SPEC_DIR)
                .join(gateway::PROTO_FILE),
            root.join(gateway::GATEWAY_SPEC_DIR)
                .join(gateway::PROTO_FILE),
        )
        .unwrap();
        for file in [
            crate::spec_update::SPEC_PATH,
            crate::spec_update::SUPPLEMENT_PATH,
        ] {
            let to = root.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(real.join(file), to).unwrap();
        }
        let config = std::fs::read_to_string(real.join(CONFIG_PATH)).unwrap();
        std::fs::write(root.join(CONFIG_PATH), edit_config(config)).unwrap();
        root
    }

    #[test]
    fn the_committed_models_are_what_the_generator_writes() {
        if let Err(message) = check(&project_root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn the_embedded_contract_is_the_vendored_spec() {
        if let Err(message) = crate::spec_update::check_embedded(&project_root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn two_runs_write_the_same_bytes() {
        let root = project_root();
        assert_eq!(generate(&root).unwrap(), generate(&root).unwrap());
    }

    #[test]
    fn every_file_starts_with_the_do_not_edit_line() {
        for (folder, files) in generate(&project_root()).unwrap() {
            for (name, text) in files {
                assert!(text.starts_with(emit::HEADER), "{folder}/{name}");
            }
        }
    }

    #[test]
    fn every_public_type_name_is_idiomatic() {
        let files = generate(&project_root())
            .unwrap()
            .remove(GENERATED_DIR)
            .unwrap();
        let mut names = Vec::new();
        for text in files.values() {
            for line in text.lines() {
                for prefix in ["pub struct ", "pub enum ", "pub type "] {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(name);
                    }
                }
            }
        }
        assert!(names.len() > 130, "only {} public types", names.len());
        for name in &names {
            assert_eq!(model::name_problem(name), None, "`{name}`");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a public type name repeats");
    }

    #[test]
    fn fastapi_names_are_refused() {
        for name in [
            "GenericResponse_Secret_",
            "SecretResponse",
            "APIPodConfig",
            "HistoryObj",
            "PodStatusEnum",
            "Body_create_pod",
        ] {
            assert!(model::name_problem(name).is_some(), "{name}");
        }
        for name in ["Secret", "CreateSecret", "GpuType", "Rtx3070_8gb", "SshKey"] {
            assert_eq!(model::name_problem(name), None, "{name}");
        }
    }

    #[test]
    fn two_schemas_with_one_name_are_refused() {
        let root = scratch_root("clash", |config| {
            config.replacen("name = \"CreateSecret\"", "name = \"Secret\"", 1)
        });
        let error = generate(&root).unwrap_err();
        assert!(error.contains("both named `Secret`"), "{error}");
    }

    #[test]
    fn always_present_fields_need_a_reason_a_property_and_an_answer_schema() {
        let unexplained = scratch_root("always-unexplained", |config| {
            config.replacen("reason = \"every pod", "# reason = \"every pod", 1)
        });
        let error = generate(&unexplained).unwrap_err();
        assert!(
            error.contains("APIPodConfig") && error.contains("reason"),
            "{error}"
        );
        let unknown = scratch_root("always-unknown", |config| {
            config.replacen(
                "always_present = [\"id\"]",
                "always_present = [\"ident\"]",
                1,
            )
        });
        let error = generate(&unknown).unwrap_err();
        assert!(error.contains(".ident` as always present"), "{error}");
        let sent = scratch_root("always-sent", |config| {
            config.replacen(
                "name = \"CreateSecret\"\n",
                "name = \"CreateSecret\"\nalways_present = [\"name\"]\nreason = \"r\"\n",
                1,
            )
        });
        let error = generate(&sent).unwrap_err();
        assert!(error.contains("only answers"), "{error}");
    }

    #[test]
    fn a_fastapi_name_in_the_config_is_refused() {
        let root = scratch_root("fastapi", |config| {
            config.replacen("name = \"Secret\"", "name = \"SecretResponse\"", 1)
        });
        let error = generate(&root).unwrap_err();
        assert!(
            error.contains("SecretResponse") && error.contains("suffix"),
            "{error}"
        );
    }

    #[test]
    fn a_schema_without_a_name_says_where_to_add_one() {
        let root = scratch_root("unnamed", |config| {
            config.replacen("name = \"Secret\"\n", "", 1)
        });
        let error = generate(&root).unwrap_err();
        assert!(error.contains("[schemas.SecretResponse]"), "{error}");
    }

    #[test]
    fn a_stale_or_extra_file_fails_the_check_with_the_fix() {
        let root = scratch_root("stale", |config| config);
        write(&root).unwrap();
        assert!(check(&root).is_ok());
        let secrets = root.join(GENERATED_DIR).join("secrets.rs");
        let edited = std::fs::read_to_string(&secrets).unwrap() + "// edited by hand\n";
        std::fs::write(&secrets, edited).unwrap();
        std::fs::write(root.join(GENERATED_DIR).join("old_area.rs"), "").unwrap();
        let error = check(&root).unwrap_err();
        assert!(
            error.contains("secrets.rs") && error.contains("old_area.rs"),
            "{error}"
        );
        assert!(error.ends_with(FIX_HINT), "{error}");
        write(&root).unwrap();
        assert!(check(&root).is_ok());
        assert!(!root.join(GENERATED_DIR).join("old_area.rs").exists());
    }

    #[test]
    fn a_hand_edited_gateway_file_fails_the_check() {
        let root = scratch_root("gateway-stale", |config| config);
        write(&root).unwrap();
        let file = root
            .join(gateway::GATEWAY_TYPES_DIR)
            .join(gateway::GATEWAY_TYPES_FILE);
        let edited = std::fs::read_to_string(&file)
            .unwrap()
            .replace("tag = \"5\"", "tag = \"6\"");
        std::fs::write(&file, edited).unwrap();
        let error = check(&root).unwrap_err();
        assert!(
            error.contains("crates/pi-types/src/gateway/command_session.rs"),
            "{error}"
        );
        assert!(error.ends_with(FIX_HINT), "{error}");
    }

    #[test]
    fn secret_fields_become_secret_strings() {
        let files = generate(&project_root())
            .unwrap()
            .remove(GENERATED_DIR)
            .unwrap();
        let secrets = &files["secrets.rs"];
        assert!(secrets.contains("pub value: crate::SecretString"));
        assert!(secrets.contains("pub value: Option<crate::SecretString>"));
        let sandboxes = &files["sandboxes.rs"];
        assert!(
            sandboxes.contains("BTreeMap<String, crate::SecretString>"),
            "the sandbox secrets map"
        );
    }

    #[test]
    fn a_required_input_missing_from_args_stops_the_generator() {
        let root = scratch_root("args-missing", |config| {
            config.replacen("args = [\"name\", \"value\"]", "args = [\"name\"]", 1)
        });
        let error = generate(&root).unwrap_err();
        assert!(
            error.contains("POST /api/v1/secrets/") && error.contains("`value`"),
            "{error}"
        );
    }

    #[test]
    fn a_constructor_order_that_misses_a_required_field_stops_the_generator() {
        // The create-secret body's order, found by the check beside it (other
        // bodies share the same order line).
        let root = scratch_root("new-missing", |config| {
            config.replacen(
                "check_file_size\"\nnew = [\"name\", \"value\"]",
                "check_file_size\"\nnew = [\"value\"]",
                1,
            )
        });
        let error = generate(&root).unwrap_err();
        assert!(
            error.contains("[schemas.SecretCreateRequest]") && error.contains("\"name\""),
            "{error}"
        );
    }

    #[test]
    fn every_operation_needs_a_call_and_every_call_an_operation() {
        let unknown = scratch_root("op-unknown", |config| {
            config + "\n[operations.\"GET /api/v1/nowhere\"]\ncall = \"x\"\ndoc = \"x\"\n"
        });
        let error = generate(&unknown).unwrap_err();
        assert!(error.contains("GET /api/v1/nowhere"), "{error}");
        let missing = scratch_root("op-missing", |config| {
            config.replacen(
                "[operations.\"GET /api/v1/secrets/\"]",
                "[operations.\"GET /api/v1/secrets/unused\"]",
                1,
            )
        });
        let error = generate(&missing).unwrap_err();
        assert!(error.contains("GET /api/v1/secrets/"), "{error}");
    }

    #[test]
    fn a_cursor_list_needs_its_next_cursor_field_and_file_names_need_a_multipart_body() {
        let no_next = scratch_root("cursor-next-missing", |config| {
            config.replacen(
                "call = \"runs\"\ndoc = \"Runs with totals over their traces, most recently ingested first; send for one page, or stream them all.\"\npaging = \"cursor\"\nstart = \"cursor\"\nsize = \"limit\"\nitems = \"items\"\nnext = \"next_cursor\"\n",
                "call = \"runs\"\ndoc = \"x\"\npaging = \"cursor\"\nstart = \"cursor\"\nsize = \"limit\"\nitems = \"items\"\n",
                1,
            )
        });
        let error = generate(&no_next).unwrap_err();
        assert!(
            error.contains("GET /api/v1/runs") && error.contains("`next`"),
            "{error}"
        );
        let stray_file = scratch_root("filenames-stray", |config| {
            config.replacen(
                "filenames = { traces = \"traces.jsonl\" }",
                "filenames = { lines = \"traces.jsonl\" }",
                1,
            )
        });
        let error = generate(&stray_file).unwrap_err();
        assert!(
            error.contains("POST /api/v1/traces") && error.contains("`lines`"),
            "{error}"
        );
        let unknown_base = scratch_root("base-unknown", |config| {
            config.replacen("base = \"traces\"", "base = \"elsewhere\"", 1)
        });
        let error = generate(&unknown_base).unwrap_err();
        assert!(
            error.contains("[areas.traces]") && error.contains("`elsewhere`"),
            "{error}"
        );
    }

    #[test]
    fn a_numbered_page_needs_a_size_for_its_stream_from_the_document_or_the_config() {
        let unsized_pages = scratch_root("stream-size-missing", |config| {
            config.replacen("stream_size = 50\n", "", 1)
        });
        let error = generate(&unsized_pages).unwrap_err();
        assert!(
            error.contains("GET /api/v1/sandbox/volumes") && error.contains("`stream_size`"),
            "{error}"
        );
        let redundant = scratch_root("stream-size-redundant", |config| {
            config.replacen(
                "items = \"sandboxes\"\n",
                "items = \"sandboxes\"\nstream_size = 50\n",
                1,
            )
        });
        let error = generate(&redundant).unwrap_err();
        assert!(
            error.contains("GET /api/v1/sandbox:") && error.contains("drop `stream_size`"),
            "{error}"
        );
        let files = generate(&project_root())
            .unwrap()
            .remove(client::CLIENT_DIR)
            .unwrap();
        assert!(files["sandboxes.rs"].contains("largest: 50i64"));
    }

    #[test]
    fn a_filled_field_that_may_be_null_is_set_to_some_value() {
        let files = generate(&project_root())
            .unwrap()
            .remove(client::CLIENT_DIR)
            .unwrap();
        let sandboxes = &files["sandboxes.rs"];
        assert!(sandboxes.contains("pi_types::SetEgressPolicy::new(None, None)"));
        assert!(
            sandboxes.contains(
                "self.body.allowlist = Some(allowlist.into_iter().map(Into::into).collect());"
            ),
            "the allowlist setter"
        );
        assert!(sandboxes.contains("self.body.force = force;"));
    }

    #[test]
    fn team_setters_exist_only_where_the_operation_takes_a_team() {
        let files = generate(&project_root())
            .unwrap()
            .remove(client::CLIENT_DIR)
            .unwrap();
        let secrets = &files["secrets.rs"];
        assert_eq!(
            secrets.matches("pub fn team(").count(),
            5,
            "every secrets call"
        );
        assert!(!files["availability.rs"].contains("pub fn team("));
        assert!(!files["user.rs"].contains("pub fn team("));
        // The sandbox create takes its team in the body, get takes none.
        let sandboxes = &files["sandboxes.rs"];
        let create = &sandboxes[sandboxes
            .find("impl<'c> SandboxesCreateRequest<'c>")
            .unwrap()..];
        assert!(create[..create.find("\n}\n").unwrap()].contains("pub fn team("));
        let get = &sandboxes[sandboxes.find("impl<'c> SandboxesGetRequest<'c>").unwrap()..];
        assert!(!get[..get.find("\n}\n").unwrap()].contains("pub fn team("));
    }

    #[test]
    fn credentials_required_teams_and_pages_without_totals_follow_the_document() {
        let files = generate(&project_root())
            .unwrap()
            .remove(client::CLIENT_DIR)
            .unwrap();
        // `security: []` and a call's own bearer send no API key.
        let login = &files["login.rs"];
        assert_eq!(login.matches(".without_api_key()").count(), 2);
        assert!(login.contains("status_auth_token: &pi_types::SecretString"));
        assert!(login.contains("call.bearer(status_auth_token);"));
        assert!(!files["secrets.rs"].contains("without_api_key"));
        // A required team parameter is an argument, not the handle's team.
        let clusters = &files["clusters.rs"];
        assert!(!clusters.contains("team_in_query") && !clusters.contains("pub fn team("));
        assert!(clusters.contains("call.query(\"team_id\", team_id.into());"));
        assert!(files["rl_runs.rs"].contains(".team_in_query(\"team_id\")"));
        // A page that may leave out its list or its total.
        assert!(
            files["mod.rs"].contains("(self.runs.unwrap_or_default(), self.total.unwrap_or(0))")
        );
        assert!(files["mod.rs"].contains("(self.evaluations, self.total)"));
    }
}
