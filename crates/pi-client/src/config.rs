//! Where a client's settings come from when the caller does not give them,
//! read the way the `prime` CLI reads them, so a person who already uses the
//! CLI needs no setup: the `PRIME_*` variables first, then the environment
//! file `PRIME_CONTEXT` selects (`~/.prime/environments/<name>.json`), then
//! `~/.prime/config.json`. [`Client::from_env`](crate::Client::from_env)
//! holds the table.
//!
//! The variables and the home folder are inputs of `find_settings`, so the
//! tests run against a temporary home and made-up variables, never the real
//! `~/.prime` or the process environment.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde_json::Value;

use crate::error::Error;

pub use crate::client::{
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_READ_TIMEOUT,
    DEFAULT_TIMEOUT,
};

/// Environment variable holding the API key.
pub const API_KEY_VAR: &str = "PRIME_API_KEY";
/// Environment variable holding the base URL; the CLI's first choice, read
/// before [`BASE_URL_VAR`].
pub const API_BASE_URL_VAR: &str = "PRIME_API_BASE_URL";
/// Environment variable holding the base URL when [`API_BASE_URL_VAR`] is not set.
pub const BASE_URL_VAR: &str = "PRIME_BASE_URL";
/// Environment variable holding the base URL of the Prime Traces service,
/// where the traces area's requests go; read as the official `prime-traces`
/// client reads it, before the `traces_url` key of the CLI's files.
pub const TRACES_URL_VAR: &str = "PRIME_TRACES_URL";
/// Environment variable holding the default team id.
pub const TEAM_ID_VAR: &str = "PRIME_TEAM_ID";
/// Environment variable naming the CLI environment ("context") to use:
/// `~/.prime/environments/<name>.json`, or the built-in `production`.
pub const CONTEXT_VAR: &str = "PRIME_CONTEXT";

/// The environment the CLI builds in: the production URL and the personal
/// account; it has no file.
const PRODUCTION: &str = "production";

/// A setting and where it was found, so a message about it can say where to fix it.
pub(crate) struct Found<T> {
    pub(crate) value: T,
    /// `PRIME_API_KEY`, `base_url in /home/me/.prime/config.json`, ...
    pub(crate) source: String,
}

/// The settings found in the variables and the CLI's files.
pub(crate) struct FoundSettings {
    pub(crate) api_key: Option<Found<SecretString>>,
    /// `None`: the default base URL.
    pub(crate) base_url: Option<Found<String>>,
    /// `None`: the personal account.
    pub(crate) team_id: Option<Found<String>>,
    /// `None`: the traces area uses the client's base URL.
    pub(crate) traces_url: Option<Found<String>>,
    /// Every place an API key was looked for, for the message when none was found.
    pub(crate) key_looked_in: Vec<String>,
}

/// One of the three keys in one of the CLI's files.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    /// The file does not have the key.
    Absent,
    /// The key is there, `null` or blank.
    Empty,
    /// The key holds this text.
    Text(String),
}

impl Field {
    fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Absent | Self::Empty => None,
        }
    }
}

/// What one of the CLI's files says about the settings this client reads.
struct FileSettings {
    path: PathBuf,
    api_key: Field,
    base_url: Field,
    team_id: Field,
    traces_url: Field,
}

impl FileSettings {
    /// A file that does not exist: `config.json` before the first `prime login`.
    fn absent(path: PathBuf) -> Self {
        Self {
            path,
            api_key: Field::Absent,
            base_url: Field::Absent,
            team_id: Field::Absent,
            traces_url: Field::Absent,
        }
    }

    /// `key`'s text with where it came from, when it holds one.
    fn found(&self, key: &str, field: &Field, selected: &str) -> Option<Found<String>> {
        field.text().map(|text| Found {
            value: text.to_owned(),
            source: format!("{key} in {}{selected}", self.path.display()),
        })
    }
}

