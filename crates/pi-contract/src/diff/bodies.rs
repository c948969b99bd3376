//! Request bodies, and the `content` maps that request bodies and responses share.

use serde_json::Value;

use super::{ANY_SCHEMA, Class, Differ, Side, object_or_empty, rules};
use crate::openapi::deref;

impl<'a> Differ<'a> {
    /// Compares an operation's request bodies: presence, requiredness, content.
    pub(super) fn request_body(&mut self, old: Option<&'a Value>, new: Option<&'a Value>) {
        let old = old.map(|b| deref(self.old, b));
        let new = new.map(|b| deref(self.new, b));
        let required = |b: &Value| b.get("required") == Some(&Value::Bool(true));
        match (old, new) {
            (None, None) => {}
            (None, Some(new)) => {
                let (class, detail) = if required(new) {
                    (Class::Breaking, "added (required)")
                } else {
                    (Class::Behind, "added (optional)")
                };
                self.push(
                    class,
                    rules::REQUEST_BODY_ADDED,
                    "request body",
                    detail.to_owned(),
                );
            }
            (Some(_), None) => self.push(
                Class::Breaking,
                rules::REQUEST_BODY_REMOVED,
                "request body",
                "removed".to_owned(),
            ),
            (Some(old), Some(new)) => {
                if required(old) != required(new) {
                    let (class, detail) = if required(new) {
                        (Class::Breaking, "now required")
                    } else {
                        (Class::Behind, "no longer required")
                    };
                    self.push(
                        class,
                        rules::REQUEST_BODY_REQUIRED,
                        "request body",
                        detail.to_owned(),
                    );
                }
                self.content(old, new, Side::Request, "request body");
            }
        }
    }

    /// Compares the `content` maps of two request bodies or responses.
    pub(super) fn content(&mut self, old: &'a Value, new: &'a Value, side: Side, place: &str) {
        let old_content = object_or_empty(old.get("content"));
        let new_content = object_or_empty(new.get("content"));
        let rule = match side {
            Side::Request => rules::REQUEST_CONTENT_TYPE,
            Side::Response => rules::RESPONSE_CONTENT_TYPE,
        };
        for media in old_content.keys() {
            if !new_content.contains_key(media) {
                self.push(
                    Class::Breaking,
                    rule,
                    place,
                    format!("content type {media} removed"),
                );
            }
        }
        for media in new_content.keys() {
            if !old_content.contains_key(media) {
                self.push(
                    Class::Behind,
                    rule,
                    place,
                    format!("content type {media} added"),
                );
            }
        }
        for (media, old_media) in old_content {
            let Some(new_media) = new_content.get(media) else {
                continue;
            };
            let place = if media == "application/json" {
                place.to_owned()
            } else {
                format!("{place} ({media})")
            };
            match (old_media.get("schema"), new_media.get("schema")) {
                (Some(o), Some(n)) => self.schema(o, n, side, &place, "", 0),
                (Some(o), None) => self.schema(o, &ANY_SCHEMA, side, &place, "", 0),
                (None, Some(n)) => self.schema(&ANY_SCHEMA, n, side, &place, "", 0),
                (None, None) => {}
            }
        }
    }
}
