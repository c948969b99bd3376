//! Secrets: named values (API keys, tokens, small files) that the PI platform
//! stores encrypted and injects into pods, sandboxes and environments.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::{InvalidInput, Rule, Timestamp};

/// The pattern every secret name must match: an uppercase letter, then
/// uppercase letters, digits or underscores.
pub const SECRET_NAME_PATTERN: &str = "^[A-Z][A-Z0-9_]*$";
/// The longest secret name the API accepts, in characters.
pub const SECRET_NAME_MAX_CHARS: usize = 255;
/// The longest secret description the API accepts, in characters.
pub const SECRET_DESCRIPTION_MAX_CHARS: usize = 500;
/// The largest value of a file secret, in bytes (64 KiB of base64 text).
pub const FILE_SECRET_MAX_BYTES: usize = 64 * 1024;

/// A stored secret's metadata. The API never returns the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Secret {
    /// The secret's id, used by get, update and delete.
    pub id: String,
    /// The name the secret is exposed under, such as `DATABASE_URL`.
    pub name: String,
    /// A note about what the secret is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the value is a file's content rather than a string.
    #[serde(default)]
    pub is_file: bool,
    /// The owning user, for personal secrets.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The owning team, for team secrets.
    #[serde(default)]
    pub team_id: Option<String>,
    /// When the secret was created.
    pub created_at: Timestamp,
    /// When the secret was last changed.
    pub updated_at: Timestamp,
}

/// The body of a create-secret request, checked against the document's rules.
///
/// `Debug` shows every field but the value.
///
/// ```
/// use pi_types::CreateSecret;
///
/// let secret = CreateSecret::new("HF_TOKEN", "hf_abc")?
///     .with_description("Hugging Face read token")?
///     .with_team_id("team_42");
/// let json = serde_json::to_value(&secret)?;
/// assert_eq!(json["name"], "HF_TOKEN");
/// assert_eq!(json["value"], "hf_abc");
/// assert_eq!(json["teamId"], "team_42");
/// assert!(!format!("{secret:?}").contains("hf_abc"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSecret {
    name: String,
    #[serde(serialize_with = "expose")]
    value: SecretString,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team_id: Option<String>,
    is_file: bool,
}

impl CreateSecret {
    /// A secret called `name` holding `value`.
    ///
    /// # Errors
    /// When the name is empty, longer than 255 characters or off
    /// [`SECRET_NAME_PATTERN`], or the value is empty.
    pub fn new(
        name: impl Into<String>,
        value: impl Into<SecretString>,
    ) -> Result<Self, InvalidInput> {
        let name = name.into();
        check_secret_name("name", &name)?;
        let value = value.into();
        check_secret_value(&value)?;
        Ok(Self {
            name,
            value,
            description: None,
            team_id: None,
            is_file: false,
        })
    }

    /// Adds a description of at most 500 characters.
    ///
    /// # Errors
    /// When the description is longer than 500 characters.
    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<Self, InvalidInput> {
        let description = description.into();
        check_description(&description)?;
        self.description = Some(description);
        Ok(self)
    }

    /// Stores the secret for a team instead of the calling user.
    #[must_use]
    pub fn with_team_id(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = Some(team_id.into());
        self
    }

    /// Marks the value as a file's content (base64 text of at most 64 KiB).
    ///
    /// # Errors
    /// When the value is larger than [`FILE_SECRET_MAX_BYTES`].
    pub fn as_file(mut self) -> Result<Self, InvalidInput> {
        let size = self.value.expose_secret().len();
        if size > FILE_SECRET_MAX_BYTES {
            return Err(InvalidInput::new(
                "value",
                Rule::MaxBytes(FILE_SECRET_MAX_BYTES),
                format!("the file secret is {size} bytes"),
            ));
        }
        self.is_file = true;
        Ok(self)
    }

    /// The secret's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The secret's value; expose it only to send it.
    #[must_use]
    pub fn value(&self) -> &SecretString {
        &self.value
    }

    /// The description, if one was set.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The team the secret is stored for, if one was set.
    #[must_use]
    pub fn team_id(&self) -> Option<&str> {
        self.team_id.as_deref()
    }

