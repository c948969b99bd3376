//! What the drift tools know of the SDK besides the document: the values its
//! hand-written code relies on (`pi_client::assumptions`), the Rust type of
//! each schema (`spec/codegen.toml`) and the call that makes each operation
//! (the README's operation table, which a test keeps complete).

use std::collections::BTreeMap;
use std::path::Path;

use pi_contract::diff::{Assumption, SdkNames};

use crate::codegen::config::Config;

/// The SDK's assumptions in the form the diff engine weighs them.
pub(crate) fn assumptions() -> Vec<Assumption> {
    pi_client::assumptions::all()
        .into_iter()
        .map(|a| Assumption {
            operation: a.operation,
            location: a.location,
            value: a.value,
            reason: a.reason,
        })
        .collect()
}

/// Rust names of the SDK, read from the workspace.
#[derive(Debug, Default)]
pub(crate) struct Names {
    types: BTreeMap<String, String>,
    calls: BTreeMap<String, String>,
}

impl Names {
    /// The names found under `root`; a file that cannot be read only leaves
    /// its names out (findings then name the document's places alone).
    pub(crate) fn load(root: &Path) -> Names {
        let types = Config::load(&root.join("spec/codegen.toml"))
            .map(|config| {
                config
                    .schemas
                    .into_iter()
                    .filter_map(|(schema, names)| {
                        let rust = names.use_type.or(names.name)?;
                        Some((schema, format!("pi_types::{rust}")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let calls = std::fs::read_to_string(root.join("README.md"))
            .map(|readme| calls_in(&readme))
            .unwrap_or_default();
        Names { types, calls }
    }
}

/// The README's operation table rows: `` | `GET /path` | `client.x().y(…)` | `id` | ``.
fn calls_in(readme: &str) -> BTreeMap<String, String> {
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let operation = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let call = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            (operation.contains(' ') && call.starts_with("client."))
                .then(|| (operation.to_owned(), call.to_owned()))
        })
        .collect()
}

impl SdkNames for Names {
    fn rust_type(&self, schema: &str) -> Option<String> {
        self.types.get(schema).cloned()
    }

    fn rust_field(&self, wire: &str) -> String {
        crate::codegen::names::snake_case(wire)
    }

    fn client_call(&self, operation: &str) -> Option<String> {
        self.calls.get(operation).cloned()
    }
}

/// `old` and `new`, each with the project's supplement
/// (`spec/supplement/openapi.json` under `root`) laid over it: what the
/// drift tools compare, since the SDK is built on both. Without a
/// supplement file the documents are compared as they are.
pub(crate) fn contracts(
    root: &Path,
    old: &serde_json::Value,
    new: &serde_json::Value,
) -> Result<pi_contract::supplement::Contracts, String> {
    let path = root.join(crate::spec_update::SUPPLEMENT_PATH);
    if !path.exists() {
        return Ok(pi_contract::supplement::Contracts {
            old: old.clone(),
            new: new.clone(),
            now_documented: Vec::new(),
            now_amended_upstream: Vec::new(),
        });
    }
    let supplement = pi_contract::document::read_document(&path)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    pi_contract::supplement::contracts(old, new, &supplement)
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// One line per supplement operation the newer document now describes.
pub(crate) fn now_documented_text(contracts: &pi_contract::supplement::Contracts) -> String {
    let mut text = String::new();
    for operation in &contracts.now_documented {
        text.push_str(&format!(
            "now documented upstream: {} {} (`{}`, in the supplement from {}): the changes below compare the two descriptions; drop the supplement entry, or correct it\n",
            operation.method, operation.path, operation.operation_id, operation.source
        ));
    }
    for overtaken in &contracts.now_amended_upstream {
        let amendment = &overtaken.amendment;
        let what = if overtaken.published.is_some() {
            "now documented upstream"
        } else {
            "now removed upstream"
        };
        text.push_str(&format!(
            "{what}: the amended place {} (in the supplement from {}): the changes below compare the amendment with the published value; drop the amendment, or correct it\n",
            amendment.place, amendment.source
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_come_from_the_operation_table() {
        let readme =
            "| `GET /api/v1/secrets/` | `client.secrets().list(…)` | `list_secrets` |\n| a | b |";
        let calls = calls_in(readme);
        assert_eq!(
            calls.get("GET /api/v1/secrets/").map(String::as_str),
            Some("client.secrets().list(…)")
        );
        assert_eq!(calls.len(), 1);
    }

    /// Every assumption the SDK declares is found in the vendored document:
    /// a declaration that names a missing place would never fire.
    #[test]
    fn every_assumption_is_found_in_the_vendored_document() {
        let root = crate::project_root();
        let document = pi_contract::document::read_document(&root.join("spec/openapi.json"))
            .unwrap_or_default();
        let all = assumptions();
        assert!(all.len() >= 20, "{all:?}");
        for assumption in &all {
            assert_eq!(
                pi_contract::diff::locate_assumption(&document, assumption),
                Ok(()),
                "{assumption:?}"
            );
        }
    }

    #[test]
    fn the_workspace_names_secret_types_and_calls() {
        let names = Names::load(&crate::project_root());
        assert_eq!(
            names.rust_type("SecretResponse").as_deref(),
            Some("pi_types::Secret")
        );
        assert!(
            names
                .client_call("GET /api/v1/secrets/{secret_id}")
                .is_some_and(|call| call.starts_with("client.secrets()"))
        );
        // The supplement's rows name their calls like the published ones.
        assert_eq!(
            names
                .client_call("POST /api/v1/sandbox/status:batchGet")
                .as_deref(),
            Some("client.sandboxes().batch_status(…)")
        );
        assert_eq!(
            names.client_call("GET /api/v1/rft/runs").as_deref(),
            Some("client.rl_runs().list(…)")
        );
    }
}
