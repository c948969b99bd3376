//! `cargo xtask spec crosscheck [--check]`: the published document against
//! what the official clients send and read.
//!
//! Reads the vendored document, the client models `cargo xtask spec
//! observe` recorded under `spec/observed/`, and two reviewed files there:
//! `map.toml` pairs client models with document places (a schema, or an
//! operation's request body or answer) and lists the query parameters a
//! client sends; `accepted.toml` holds the disagreements accepted with a
//! reason. Every other disagreement is "to amend": later work turns it into
//! an amendment of the contract.
//!
//! It prints a line per disagreement and writes `spec/observed/crosscheck.json`
//! (unless `--check`). It exits 1 when a disagreement is neither accepted
//! nor in the `to_amend` list of the `crosscheck.json` found before the run,
//! so drift that nobody has looked at is noticed; otherwise 0.

mod compare;
mod map;
mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use pi_contract::normalize::to_canonical_json;
use serde_json::Value;

use crate::spec_observe::{LOCK_FILE, OBSERVED_DIR};
use compare::{Finding, Side, compare};
use map::{AcceptedList, ModelMap};
pub(crate) use report::{Found, Outcome, Placement};

/// The reviewed pairing, under [`OBSERVED_DIR`].
const MAP_FILE: &str = "map.toml";
/// The reviewed accepted disagreements, under [`OBSERVED_DIR`].
const ACCEPTED_FILE: &str = "accepted.toml";
/// The machine-readable result, under [`OBSERVED_DIR`].
const RESULT_FILE: &str = "crosscheck.json";

