//! What the generated Images models cannot say by themselves: how people
//! write a reference to an image of the PI registry (`myapp:v1`, or
//! `team-abc123/myapp:v1` for an image a team owns), as one checked type.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Image;

/// The prefix that marks the team owning an image: `team-<team id>/`.
const TEAM_PREFIX: &str = "team-";

/// A reference to an image of the PI registry: its name, its tag and, for
/// an image a team owns, that team's id.
///
/// It is written `name:tag`, or `team-<team id>/name:tag` for a team's
/// image; parse it from text with [`str::parse`], or build it from parts
/// with [`ImageRef::new`] and [`ImageRef::with_team`]. Either way every part
/// is checked: none is empty, none holds whitespace, a control character,
/// `/`, `:` or `@`, and the tag is never implied. So a reference always
/// prints (`Display`) as the text that parses back to it.
///
/// ```
/// use pi_types::ImageRef;
///
/// let mine: ImageRef = "myapp:v1".parse()?;
/// assert_eq!((mine.name(), mine.tag(), mine.team_id()), ("myapp", "v1", None));
///
/// let theirs: ImageRef = "team-abc123/myapp:v1".parse()?;
/// assert_eq!(theirs.team_id(), Some("abc123"));
/// assert_eq!(theirs.to_string(), "team-abc123/myapp:v1");
///
/// assert!("myapp".parse::<ImageRef>().is_err()); // no tag
/// assert!("org/myapp:v1".parse::<ImageRef>().is_err()); // not a team prefix
/// # Ok::<(), pi_types::ImageRefError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    team_id: Option<String>,
    name: String,
    tag: String,
}

/// One part of an image reference, as an [`ImageRefError`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageRefPart {
    /// The team id after `team-`.
    Team,
    /// The image name.
    Name,
    /// The tag after `:`.
    Tag,
}

impl fmt::Display for ImageRefPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Team => "team id",
            Self::Name => "name",
            Self::Tag => "tag",
        })
    }
}

/// Why a text or a set of parts is not an image reference. The message
/// quotes the reference with its special characters escaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageRefError {
    /// The text is empty.
    #[error("an image reference cannot be empty: write `name:tag`, such as `myapp:latest`")]
    Empty,
    /// No `:tag` ends the reference; the tag is never taken to be `latest`.
    #[error(
        "image reference `{}` has no tag: write `name:tag`, such as `myapp:latest`",
        .reference.escape_debug()
    )]
    MissingTag {
        /// The reference as given.
        reference: String,
    },
    /// More than one `:`: a reference has exactly one, before the tag.
    #[error(
        "image reference `{}` has more than one `:`: write `name:tag` (a registry host or a digest cannot be given)",
        .reference.escape_debug()
    )]
    SeveralColons {
        /// The reference as given.
        reference: String,
    },
    /// More than one `/`: a reference has at most one, after the team prefix.
    #[error(
        "image reference `{}` has more than one `/`: write `name:tag` or `team-<team id>/name:tag`",
        .reference.escape_debug()
    )]
    SeveralSlashes {
        /// The reference as given.
        reference: String,
    },
    /// What comes before the `/` is not `team-<team id>`.
    #[error(
        "image reference `{}` starts with `{}/`, but the only prefix the PI registry knows is `team-<team id>/`",
        .reference.escape_debug(),
        .namespace.escape_debug()
    )]
    UnknownNamespace {
        /// The reference as given.
        reference: String,
        /// What came before the `/`.
        namespace: String,
    },
    /// A part is empty (`:v1`, `myapp:`, `team-/myapp:v1`).
    #[error("image reference `{}` has an empty {part}", .reference.escape_debug())]
    EmptyPart {
        /// The reference as given (or `name:tag` when built from parts).
        reference: String,
        /// The empty part.
        part: ImageRefPart,
    },
    /// A part holds a character no part may hold: whitespace, a control
    /// character, `/`, `:` or `@` (a digest such as `@sha256:…` is not a tag).
    #[error(
        "image reference `{}`: its {part} contains `{}`, which no part of a reference may hold (whitespace, control characters, `/`, `:`, `@`)",
        .reference.escape_debug(),
        .character.escape_debug()
    )]
    InvalidCharacter {
        /// The reference as given (or `name:tag` when built from parts).
        reference: String,
        /// The part holding the character.
        part: ImageRefPart,
        /// The first character that may not be there.
        character: char,
    },
}