    /// Whether the value is a file's content.
    #[must_use]
    pub fn is_file(&self) -> bool {
        self.is_file
    }
}

impl std::fmt::Debug for CreateSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSecret")
            .field("name", &self.name)
            .field("value", &"[redacted]")
            .field("description", &self.description)
            .field("team_id", &self.team_id)
            .field("is_file", &self.is_file)
            .finish()
    }
}

/// The body of an update-secret request: only the fields that are set change.
///
/// ```
/// use pi_types::UpdateSecret;
///
/// let update = UpdateSecret::new().with_value("rotated")?;
/// assert_eq!(serde_json::to_string(&update)?, r#"{"value":"rotated"}"#);
/// assert!(!format!("{update:?}").contains("rotated"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, Serialize)]
pub struct UpdateSecret {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_some"
    )]
    value: Option<SecretString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl UpdateSecret {
    /// An update that changes nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the secret.
    ///
    /// # Errors
    /// Under the same rules as [`CreateSecret::new`]'s name.
    pub fn with_name(mut self, name: impl Into<String>) -> Result<Self, InvalidInput> {
        let name = name.into();
        check_secret_name("name", &name)?;
        self.name = Some(name);
        Ok(self)
    }

    /// Replaces the value.
    ///
    /// # Errors
    /// When the value is empty.
    pub fn with_value(mut self, value: impl Into<SecretString>) -> Result<Self, InvalidInput> {
        let value = value.into();
        check_secret_value(&value)?;
        self.value = Some(value);
        Ok(self)
    }

    /// Replaces the description.
    ///
    /// # Errors
    /// When the description is longer than 500 characters.
    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<Self, InvalidInput> {
        let description = description.into();
        check_description(&description)?;
        self.description = Some(description);
        Ok(self)
    }

    /// Whether no field is set, so sending it would change nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.value.is_none() && self.description.is_none()
    }
}

impl std::fmt::Debug for UpdateSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateSecret")
            .field("name", &self.name)
            .field("value", &self.value.as_ref().map(|_| "[redacted]"))
            .field("description", &self.description)
            .finish()
    }
}

/// Checks a secret name against [`SECRET_NAME_PATTERN`] and its length limits,
/// naming the first character that breaks the pattern.
fn check_secret_name(field: &'static str, name: &str) -> Result<(), InvalidInput> {
    let length = name.chars().count();
    if length == 0 {
        return Err(InvalidInput::new(field, Rule::NotEmpty, "it is empty"));
    }
    if length > SECRET_NAME_MAX_CHARS {
        return Err(InvalidInput::new(
            field,
            Rule::MaxLength(SECRET_NAME_MAX_CHARS),
            format!("it is {length} characters"),
        ));
    }
    let pattern = Rule::Pattern(SECRET_NAME_PATTERN);
    for (position, character) in name.chars().enumerate() {
        let allowed = if position == 0 {
            character.is_ascii_uppercase()
        } else {
            character.is_ascii_uppercase() || character.is_ascii_digit() || character == '_'
        };
        if !allowed {
            let problem = if position == 0 {
                format!("it starts with {character:?}, not an uppercase letter")
            } else {
                format!("character {character:?} at position {position} is not A-Z, 0-9 or _")
            };
            return Err(InvalidInput::new(field, pattern, problem));
        }
    }
    Ok(())
}

fn check_secret_value(value: &SecretString) -> Result<(), InvalidInput> {
    if value.expose_secret().is_empty() {
        return Err(InvalidInput::new("value", Rule::NotEmpty, "it is empty"));
    }
    Ok(())
}

fn check_description(description: &str) -> Result<(), InvalidInput> {
    let length = description.chars().count();
    if length > SECRET_DESCRIPTION_MAX_CHARS {
        return Err(InvalidInput::new(
            "description",
            Rule::MaxLength(SECRET_DESCRIPTION_MAX_CHARS),
            format!("it is {length} characters"),
        ));
    }
    Ok(())
}

fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

