//! Responses: success and error statuses, and the body of each status both
//! documents have (or of the one success status that was renamed).

use serde_json::Value;

use super::{Class, Differ, Side, object_or_empty, rules};
use crate::openapi::deref;

impl<'a> Differ<'a> {
    /// Compares an operation's responses: statuses, then each status's content.
    pub(super) fn responses(&mut self, old: Option<&'a Value>, new: Option<&'a Value>) {
        let old = object_or_empty(old);
        let new = object_or_empty(new);
        let success = |status: &str| status.starts_with('2');
        let old_success: Vec<&String> = old.keys().filter(|s| success(s)).collect();
        let new_success: Vec<&String> = new.keys().filter(|s| success(s)).collect();
        let gone: Vec<&String> = old_success
            .iter()
            .copied()
            .filter(|s| !new.contains_key(*s))
            .collect();
        let came: Vec<&String> = new_success
            .iter()
            .copied()
            .filter(|s| !old.contains_key(*s))
            .collect();
        let join = |list: &[&String]| {
            list.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !gone.is_empty() && !came.is_empty() {
            self.push(
                Class::None,
                rules::STATUS_SUCCESS,
                "responses",
                format!("success status {} -> {}", join(&gone), join(&came)),
            );
            if let ([from], [to]) = (gone.as_slice(), came.as_slice())
                && let (Some(o), Some(n)) = (old.get(*from), new.get(*to))
            {
                let o = deref(self.old, o);
                let n = deref(self.new, n);
                self.content(o, n, Side::Response, &format!("response {from}->{to}"));
            }
        } else {
            for status in &gone {
                self.push(
                    Class::None,
                    rules::STATUS_SUCCESS,
                    "responses",
                    format!("success status {status} removed"),
                );
            }
            for status in &came {
                self.push(
                    Class::None,
                    rules::STATUS_SUCCESS,
                    "responses",
                    format!("success status {status} added"),
                );
            }
        }
        for status in old.keys().filter(|s| !success(s) && !new.contains_key(*s)) {
            self.push(
                Class::None,
                rules::STATUS_ERROR,
                "responses",
                format!("error status {status} removed"),
            );
        }
        for status in new.keys().filter(|s| !success(s) && !old.contains_key(*s)) {
            self.push(
                Class::None,
                rules::STATUS_ERROR,
                "responses",
                format!("error status {status} added"),
            );
        }
        for (status, old_response) in old {
            if let Some(new_response) = new.get(status) {
                let o = deref(self.old, old_response);
                let n = deref(self.new, new_response);
                self.content(o, n, Side::Response, &format!("response {status}"));
            }
        }
    }
}