impl ImageRef {
    /// A reference to your own image `name:tag`, or to a team's once you add
    /// [`ImageRef::with_team`].
    ///
    /// # Errors
    /// [`ImageRefError::EmptyPart`] or [`ImageRefError::InvalidCharacter`]
    /// when a part is empty or holds whitespace, a control character, `/`,
    /// `:` or `@`.
    pub fn new(name: impl Into<String>, tag: impl Into<String>) -> Result<Self, ImageRefError> {
        let (name, tag) = (name.into(), tag.into());
        let reference = format!("{name}:{tag}");
        check_part(&reference, ImageRefPart::Name, &name)?;
        check_part(&reference, ImageRefPart::Tag, &tag)?;
        Ok(Self {
            team_id: None,
            name,
            tag,
        })
    }

    /// The same image, owned by the team `team_id` (the id alone, without
    /// `team-`).
    ///
    /// # Errors
    /// As [`ImageRef::new`], for the team id.
    pub fn with_team(mut self, team_id: impl Into<String>) -> Result<Self, ImageRefError> {
        let team_id = team_id.into();
        let reference = format!("{TEAM_PREFIX}{team_id}/{}:{}", self.name, self.tag);
        check_part(&reference, ImageRefPart::Team, &team_id)?;
        self.team_id = Some(team_id);
        Ok(self)
    }

    /// The image name (`myapp`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag (`v1`).
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The id of the team that owns the image, or `None` for your own image.
    #[must_use]
    pub fn team_id(&self) -> Option<&str> {
        self.team_id.as_deref()
    }
}

/// Checks one part: not empty, and none of the characters no part may hold.
fn check_part(reference: &str, part: ImageRefPart, value: &str) -> Result<(), ImageRefError> {
    if value.is_empty() {
        return Err(ImageRefError::EmptyPart {
            reference: reference.to_owned(),
            part,
        });
    }
    let refused = |c: &char| c.is_whitespace() || c.is_control() || matches!(c, '/' | ':' | '@');
    match value.chars().find(refused) {
        Some(character) => Err(ImageRefError::InvalidCharacter {
            reference: reference.to_owned(),
            part,
            character,
        }),
        None => Ok(()),
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    /// Reads `name:tag` or `team-<team id>/name:tag`; see [`ImageRef`].
    fn from_str(reference: &str) -> Result<Self, ImageRefError> {
        let owned = || reference.to_owned();
        if reference.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if reference.matches('/').count() > 1 {
            return Err(ImageRefError::SeveralSlashes { reference: owned() });
        }
        if reference.matches(':').count() > 1 {
            return Err(ImageRefError::SeveralColons { reference: owned() });
        }
        let (team_id, rest) = match reference.split_once('/') {
            None => (None, reference),
            Some((namespace, rest)) => match namespace.strip_prefix(TEAM_PREFIX) {
                Some(team_id) => (Some(team_id), rest),
                None => {
                    return Err(ImageRefError::UnknownNamespace {
                        reference: owned(),
                        namespace: namespace.to_owned(),
                    });
                }
            },
        };
        // The one `:` must separate name and tag, after any team prefix.
        let Some((name, tag)) = rest.split_once(':') else {
            return Err(ImageRefError::MissingTag { reference: owned() });
        };
        if let Some(team_id) = team_id {
            check_part(reference, ImageRefPart::Team, team_id)?;
        }
        check_part(reference, ImageRefPart::Name, name)?;
        check_part(reference, ImageRefPart::Tag, tag)?;
        Ok(Self {
            team_id: team_id.map(str::to_owned),
            name: name.to_owned(),
            tag: tag.to_owned(),
        })
    }
}

impl fmt::Display for ImageRef {
    /// Writes the reference as it parses: `name:tag` or `team-<team id>/name:tag`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(team_id) = &self.team_id {
            write!(f, "{TEAM_PREFIX}{team_id}/")?;
        }
        write!(f, "{}:{}", self.name, self.tag)
    }
}