/// Why the crosscheck could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CrosscheckError {
    #[error("{path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Toml { path: String, reason: String },
    #[error("{MAP_FILE} names {client}, which no observed package has")]
    UnknownModel { client: String },
    #[error(
        "{MAP_FILE}: the pair for {client} needs either `schema` with `role` \"request\" or \
         \"response\", or `operation` with `part` \"request body\" or \"response\""
    )]
    BadPair { client: String },
    #[error("{MAP_FILE}: {client} is paired with {what}, which the document does not have")]
    NotInDocument { client: String, what: String },
    #[error("{file}: the entry for {client} gives no reason")]
    MissingReason { file: &'static str, client: String },
    #[error("the supplement does not lay over the published document: {reason}")]
    Supplement { reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// Runs the task with the arguments after `spec crosscheck`.
pub(crate) fn run(root: &Path, args: &[String]) -> ExitCode {
    let check_only = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("error: unexpected arguments\nusage: cargo xtask spec crosscheck [--check]");
            return ExitCode::from(2);
        }
    };
    match crosscheck_files(root, !check_only) {
        Ok((outcome, committed)) => {
            let new = outcome.new_since(&committed);
            print!("{}", outcome.text(&new));
            if new.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: {} disagreement(s) are neither accepted nor known to amend: accept each \
                     in {OBSERVED_DIR}/{ACCEPTED_FILE} with a reason, or commit \
                     {OBSERVED_DIR}/{RESULT_FILE} to keep them to amend",
                    new.len()
                );
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Crosschecks the files under `root`, writing the result when `write`;
/// also returns the result file as it was before.
pub(crate) fn crosscheck_files(
    root: &Path,
    write: bool,
) -> Result<(Outcome, Value), CrosscheckError> {
    let dir = root.join(OBSERVED_DIR);
    // The clients are compared with the contract the SDK is built on: the
    // published document with the supplement's amendments laid over it, so
    // an amended disagreement is settled and only the others remain.
    let published = read_json(&root.join(crate::spec_update::SPEC_PATH))?;
    let supplement = read_json(&root.join(crate::spec_update::SUPPLEMENT_PATH))?;
    let document = pi_contract::supplement::merge(&published, &supplement)
        .map_err(|error| CrosscheckError::Supplement {
            reason: error.to_string(),
        })?
        .document;
    let models = observed_models(&dir)?;
    let model_map: ModelMap = map::parse(MAP_FILE, &read_text(&dir.join(MAP_FILE))?)?;
    let accepted: AcceptedList = map::parse(ACCEPTED_FILE, &read_text(&dir.join(ACCEPTED_FILE))?)?;
    let result_path = dir.join(RESULT_FILE);
    let committed = std::fs::read_to_string(&result_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    let outcome = crosscheck(&document, &models, &model_map, &accepted)?;
    if write {
        std::fs::write(&result_path, to_canonical_json(&outcome.to_json())).map_err(|e| {
            CrosscheckError::Write {
                path: result_path.display().to_string(),
                reason: e.to_string(),
            }
        })?;
    }
    Ok((outcome, committed))
}

/// Every disagreement between the document and the paired client models
/// and queries, each with the reason it was accepted, if it was.
pub(crate) fn crosscheck(
    document: &Value,
    models: &BTreeMap<String, Value>,
    model_map: &ModelMap,
    accepted: &AcceptedList,
) -> Result<Outcome, CrosscheckError> {
    let known = |client: &str| {
        if models.contains_key(client) {
            Ok(())
        } else {
            Err(CrosscheckError::UnknownModel {
                client: client.to_owned(),
            })
        }
    };
    // A model paired with a schema of its own is compared there, not again
    // inside every pair that holds it.
    let compared_alone: BTreeSet<(String, String)> = model_map
        .pair
        .iter()
        .filter_map(|p| Some((p.schema.clone()?, class_name(&p.client).to_owned())))
        .collect();
    let mut found = Vec::new();
    let mut pairs = Vec::new();
    for pair in &model_map.pair {
        known(&pair.client)?;
        let (place, role) = map::place_of(pair)?;
        let doc_schema = map::document_schema(document, pair)?;
        let client_schema = &models[&pair.client];
        let findings = compare(
            Side {
                root: document,
                schema: doc_schema,
            },
            Side {
                root: client_schema,
                schema: client_schema,
            },
            &compared_alone,
        );
        found.extend(findings.into_iter().map(|finding| Found {
            client: pair.client.clone(),
            place: place.clone(),
            role,
            finding,
        }));
        pairs.push((pair.client.clone(), place));
    }
    for query in &model_map.query {
        let place = format!("{} query", query.operation);
        let operation = map::find_operation(document, &query.operation).ok_or_else(|| {
            CrosscheckError::NotInDocument {
                client: query.client.clone(),
                what: query.operation.clone(),
            }
        })?;
        found.extend(
            compare_query(&map::query_parameters(operation), &query.params)
                .into_iter()
                .map(|finding| Found {
                    client: query.client.clone(),
                    place: place.clone(),
                    role: map::Role::Request,
                    finding,
                }),
        );
    }
    for unpaired in &model_map.unpaired {
        known(&unpaired.client)?;
        if unpaired.reason.trim().is_empty() {
            return Err(CrosscheckError::MissingReason {
                file: MAP_FILE,
                client: unpaired.client.clone(),
            });
        }
    }
    if let Some(rule) = accepted
        .accepted
        .iter()
        .find(|r| r.reason.trim().is_empty())
    {
        return Err(CrosscheckError::MissingReason {
            file: ACCEPTED_FILE,
            client: rule.client.clone().unwrap_or_else(|| "every client".into()),
        });
    }
    let unpaired: BTreeSet<&str> = model_map
        .unpaired
        .iter()
        .map(|u| u.client.as_str())
        .collect();
    let paired: BTreeSet<&str> = model_map.pair.iter().map(|p| p.client.as_str()).collect();
    let schema_names: BTreeSet<&str> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut inside = BTreeMap::new();
    let mut not_mapped = Vec::new();
    for name in models.keys() {
        if paired.contains(name.as_str()) || unpaired.contains(name.as_str()) {
            continue;
        }
        if let Some(container) = paired_container(name, &paired, models) {
            inside.insert(name.clone(), container.to_owned());
            continue;
        }
        let class = class_name(name);
        not_mapped.push(if schema_names.contains(class) {
            format!("{name} (the document has a schema {class})")
        } else {
            name.clone()
        });
    }
    let placement = Placement {
        not_mapped,
        inside,
        unpaired: unpaired.len(),
    };
    Ok(Outcome::new(found, accepted, pairs, placement))
}

/// The first paired model (in name order) of the same package whose schema
/// holds `name`'s class among its `$defs`: `name` is compared as part of it.
fn paired_container<'m>(
    name: &str,
    paired: &BTreeSet<&'m str>,
    models: &BTreeMap<String, Value>,
) -> Option<&'m str> {
    let package = name.split('.').next()?;
    let class = class_name(name);
    paired.iter().copied().find(|container| {
        container.split('.').next() == Some(package)
            && models[*container]
                .get("$defs")
                .is_some_and(|defs| defs.get(class).is_some())
    })
}

/// `ClassName` of `module.ClassName`.
fn class_name(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The query parameters a client sends that the operation does not declare,
/// and the required ones it does not send.
fn compare_query(declared: &[(String, bool)], sent: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    for name in sent {
        if !declared.iter().any(|(d, _)| d == name) {
            out.push(Finding {
                field: format!("?{name}"),
                kind: compare::Kind::OnlyInClient,
                document: "absent".into(),
                client: "sent".into(),
            });
        }
    }
    for (name, required) in declared {
        if *required && !sent.contains(name) {
            out.push(Finding {
                field: format!("?{name}"),
                kind: compare::Kind::OnlyInDocument,
                document: "required".into(),
                client: "never sent".into(),
            });
        }
    }
    out
}

/// Every observed model, `module.ClassName` → schema, from the packages the
/// lock lists.
fn observed_models(dir: &Path) -> Result<BTreeMap<String, Value>, CrosscheckError> {
    let lock = read_json(&dir.join(LOCK_FILE))?;
    let packages = lock
        .get("packages")
        .and_then(Value::as_object)
        .ok_or_else(|| CrosscheckError::Read {
            path: format!("{OBSERVED_DIR}/{LOCK_FILE}"),
            reason: "no `packages` object".into(),
        })?;
    let mut models = BTreeMap::new();
    for package in packages.keys() {
        let path = dir.join(format!("{package}.json"));
        let file = read_json(&path)?;
        let entries = file
            .get("models")
            .and_then(Value::as_object)
            .ok_or_else(|| CrosscheckError::Read {
                path: path.display().to_string(),
                reason: "no `models` object".into(),
            })?;
        models.extend(entries.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(models)
}

fn read_text(path: &Path) -> Result<String, CrosscheckError> {
    std::fs::read_to_string(path).map_err(|e| CrosscheckError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn read_json(path: &Path) -> Result<Value, CrosscheckError> {
    serde_json::from_str(&read_text(path)?).map_err(|e| CrosscheckError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests;