fn expose_some<S: Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => expose(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_valid_name_and_value_make_a_request() {
        let request = CreateSecret::new("A", "x").unwrap();
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "A", "value": "x", "isFile": false})
        );
    }

    #[test]
    fn each_name_rule_names_the_field_and_the_rule() {
        let cases = [
            ("", Rule::NotEmpty),
            ("a", Rule::Pattern(SECRET_NAME_PATTERN)),
            ("1ABC", Rule::Pattern(SECRET_NAME_PATTERN)),
            ("AB-C", Rule::Pattern(SECRET_NAME_PATTERN)),
            ("ÄBC", Rule::Pattern(SECRET_NAME_PATTERN)),
        ];
        for (name, rule) in cases {
            let error = CreateSecret::new(name, "v").unwrap_err();
            assert_eq!(error.field(), "name", "{name:?}");
            assert_eq!(error.rule(), &rule, "{name:?}");
        }
        let error = CreateSecret::new("A".repeat(256), "v").unwrap_err();
        assert_eq!(error.rule(), &Rule::MaxLength(255));
        assert!(CreateSecret::new("A".repeat(255), "v").is_ok());
    }

    #[test]
    fn an_empty_value_is_rejected_without_quoting_anything() {
        let error = CreateSecret::new("NAME", "").unwrap_err();
        assert_eq!((error.field(), error.rule()), ("value", &Rule::NotEmpty));
        let error = UpdateSecret::new().with_value("").unwrap_err();
        assert_eq!(error.field(), "value");
    }

    #[test]
    fn descriptions_are_limited_to_500_characters_not_bytes() {
        let request = CreateSecret::new("N", "v").unwrap();
        assert!(request.clone().with_description("é".repeat(500)).is_ok());
        let error = request.with_description("é".repeat(501)).unwrap_err();
        assert_eq!(error.field(), "description");
        assert_eq!(error.rule(), &Rule::MaxLength(500));
    }

    #[test]
    fn file_secrets_are_limited_to_64_kib_and_the_error_hides_the_value() {
        let at_limit = "q".repeat(FILE_SECRET_MAX_BYTES);
        assert!(
            CreateSecret::new("F", at_limit.as_str())
                .unwrap()
                .as_file()
                .unwrap()
                .is_file()
        );
        let over = "q".repeat(FILE_SECRET_MAX_BYTES + 1);
        let error = CreateSecret::new("F", over.as_str())
            .unwrap()
            .as_file()
            .unwrap_err();
        assert_eq!(error.rule(), &Rule::MaxBytes(FILE_SECRET_MAX_BYTES));
        assert!(!error.to_string().contains("qqqq"));
        // The same value is fine as a plain string secret: the limit is for files.
        assert!(CreateSecret::new("F", over.as_str()).is_ok());
    }

    #[test]
    fn an_update_sends_only_what_was_set() {
        assert!(UpdateSecret::new().is_empty());
        assert_eq!(serde_json::to_string(&UpdateSecret::new()).unwrap(), "{}");
        let update = UpdateSecret::new()
            .with_name("NEW_NAME")
            .unwrap()
            .with_description("d")
            .unwrap();
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            serde_json::json!({"name": "NEW_NAME", "description": "d"})
        );
    }

    #[test]
    fn debug_never_shows_values() {
        let create = CreateSecret::new("N", "s3cr3t-create").unwrap();
        let update = UpdateSecret::new().with_value("s3cr3t-update").unwrap();
        assert!(!format!("{create:?}{create:#?}").contains("s3cr3t"));
        assert!(!format!("{update:?}{update:#?}").contains("s3cr3t"));
        assert!(format!("{update:?}").contains("[redacted]"));
    }

    #[test]
    fn secrets_decode_with_naive_timestamps_and_unknown_fields() {
        let secret: Secret = serde_json::from_value(serde_json::json!({
            "id": "s1", "name": "N", "createdAt": "2025-01-15T10:30:00.000000",
            "updatedAt": "2025-01-15T10:30:00+00:00", "brandNew": [1]
        }))
        .unwrap();
        assert!(!secret.is_file);
        assert_eq!(secret.created_at, secret.updated_at);
    }

    proptest! {
        #[test]
        fn the_name_check_agrees_with_the_documented_pattern(name in "[A-Za-z0-9_\\-é ]{0,12}") {
            let pattern = regex::Regex::new(SECRET_NAME_PATTERN).unwrap();
            prop_assert_eq!(check_secret_name("name", &name).is_ok(), pattern.is_match(&name));
        }
    }
}