impl TryFrom<&Image> for ImageRef {
    type Error = ImageRefError;

    /// The reference to an image a list returned: its name and tag, and its
    /// team when it has one.
    fn try_from(image: &Image) -> Result<Self, ImageRefError> {
        let reference = Self::new(image.image_name.as_str(), image.image_tag.as_str())?;
        match image.team_id.as_deref() {
            Some(team_id) => reference.with_team(team_id),
            None => Ok(reference),
        }
    }
}

impl Serialize for ImageRef {
    /// Encodes the reference as its text.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    /// Decodes the reference from its text, refusing text that is not one.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn parsed(text: &str) -> Result<ImageRef, ImageRefError> {
        text.parse()
    }

    #[test]
    fn a_personal_and_a_team_reference_parse_into_their_parts() {
        let mine = parsed("myapp:v1").unwrap();
        assert_eq!(
            (mine.name(), mine.tag(), mine.team_id()),
            ("myapp", "v1", None)
        );
        let theirs = parsed("team-abc123/my-app_2.x:v1.0.0-rc1").unwrap();
        assert_eq!(
            (theirs.name(), theirs.tag(), theirs.team_id()),
            ("my-app_2.x", "v1.0.0-rc1", Some("abc123"))
        );
        assert_eq!(
            theirs,
            ImageRef::new("my-app_2.x", "v1.0.0-rc1")
                .unwrap()
                .with_team("abc123")
                .unwrap()
        );
    }

    #[test]
    fn each_malformed_reference_gets_its_own_error() {
        use ImageRefError::{
            EmptyPart, InvalidCharacter, MissingTag, SeveralColons, SeveralSlashes,
            UnknownNamespace,
        };
        use ImageRefPart::{Name, Tag, Team};
        // Each error quotes the reference it was given.
        type Expected = fn(String) -> ImageRefError;
        let cases: [(&str, Expected); 16] = [
            ("myapp", |reference| MissingTag { reference }),
            ("team-abc/myapp", |reference| MissingTag { reference }),
            ("team-a:b/myapp", |reference| MissingTag { reference }),
            ("a:b:c", |reference| SeveralColons { reference }),
            ("localhost:5000/app:v1", |reference| SeveralColons {
                reference,
            }),
            ("a/b/c:v1", |reference| SeveralSlashes { reference }),
            ("org/app:v1", |reference| UnknownNamespace {
                reference,
                namespace: "org".into(),
            }),
            ("/app:v1", |reference| UnknownNamespace {
                reference,
                namespace: String::new(),
            }),
            (":v1", |reference| EmptyPart {
                reference,
                part: Name,
            }),
            ("myapp:", |reference| EmptyPart {
                reference,
                part: Tag,
            }),
            ("team-/myapp:v1", |reference| EmptyPart {
                reference,
                part: Team,
            }),
            ("my app:v1", |reference| InvalidCharacter {
                reference,
                part: Name,
                character: ' ',
            }),
            (" myapp:v1", |reference| InvalidCharacter {
                reference,
                part: Name,
                character: ' ',
            }),
            ("myapp:v1\n", |reference| InvalidCharacter {
                reference,
                part: Tag,
                character: '\n',
            }),
            ("team-a\tb/x:v1", |reference| InvalidCharacter {
                reference,
                part: Team,
                character: '\t',
            }),
            ("myapp@sha256:abc", |reference| InvalidCharacter {
                reference,
                part: Name,
                character: '@',
            }),
        ];
        assert_eq!(parsed("").unwrap_err(), ImageRefError::Empty);
        for (text, expected) in cases {
            assert_eq!(
                parsed(text).unwrap_err(),
                expected(text.to_owned()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn messages_name_the_problem_and_escape_the_reference() {
        let error = parsed("myapp").unwrap_err();
        assert_eq!(
            error.to_string(),
            "image reference `myapp` has no tag: write `name:tag`, such as `myapp:latest`"
        );
        let error = parsed("my\u{1b}[31mapp:v1").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("its name contains `\\u{1b}`"), "{message}");
        assert!(!message.contains('\u{1b}'), "{message}");
        assert_eq!(
            parsed(":v1").unwrap_err().to_string(),
            "image reference `:v1` has an empty name"
        );
    }

    #[test]
    fn parts_built_by_hand_are_checked_like_parsed_ones() {
        assert!(matches!(
            ImageRef::new("team/app", "v1"),
            Err(ImageRefError::InvalidCharacter {
                part: ImageRefPart::Name,
                character: '/',
                ..
            })
        ));
        assert!(matches!(
            ImageRef::new("app", "v1:x"),
            Err(ImageRefError::InvalidCharacter {
                part: ImageRefPart::Tag,
                character: ':',
                ..
            })
        ));
        assert!(matches!(
            ImageRef::new("app", ""),
            Err(ImageRefError::EmptyPart {
                part: ImageRefPart::Tag,
                ..
            })
        ));
        let app = ImageRef::new("app", "v1").unwrap();
        assert!(matches!(
            app.clone().with_team(""),
            Err(ImageRefError::EmptyPart {
                part: ImageRefPart::Team,
                ..
            })
        ));
        assert!(app.with_team("a/b").is_err());
    }

    #[test]
    fn a_listed_image_gives_its_reference_with_its_team() {
        let image: Image = serde_json::from_value(serde_json::json!({
            "id": "img_1", "imageName": "myapp", "imageTag": "v1", "status": "COMPLETED",
            "createdAt": "2026-01-15T10:30:00Z", "teamId": "abc123"
        }))
        .unwrap();
        let reference = ImageRef::try_from(&image).unwrap();
        assert_eq!(reference.to_string(), "team-abc123/myapp:v1");
    }

    #[test]
    fn serde_uses_the_text_and_refuses_a_bad_one() {
        let reference = parsed("team-t1/app:v2").unwrap();
        let json = serde_json::to_value(&reference).unwrap();
        assert_eq!(json, "team-t1/app:v2");
        assert_eq!(serde_json::from_value::<ImageRef>(json).unwrap(), reference);
        let error = serde_json::from_value::<ImageRef>(serde_json::json!("app")).unwrap_err();
        assert!(error.to_string().contains("has no tag"), "{error}");
    }

    /// A part the grammar accepts.
    fn part() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9._-]{1,12}"
    }

    proptest! {
        #[test]
        fn a_reference_built_from_valid_parts_prints_as_text_that_parses_back(
            name in part(), tag in part(), team in proptest::option::of(part())
        ) {
            let mut reference = ImageRef::new(name.as_str(), tag.as_str()).unwrap();
            if let Some(team) = &team {
                reference = reference.with_team(team.as_str()).unwrap();
            }
            let text = reference.to_string();
            prop_assert_eq!(parsed(&text).unwrap(), reference);
        }

        #[test]
        fn any_text_that_parses_prints_back_unchanged(text in "[a-z/:@ .\t-]{0,14}|\\PC{0,10}") {
            if let Ok(reference) = parsed(&text) {
                prop_assert_eq!(reference.to_string(), text);
            }
        }

        #[test]
        fn a_refused_character_in_any_part_is_named(
            name in part(), tag in part(),
            bad in prop::sample::select(vec![' ', '\t', '\n', '\u{0}', '\u{7f}', '\u{a0}', '/', ':', '@']),
            at in 0usize..3,
        ) {
            let spoiled = format!("{name}{bad}");
            let built = match at {
                0 => ImageRef::new(spoiled.as_str(), tag.as_str()),
                1 => ImageRef::new(name.as_str(), spoiled.as_str()),
                _ => ImageRef::new(name.as_str(), tag.as_str()).and_then(|r| r.with_team(spoiled.as_str())),
            };
            let is_invalid_character = matches!(
                built,
                Err(ImageRefError::InvalidCharacter { character, .. }) if character == bad
            );
            prop_assert!(is_invalid_character);
        }
    }
}
