//! What the generated Secrets models cannot say by themselves: the size
//! limit of file secrets, which the document gives only in prose.

use secrecy::ExposeSecret;

use crate::{CreateSecret, InvalidInput, Rule};

/// The largest value of a file secret, in bytes (64 KiB of base64 text).
pub const FILE_SECRET_MAX_BYTES: usize = 64 * 1024;

/// Refuses a file secret (`isFile: true`) larger than [`FILE_SECRET_MAX_BYTES`];
/// run by [`CreateSecret`]'s `validate` after the document's own rules.
pub(crate) fn check_file_size(secret: &CreateSecret) -> Result<(), InvalidInput> {
    let size = secret.value.expose_secret().len();
    if secret.is_file == Some(true) && size > FILE_SECRET_MAX_BYTES {
        return Err(InvalidInput::new(
            "value",
            Rule::MaxBytes(FILE_SECRET_MAX_BYTES),
            format!("the file secret is {size} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Secret, UpdateSecret, Validate};
    use proptest::prelude::*;

    const NAME_PATTERN: &str = "^[A-Z][A-Z0-9_]*$";

    #[test]
    fn a_valid_name_and_value_make_a_request_with_only_what_was_set() {
        let request = CreateSecret::new("A", "x");
        request.validate().unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"name": "A", "value": "x"})
        );
    }

    #[test]
    fn each_name_rule_names_the_field_and_the_rule() {
        let cases = [
            ("", Rule::NotEmpty),
            ("a", Rule::Pattern(NAME_PATTERN)),
            ("1ABC", Rule::Pattern(NAME_PATTERN)),
            ("AB-C", Rule::Pattern(NAME_PATTERN)),
            ("ÄBC", Rule::Pattern(NAME_PATTERN)),
        ];
        for (name, rule) in cases {
            let error = CreateSecret::new(name, "v").validate().unwrap_err();
            assert_eq!(error.field(), "name", "{name:?}");
            assert_eq!(error.rule(), &rule, "{name:?}");
        }
        let error = CreateSecret::new("A".repeat(256), "v")
            .validate()
            .unwrap_err();
        assert_eq!(error.rule(), &Rule::MaxLength(255));
        assert!(CreateSecret::new("A".repeat(255), "v").validate().is_ok());
    }

    #[test]
    fn an_empty_value_is_rejected_without_quoting_anything() {
        let error = CreateSecret::new("NAME", "").validate().unwrap_err();
        assert_eq!((error.field(), error.rule()), ("value", &Rule::NotEmpty));
        let error = UpdateSecret::new().with_value("").validate().unwrap_err();
        assert_eq!(error.field(), "value");
    }

    #[test]
    fn descriptions_are_limited_to_500_characters_not_bytes() {
        let request = CreateSecret::new("N", "v");
        assert!(
            request
                .clone()
                .with_description("é".repeat(500))
                .validate()
                .is_ok()
        );
        let error = request
            .with_description("é".repeat(501))
            .validate()
            .unwrap_err();
        assert_eq!(error.field(), "description");
        assert_eq!(error.rule(), &Rule::MaxLength(500));
    }

    #[test]
    fn file_secrets_are_limited_to_64_kib_and_the_error_hides_the_value() {
        let at_limit = "q".repeat(FILE_SECRET_MAX_BYTES);
        let file = CreateSecret::new("F", at_limit.as_str()).with_is_file(true);
        assert!(file.validate().is_ok());
        let over = "q".repeat(FILE_SECRET_MAX_BYTES + 1);
        let error = CreateSecret::new("F", over.as_str())
            .with_is_file(true)
            .validate()
            .unwrap_err();
        assert_eq!(error.rule(), &Rule::MaxBytes(FILE_SECRET_MAX_BYTES));
        assert!(!error.to_string().contains("qqqq"));
        // The same value is fine as a plain string secret: the limit is for files.
        assert!(CreateSecret::new("F", over.as_str()).validate().is_ok());
    }

    #[test]
    fn an_update_sends_only_what_was_set() {
        assert_eq!(serde_json::to_string(&UpdateSecret::new()).unwrap(), "{}");
        let update = UpdateSecret::new()
            .with_name("NEW_NAME")
            .with_description("d");
        update.validate().unwrap();
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            serde_json::json!({"name": "NEW_NAME", "description": "d"})
        );
    }

    #[test]
    fn debug_never_shows_values_but_the_body_carries_them() {
        let create = CreateSecret::new("N", "s3cr3t-create").with_team_id("team_42");
        let update = UpdateSecret::new().with_value("s3cr3t-update");
        assert!(!format!("{create:?}{create:#?}").contains("s3cr3t"));
        assert!(!format!("{update:?}{update:#?}").contains("s3cr3t"));
        let body = serde_json::to_value(&create).unwrap();
        assert_eq!(body["value"], "s3cr3t-create");
        assert_eq!(body["teamId"], "team_42");
        assert_eq!(
            serde_json::to_value(&update).unwrap()["value"],
            "s3cr3t-update"
        );
    }

    #[test]
    fn secrets_decode_with_naive_timestamps_and_unknown_fields() {
        let secret: Secret = serde_json::from_value(serde_json::json!({
            "id": "s1", "name": "N", "createdAt": "2025-01-15T10:30:00.000000",
            "updatedAt": "2025-01-15T10:30:00+00:00", "brandNew": [1]
        }))
        .unwrap();
        assert_eq!(secret.is_file, None);
        assert_eq!(secret.created_at, secret.updated_at);
    }

    proptest! {
        #[test]
        fn the_name_check_agrees_with_the_documented_pattern(name in "[A-Za-z0-9_\\-é ]{0,12}") {
            let pattern = regex::Regex::new(NAME_PATTERN).unwrap();
            let checked = CreateSecret::new(name.as_str(), "v").validate();
            prop_assert_eq!(checked.is_ok(), pattern.is_match(&name));
        }
    }
}