/// Which environment `PRIME_CONTEXT` selects.
enum Context {
    /// Not set: `config.json` alone.
    Unset,
    /// `production`, in any case: the default URL and the personal account,
    /// with `config.json`'s key.
    Production,
    /// A saved environment, read from its file; `config.json` is read only
    /// for a key the file does not have.
    Saved(FileSettings),
}

/// The home folder of the current user, from `HOME` (or `USERPROFILE` on
/// Windows); an empty value counts as unset.
pub(crate) fn home_dir() -> Option<PathBuf> {
    ["HOME", "USERPROFILE"]
        .into_iter()
        .filter_map(std::env::var_os)
        .find(|home| !home.is_empty())
        .map(PathBuf::from)
}

/// Reads the settings as the `prime` CLI does (the table is on
/// [`Client::from_env`](crate::Client::from_env)): `var` answers for the
/// environment variables, `home` is the folder holding `.prime`. A variable
/// set to blank counts as unset.
///
/// # Errors
/// [`Error::Configuration`] naming the file when a file that is read cannot
/// be read, is not a JSON object, or holds a key of the wrong type; when the
/// file `PRIME_CONTEXT` selects does not exist; when the context name could
/// leave `~/.prime/environments`; when `PRIME_CONTEXT` is set but no home is known.
pub(crate) fn find_settings(
    var: impl Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<FoundSettings, Error> {
    let set = |name: &str| {
        var(name)
            .filter(|value| !value.trim().is_empty())
            .map(|value| Found {
                value,
                source: name.to_owned(),
            })
    };
    let prime_dir = home.map(|home| home.join(".prime"));
    // No home: no files, as for a user who never ran the CLI.
    let config = match &prime_dir {
        Some(dir) => read_settings_file(&dir.join("config.json"), None)?,
        None => FileSettings::absent(PathBuf::from(
            "~/.prime/config.json (no home folder is known)",
        )),
    };
    let context = match var(CONTEXT_VAR).filter(|name| !name.trim().is_empty()) {
        None => Context::Unset,
        Some(name) if name.to_lowercase() == PRODUCTION => Context::Production,
        Some(name) => Context::Saved(read_context(&name, prime_dir.as_deref())?),
    };
    let selected = format!(" (selected by {CONTEXT_VAR})");

    let mut key_looked_in = vec![API_KEY_VAR.to_owned()];
    let api_key = set(API_KEY_VAR).or_else(|| {
        // The environment file's key replaces config.json's, even when empty:
        // the CLI never sends the main account's key to a saved environment
        // that has a key of its own, or an emptied one.
        if let Context::Saved(file) = &context {
            match &file.api_key {
                Field::Absent => {}
                Field::Empty => {
                    key_looked_in.push(format!("{} (its api_key is empty)", file.path.display()));
                    return None;
                }
                Field::Text(_) => return file.found("api_key", &file.api_key, &selected),
            }
            key_looked_in.push(format!("{} (no api_key)", file.path.display()));
        }
        key_looked_in.push(config.path.display().to_string());
        config.found("api_key", &config.api_key, "")
    });
    let base_url = set(API_BASE_URL_VAR)
        .or_else(|| set(BASE_URL_VAR))
        .or_else(|| match &context {
            Context::Unset => config.found("base_url", &config.base_url, ""),
            Context::Production => None,
            Context::Saved(file) => file.found("base_url", &file.base_url, &selected),
        });
    let team_id = set(TEAM_ID_VAR).or_else(|| match &context {
        Context::Unset => config.found("team_id", &config.team_id, ""),
        Context::Production => None,
        Context::Saved(file) => file.found("team_id", &file.team_id, &selected),
    });
    let traces_url = set(TRACES_URL_VAR).or_else(|| match &context {
        Context::Unset => config.found("traces_url", &config.traces_url, ""),
        Context::Production => None,
        Context::Saved(file) => file.found("traces_url", &file.traces_url, &selected),
    });
    Ok(FoundSettings {
        traces_url,
        api_key: api_key.map(|found| Found {
            value: SecretString::from(found.value),
            source: found.source,
        }),
        base_url,
        team_id,
        key_looked_in,
    })
}

/// Reads the saved environment `name` from `<prime_dir>/environments/<name>.json`.
fn read_context(name: &str, prime_dir: Option<&Path>) -> Result<FileSettings, Error> {
    // The CLI's rule, which also keeps the name inside the folder: no `/`,
    // `\`, `.` or anything else that could make it a path.
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
    if !name.bytes().all(allowed) {
        return Err(Error::configuration(format!(
            "{CONTEXT_VAR}={name:?} is not an environment name: only letters, digits, \
             `-` and `_` are allowed (it names ~/.prime/environments/<name>.json)"
        )));
    }
    let Some(prime_dir) = prime_dir else {
        return Err(Error::configuration(format!(
            "{CONTEXT_VAR}={name} is set, but no home folder is known (HOME is unset), \
             so ~/.prime/environments/{name}.json cannot be found"
        )));
    };
    let path = prime_dir.join("environments").join(format!("{name}.json"));
    read_settings_file(&path, Some(name))
}

/// Reads one of the CLI's files. A missing `config.json` (`context: None`)
/// is an empty one, as the CLI sees it before the first login; a missing
/// environment file is an error, since `PRIME_CONTEXT` asked for it.
fn read_settings_file(path: &Path, context: Option<&str>) -> Result<FileSettings, Error> {
    let why = || match context {
        Some(name) => format!(" (selected by {CONTEXT_VAR}={name})"),
        None => String::new(),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return match context {
                None => Ok(FileSettings::absent(path.to_owned())),
                Some(name) => Err(Error::configuration(format!(
                    "{CONTEXT_VAR}={name} selects {}, which does not exist; save that \
                     environment with `prime config save {name}`, or unset {CONTEXT_VAR}",
                    path.display()
                ))),
            };
        }
        Err(error) => {
            return Err(Error::configuration(format!(
                "cannot read {}{}: {error}",
                path.display(),
                why()
            )));
        }
    };
    // A syntax error names the line and column only, never a value.
    let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
        Error::configuration(format!(
            "{}{} is not valid JSON ({error}); fix or remove it",
            path.display(),
            why()
        ))
    })?;
    let Value::Object(object) = value else {
        return Err(Error::configuration(format!(
            "{}{} does not hold a JSON object; fix or remove it",
            path.display(),
            why()
        )));
    };
    let field = |key: &str| match object.get(key) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Empty),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Field::Empty),
        Some(Value::String(text)) => Ok(Field::Text(text.clone())),
        // The kind only: the value may be a key typed in the wrong place.
        Some(other) => Err(Error::configuration(format!(
            "`{key}` in {}{} must be a string or null, not {}; fix or remove it",
            path.display(),
            why(),
            kind(other)
        ))),
    };
    Ok(FileSettings {
        path: path.to_owned(),
        api_key: field("api_key")?,
        base_url: field("base_url")?,
        team_id: field("team_id")?,
        traces_url: field("traces_url")?,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    /// A temporary home with `.prime/config.json` and environment files as given.
    struct Home(tempfile::TempDir);

    impl Home {
        fn new() -> Self {
            let home = Self(tempfile::tempdir().unwrap());
            std::fs::create_dir_all(home.prime().join("environments")).unwrap();
            home
        }

        fn prime(&self) -> PathBuf {
            self.0.path().join(".prime")
        }

        fn config(self, contents: &str) -> Self {
            std::fs::write(self.prime().join("config.json"), contents).unwrap();
            self
        }

        fn environment(self, name: &str, contents: &str) -> Self {
            let path = self
                .prime()
                .join("environments")
                .join(format!("{name}.json"));
            std::fs::write(path, contents).unwrap();
            self
        }

        fn find(&self, pairs: &[(&str, &str)]) -> Result<FoundSettings, Error> {
            find_settings(vars(pairs), Some(self.0.path()))
        }

        fn error(&self, pairs: &[(&str, &str)]) -> String {
            let error = self.find(pairs).err().unwrap();
            assert!(matches!(error, Error::Configuration { .. }), "{error:?}");
            error.to_string()
        }
    }

    const MAIN: &str =
        r#"{"api_key": "main-key", "base_url": "https://main.example", "team_id": "main-team"}"#;
    const STAGING: &str = r#"{"api_key": "staging-key", "base_url": "https://staging.example/api/v1", "team_id": "staging-team"}"#;

    fn key(found: &FoundSettings) -> Option<&str> {
        found.api_key.as_ref().map(|key| key.value.expose_secret())
    }

    fn url(found: &FoundSettings) -> Option<&str> {
        found.base_url.as_ref().map(|url| url.value.as_str())
    }

    fn team(found: &FoundSettings) -> Option<&str> {
        found.team_id.as_ref().map(|team| team.value.as_str())
    }

    // API key: PRIME_API_KEY, then the selected environment file, then config.json.

    #[test]
    fn key_row_the_variable_wins_over_both_files() {
        let home = Home::new().config(MAIN).environment("staging", STAGING);
        let found = home
            .find(&[(API_KEY_VAR, "var-key"), (CONTEXT_VAR, "staging")])
            .unwrap();
        assert_eq!(key(&found), Some("var-key"));
        assert_eq!(found.api_key.unwrap().source, API_KEY_VAR);
    }

    #[test]
    fn key_row_the_environment_file_wins_over_config_json() {
        let home = Home::new().config(MAIN).environment("staging", STAGING);
        let found = home.find(&[(CONTEXT_VAR, "staging")]).unwrap();
        assert_eq!(key(&found), Some("staging-key"));
        let source = found.api_key.unwrap().source;
        assert!(
            source.contains("staging.json") && source.contains(CONTEXT_VAR),
            "{source}"
        );
    }

    #[test]
    fn key_row_an_environment_file_without_a_key_falls_back_to_config_json() {
        let home = Home::new()
            .config(MAIN)
            .environment("staging", r#"{"base_url": "https://staging.example"}"#);
        let found = home.find(&[(CONTEXT_VAR, "staging")]).unwrap();
        assert_eq!(key(&found), Some("main-key"));
        assert!(found.api_key.unwrap().source.contains("config.json"));
    }

    #[test]
    fn key_row_an_empty_key_in_the_environment_file_means_no_key_not_the_main_one() {
        for empty in [r#""""#, "null", r#""  ""#] {
            let home = Home::new()
                .config(MAIN)
                .environment("staging", &format!(r#"{{"api_key": {empty}}}"#));
            let found = home.find(&[(CONTEXT_VAR, "staging")]).unwrap();
            assert_eq!(key(&found), None, "{empty}");
            let looked = found.key_looked_in.join(", ");
            assert!(looked.contains("its api_key is empty"), "{looked}");
            assert!(!looked.contains("config.json"), "{looked}");
        }
    }

    #[test]
    fn key_row_config_json_is_last_and_a_blank_variable_is_unset() {
        let home = Home::new().config(MAIN);
        let found = home.find(&[(API_KEY_VAR, "  ")]).unwrap();
        assert_eq!(key(&found), Some("main-key"));
        let found = Home::new().find(&[]).unwrap();
        assert_eq!(key(&found), None);
        assert_eq!(found.key_looked_in.len(), 2, "{:?}", found.key_looked_in);
        assert!(found.key_looked_in[1].ends_with("config.json"));
    }

    #[test]
    fn key_row_production_keeps_config_jsons_key() {
        let home = Home::new().config(MAIN);
        let found = home.find(&[(CONTEXT_VAR, "production")]).unwrap();
        assert_eq!(key(&found), Some("main-key"));
    }

    // Base URL: PRIME_API_BASE_URL, then PRIME_BASE_URL, then the files, then the default.

    #[test]
    fn url_row_prime_api_base_url_wins_over_prime_base_url_and_the_files() {
        let home = Home::new().config(MAIN).environment("staging", STAGING);
        let found = home
            .find(&[
                (API_BASE_URL_VAR, "https://api-var.example"),
                (BASE_URL_VAR, "https://var.example"),
                (CONTEXT_VAR, "staging"),
            ])
            .unwrap();
        assert_eq!(url(&found), Some("https://api-var.example"));
        assert_eq!(found.base_url.unwrap().source, API_BASE_URL_VAR);
    }

    #[test]
    fn url_row_prime_base_url_is_read_when_prime_api_base_url_is_unset_or_blank() {
        let home = Home::new().config(MAIN);
        for api_base_url in [None, Some(""), Some(" ")] {
            let mut pairs = vec![(BASE_URL_VAR, "https://var.example")];
            pairs.extend(api_base_url.map(|value| (API_BASE_URL_VAR, value)));
            let found = home.find(&pairs).unwrap();
            assert_eq!(url(&found), Some("https://var.example"), "{api_base_url:?}");
        }
    }

    #[test]
    fn url_row_the_environment_file_replaces_config_json() {
        let home = Home::new().config(MAIN).environment("staging", STAGING);
        let found = home.find(&[(CONTEXT_VAR, "staging")]).unwrap();
        // Taken as written; the builder drops the /api/v1.
        assert_eq!(url(&found), Some("https://staging.example/api/v1"));
        // A file without a base_url means the production default, as in the
        // CLI, not config.json's.
        let home = Home::new()
            .config(MAIN)
            .environment("second", r#"{"api_key": "k2"}"#);
        let found = home.find(&[(CONTEXT_VAR, "second")]).unwrap();
        assert_eq!(url(&found), None);
    }

    #[test]
    fn url_row_config_json_then_the_default() {
        let found = Home::new().config(MAIN).find(&[]).unwrap();
        assert_eq!(url(&found), Some("https://main.example"));
        assert!(found.base_url.unwrap().source.contains("config.json"));
        let found = Home::new()
            .config(r#"{"api_key": "k", "base_url": ""}"#)
            .find(&[])
            .unwrap();
        assert_eq!(url(&found), None);
        assert_eq!(url(&Home::new().find(&[]).unwrap()), None);
    }

    #[test]
    fn url_row_production_is_the_default_whatever_config_json_says() {
        let home = Home::new().config(MAIN);
        for name in ["production", "Production", "PRODUCTION"] {
            let found = home.find(&[(CONTEXT_VAR, name)]).unwrap();
            assert_eq!(url(&found), None, "{name}");
        }
        // The variables still win over the built-in environment.
        let found = home
            .find(&[
                (CONTEXT_VAR, "production"),
                (BASE_URL_VAR, "https://v.example"),
            ])
            .unwrap();
        assert_eq!(url(&found), Some("https://v.example"));
    }

    // Team: PRIME_TEAM_ID (blank falls back), then the files.

    #[test]
    fn team_row_the_variable_wins_and_blank_falls_back_to_the_files() {
        let home = Home::new().config(MAIN).environment("staging", STAGING);
        let found = home
            .find(&[(TEAM_ID_VAR, "var-team"), (CONTEXT_VAR, "staging")])
            .unwrap();
        assert_eq!(team(&found), Some("var-team"));
        for blank in ["", "  "] {
            let found = home.find(&[(TEAM_ID_VAR, blank)]).unwrap();
            assert_eq!(team(&found), Some("main-team"), "{blank:?}");
            let found = home
                .find(&[(TEAM_ID_VAR, blank), (CONTEXT_VAR, "staging")])
                .unwrap();
            assert_eq!(team(&found), Some("staging-team"), "{blank:?}");
        }
    }

    #[test]
    fn team_row_the_environment_file_replaces_config_json_and_null_is_personal() {
        let home = Home::new()
            .config(MAIN)
            .environment("mine", r#"{"api_key": "k", "team_id": null}"#)
            .environment("bare", r#"{"api_key": "k"}"#);
        for name in ["mine", "bare"] {
            let found = home.find(&[(CONTEXT_VAR, name)]).unwrap();
            assert_eq!(team(&found), None, "{name}");
        }
    }

    #[test]
    fn team_row_config_json_then_personal_and_production_is_personal() {
        let home = Home::new().config(MAIN);
        assert_eq!(team(&home.find(&[]).unwrap()), Some("main-team"));
        let found = home.find(&[(CONTEXT_VAR, "production")]).unwrap();
        assert_eq!(team(&found), None);
        let found = Home::new()
            .config(r#"{"api_key": "k", "team_id": null, "user_id": "u1", "ssh_key_path": "~/.ssh/id"}"#)
            .find(&[])
            .unwrap();
        assert_eq!(team(&found), None);
    }

    // Traces URL: PRIME_TRACES_URL, then the files' `traces_url`, else none.

    #[test]
    fn traces_row_the_variable_then_the_files_then_none() {
        let home = Home::new()
            .config(r#"{"api_key": "k", "traces_url": "https://traces.main.example"}"#)
            .environment("staging", r#"{"traces_url": "http://localhost:8083"}"#);
        let traces = |found: &FoundSettings| found.traces_url.as_ref().map(|t| t.value.clone());
        let found = home
            .find(&[(TRACES_URL_VAR, "https://var.example")])
            .unwrap();
        assert_eq!(traces(&found).as_deref(), Some("https://var.example"));
        assert_eq!(found.traces_url.unwrap().source, TRACES_URL_VAR);
        let found = home.find(&[]).unwrap();
        assert_eq!(
            traces(&found).as_deref(),
            Some("https://traces.main.example")
        );
        let found = home.find(&[(CONTEXT_VAR, "staging")]).unwrap();
        assert_eq!(traces(&found).as_deref(), Some("http://localhost:8083"));
        let found = home.find(&[(CONTEXT_VAR, "production")]).unwrap();
        assert_eq!(traces(&found), None);
        assert_eq!(traces(&Home::new().config(MAIN).find(&[]).unwrap()), None);
    }

    // PRIME_CONTEXT and the files.

    #[test]
    fn a_blank_context_is_unset() {
        let home = Home::new().config(MAIN);
        for blank in ["", "  "] {
            let found = home.find(&[(CONTEXT_VAR, blank)]).unwrap();
            assert_eq!(url(&found), Some("https://main.example"), "{blank:?}");
        }
    }

    #[test]
    fn a_context_name_that_could_leave_the_folder_is_refused() {
        let home = Home::new().config(MAIN);
        // A file the name would reach if it were taken as a path.
        std::fs::write(home.prime().join("config2.json"), MAIN).unwrap();
        for name in [
            "../config2",
            "..",
            "a/b",
            r"..\config2",
            "/etc/passwd",
            "staging.json",
            "name with space",
            " staging",
            "é",
            "x\0",
        ] {
            let error = home.error(&[(CONTEXT_VAR, name)]);
            assert!(
                error.contains("not an environment name"),
                "{name:?}: {error}"
            );
        }
    }

    #[test]
    fn a_missing_environment_file_is_an_error_naming_it() {
        let home = Home::new().config(MAIN);
        let error = home.error(&[(CONTEXT_VAR, "staging")]);
        assert!(error.contains("environments"), "{error}");
        assert!(error.contains("staging.json"), "{error}");
        assert!(error.contains("does not exist"), "{error}");
        // Even without a .prime folder at all.
        let bare = tempfile::tempdir().unwrap();
        let error = find_settings(vars(&[(CONTEXT_VAR, "staging")]), Some(bare.path()))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("staging.json"), "{error}");
    }

    #[test]
    fn a_context_without_a_home_is_an_error_and_no_home_means_no_files() {
        let error = find_settings(vars(&[(CONTEXT_VAR, "staging")]), None)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("no home folder"), "{error}");
        let found = find_settings(vars(&[(API_KEY_VAR, "k")]), None).unwrap();
        assert_eq!(key(&found), Some("k"));
        let found = find_settings(vars(&[(CONTEXT_VAR, "production")]), None).unwrap();
        assert_eq!(url(&found), None);
    }

    /// Each way a file can be broken, for config.json and for an environment
    /// file: the error names the file and never shows what it holds.
    #[test]
    fn every_broken_file_is_an_error_naming_it_but_not_its_contents() {
        let broken = [
            (r#"{"api_key": "sk-very-secret", "#, "not valid JSON"),
            (r#"["sk-very-secret"]"#, "does not hold a JSON object"),
            (r#""sk-very-secret""#, "does not hold a JSON object"),
            ("", "not valid JSON"),
            (r#"{"api_key": 123456789}"#, "`api_key`"),
            (
                r#"{"api_key": "k", "base_url": ["sk-very-secret"]}"#,
                "`base_url`",
            ),
            (
                r#"{"api_key": "k", "team_id": {"id": "sk-very-secret"}}"#,
                "`team_id`",
            ),
            (
                r#"{"api_key": true}"#,
                "must be a string or null, not a boolean",
            ),
        ];
        for (contents, expected) in broken {
            let home = Home::new().config(contents);
            let error = home.error(&[]);
            assert!(error.contains("config.json"), "{contents}: {error}");
            assert!(error.contains(expected), "{contents}: {error}");
            assert!(!error.contains("sk-very-secret"), "{error}");
            assert!(!error.contains("123456789"), "{error}");

            let home = Home::new().config(MAIN).environment("staging", contents);
            let error = home.error(&[(CONTEXT_VAR, "staging")]);
            assert!(error.contains("staging.json"), "{contents}: {error}");
            assert!(error.contains(CONTEXT_VAR), "{contents}: {error}");
            assert!(error.contains(expected), "{contents}: {error}");
            assert!(!error.contains("sk-very-secret"), "{error}");
        }
    }

    #[test]
    fn a_broken_config_json_is_an_error_even_with_a_context_or_the_variables_set() {
        let home = Home::new().config("{").environment("staging", STAGING);
        let error = home.error(&[(CONTEXT_VAR, "staging"), (API_KEY_VAR, "k")]);
        assert!(error.contains("config.json"), "{error}");
    }

    #[test]
    fn an_unreadable_file_is_an_error_naming_it() {
        // A folder where the file should be cannot be read as a file, for any user.
        let home = Home::new();
        std::fs::create_dir(home.prime().join("config.json")).unwrap();
        let error = home.error(&[]);
        assert!(error.contains("cannot read"), "{error}");
        assert!(error.contains("config.json"), "{error}");
        let home = Home::new().config(MAIN);
        std::fs::create_dir(home.prime().join("environments").join("dir.json")).unwrap();
        let error = home.error(&[(CONTEXT_VAR, "dir")]);
        assert!(error.contains("cannot read"), "{error}");
        assert!(error.contains("dir.json"), "{error}");
    }

    #[test]
    fn a_production_json_file_is_ignored_as_in_the_cli() {
        let home = Home::new()
            .config(MAIN)
            .environment("production", "not json at all");
        let found = home.find(&[(CONTEXT_VAR, "production")]).unwrap();
        assert_eq!(url(&found), None);
        assert_eq!(key(&found), Some("main-key"));
    }
}
