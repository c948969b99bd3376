//! Each operation declared once, as data: its method, its path template and
//! where it carries the team it acts for. Areas name endpoints; only the
//! request path turns them into HTTP.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pi_types::{FieldLocation, InvalidInput, Rule, check_path_segment};

use crate::error::Error;

/// Every byte but RFC 3986's unreserved characters is encoded, so an id can
/// never add a `/`, `?` or `#` of its own to the URL.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The HTTP methods the document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// Where an operation carries the team: the document is not uniform
/// (`teamId` or `team_id` in the query, a body field, or nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TeamIn {
    /// A query parameter of this name.
    Query(&'static str),
    /// A field of the JSON body, at this dotted path (`teamId`, or
    /// `team.teamId` where the body wraps the team in an object); a team the
    /// caller put into the body itself is kept.
    Body(&'static str),
    /// The operation takes no team.
    Nowhere,
}

/// How a list operation pages, and the names of its two query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paging {
    /// `start` counts items to skip (`offset`, `skip`) from 0.
    Offset {
        start: &'static str,
        size: &'static str,
    },
    /// `start` numbers pages from 1; `largest` is the largest page size the
    /// document allows, which a stream asks for when the caller set none.
    Page {
        start: &'static str,
        size: &'static str,
        largest: i64,
    },
}

impl Paging {
    /// The names of the start and size query parameters.
    pub(crate) fn names(&self) -> (&'static str, &'static str) {
        match *self {
            Self::Offset { start, size } | Self::Page { start, size, .. } => (start, size),
        }
    }
}

/// One operation of the document, as the generated table declares it:
/// `Endpoint::get("/api/v1/secrets/{secret_id}").team_in_query("teamId")`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    pub(crate) verb: Verb,
    /// The document's path template, `{name}` for each path parameter.
    pub(crate) path: &'static str,
    pub(crate) team: TeamIn,
    /// How the operation pages, for lists.
    pub(crate) paging: Option<Paging>,
}

impl Endpoint {
    const fn new(verb: Verb, path: &'static str) -> Self {
        Self {
            verb,
            path,
            team: TeamIn::Nowhere,
            paging: None,
        }
    }

    /// A `GET` of `path`.
    pub(crate) const fn get(path: &'static str) -> Self {
        Self::new(Verb::Get, path)
    }

    /// A `POST` to `path`.
    pub(crate) const fn post(path: &'static str) -> Self {
        Self::new(Verb::Post, path)
    }

    /// A `PUT` to `path`.
    pub(crate) const fn put(path: &'static str) -> Self {
        Self::new(Verb::Put, path)
    }

    /// A `PATCH` of `path`.
    pub(crate) const fn patch(path: &'static str) -> Self {
        Self::new(Verb::Patch, path)
    }

    /// A `DELETE` of `path`.
    pub(crate) const fn delete(path: &'static str) -> Self {
        Self::new(Verb::Delete, path)
    }

    /// The team travels as the query parameter `name`.
    pub(crate) const fn team_in_query(mut self, name: &'static str) -> Self {
        self.team = TeamIn::Query(name);
        self
    }

    /// The operation is a list that pages this way.
    pub(crate) const fn paged(mut self, paging: Paging) -> Self {
        self.paging = Some(paging);
        self
    }

    /// The team travels in the body, at the dotted `path`.
    pub(crate) const fn team_in_body(mut self, path: &'static str) -> Self {
        self.team = TeamIn::Body(path);
        self
    }

    /// The path with each `{name}` replaced by its id, percent-encoded as
    /// exactly one segment.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the parameter when an id is empty, `.`
    /// or `..` (URL handling would remove it), or when none was given.
    pub(crate) fn path_with(&self, ids: &[(&'static str, &str)]) -> Result<String, Error> {
        let mut path = String::with_capacity(self.path.len() + 32);
        let mut rest = self.path;
        while let Some(start) = rest.find('{') {
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            let name = &rest[start + 1..start + length];
            path.push_str(&rest[..start]);
            let Some((field, id)) = ids.iter().find(|(field, _)| *field == name) else {
                return Err(InvalidInput::new(
                    name.to_owned(),
                    Rule::PathSegment,
                    "no value was given",
                )
                .at(FieldLocation::Path)
                .into());
            };
            check_path_segment(field, id)?;
            path.extend(utf8_percent_encode(id, PATH_SEGMENT));
            rest = &rest[start + length + 1..];
        }
        path.push_str(rest);
        Ok(path)
    }
}

/// An input error for the query parameter `field`, checked before sending:
/// named as the API's 422 names it (`["query", "limit"]` is `limit`, in the
/// query), so the caller sees one name whoever finds the mistake.
pub(crate) fn invalid_query(
    field: impl Into<std::borrow::Cow<'static, str>>,
    rule: Rule,
    problem: impl Into<String>,
) -> InvalidInput {
    InvalidInput::new(field, rule, problem).at(FieldLocation::Query)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const GET_SECRET: Endpoint = Endpoint::get("/api/v1/secrets/{secret_id}");
    const DELETE_IMAGE: Endpoint = Endpoint::delete("/api/v1/images/{image_name}/{image_tag}");

    #[test]
    fn ids_become_exactly_one_encoded_segment() {
        let path = GET_SECRET
            .path_with(&[("secret_id", "a/b?c#d%e f..é")])
            .unwrap();
        assert_eq!(path, "/api/v1/secrets/a%2Fb%3Fc%23d%25e%20f..%C3%A9");
        let path = DELETE_IMAGE
            .path_with(&[("image_tag", "v1"), ("image_name", "team/app")])
            .unwrap();
        assert_eq!(path, "/api/v1/images/team%2Fapp/v1");
    }

    #[test]
    fn ids_that_url_handling_would_remove_are_invalid_input() {
        for id in ["", ".", ".."] {
            let error = GET_SECRET.path_with(&[("secret_id", id)]).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput(ref e) if e.field() == "secret_id"),
                "{id:?}: {error:?}"
            );
        }
    }

    #[test]
    fn a_missing_id_names_the_parameter() {
        let error = DELETE_IMAGE
            .path_with(&[("image_name", "app")])
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(ref e) if e.field() == "image_tag"));
    }

    #[test]
    fn paths_without_parameters_are_kept_as_written() {
        let list = Endpoint::get("/api/v1/secrets/").team_in_query("teamId");
        assert_eq!(list.path_with(&[]).unwrap(), "/api/v1/secrets/");
        assert_eq!(list.team, TeamIn::Query("teamId"));
    }
}
