//! Where a client's settings come from when the caller does not give them:
//! the `PRIME_*` environment variables first, then the `prime` CLI's
//! `~/.prime/config.json`, so a person who already uses the CLI needs no setup.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

use crate::Error;

/// Environment variable holding the API key.
pub const API_KEY_VAR: &str = "PRIME_API_KEY";
/// Environment variable holding the base URL.
pub const BASE_URL_VAR: &str = "PRIME_BASE_URL";
/// Environment variable holding the default team id.
pub const TEAM_ID_VAR: &str = "PRIME_TEAM_ID";

/// The settings found in the environment and the CLI's config file.
#[derive(Default)]
pub(crate) struct FoundSettings {
    pub(crate) api_key: Option<SecretString>,
    pub(crate) base_url: Option<String>,
    pub(crate) team_id: Option<String>,
}

/// The subset of the `prime` CLI's config file this client reads.
#[derive(Deserialize, Default)]
struct CliConfig {
    #[serde(default)]
    api_key: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    team_id: Option<String>,
}

/// The `prime` CLI's config file for the current user, when a home folder is known.
pub(crate) fn cli_config_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(PathBuf::from(home).join(".prime").join("config.json"))
}

/// Reads settings: each from the environment when set and not empty, else from
/// the CLI's config file. A config file that exists but cannot be read or
/// parsed is an error, never silently skipped.
pub(crate) fn find_settings(
    env: impl Fn(&str) -> Option<String>,
    config_file: Option<&Path>,
) -> Result<FoundSettings, Error> {
    let env = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let file = match config_file {
        Some(path) => read_cli_config(path)?,
        None => CliConfig::default(),
    };
    let non_empty = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    Ok(FoundSettings {
        api_key: env(API_KEY_VAR)
            .or_else(|| non_empty(file.api_key))
            .map(SecretString::from),
        base_url: env(BASE_URL_VAR).or_else(|| non_empty(file.base_url)),
        team_id: env(TEAM_ID_VAR).or_else(|| non_empty(file.team_id)),
    })
}

fn read_cli_config(path: &Path) -> Result<CliConfig, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CliConfig::default());
        }
        Err(error) => {
            return Err(Error::configuration(format!(
                "cannot read {}: {error}",
                path.display()
            )));
        }
    };
    // serde_json's message names the line and column but never echoes values.
    serde_json::from_slice(&bytes).map_err(|error| {
        Error::configuration(format!(
            "{} is not a valid prime CLI config: {error}; fix or remove it",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn config_file(contents: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, contents).unwrap();
        (dir, path)
    }

    #[test]
    fn the_environment_wins_over_the_cli_config() {
        let (_dir, path) = config_file(
            r#"{"api_key": "file-key", "team_id": "file-team", "base_url": "https://file.example"}"#,
        );
        let found = find_settings(
            env_of(&[(API_KEY_VAR, "env-key"), (TEAM_ID_VAR, "env-team")]),
            Some(&path),
        )
        .unwrap();
        assert_eq!(found.api_key.unwrap().expose_secret(), "env-key");
        assert_eq!(found.team_id.as_deref(), Some("env-team"));
        assert_eq!(found.base_url.as_deref(), Some("https://file.example"));
    }

    #[test]
    fn the_cli_config_fills_what_the_environment_lacks_and_ignores_other_keys() {
        let (_dir, path) = config_file(
            r#"{"api_key": "file-key", "team_id": null, "user_id": "u1", "ssh_key_path": "~/.ssh/id"}"#,
        );
        let found = find_settings(env_of(&[(API_KEY_VAR, "  ")]), Some(&path)).unwrap();
        assert_eq!(found.api_key.unwrap().expose_secret(), "file-key");
        assert_eq!(found.team_id, None);
    }

    #[test]
    fn a_missing_config_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let found = find_settings(env_of(&[]), Some(&dir.path().join("absent.json"))).unwrap();
        assert!(found.api_key.is_none());
    }

    #[test]
    fn a_broken_config_file_is_an_error_naming_the_file_but_not_its_contents() {
        let (_dir, path) = config_file(r#"{"api_key": "sk-very-secret", "#);
        let error = find_settings(env_of(&[]), Some(&path))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("config.json"), "{error}");
        assert!(!error.contains("sk-very-secret"), "{error}");
    }
}
