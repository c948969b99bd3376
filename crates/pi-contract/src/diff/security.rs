//! Security: which schemes an operation needs, and whether a scheme it keeps
//! using changed its definition.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Class, Differ, rules};
use crate::openapi::escape_pointer;

impl<'a> Differ<'a> {
    /// Compares an operation's security requirements and the schemes it uses.
    pub(super) fn security(&mut self, old_op: &'a Value, new_op: &'a Value) {
        let old_req = requirements(self.old, old_op);
        let new_req = requirements(self.new, new_op);
        // A scheme renamed with the same definition sends the same header:
        // compare what the schemes are, not what they are called. A scheme
        // that keeps its name but changes its definition is reported below.
        let same_on_the_wire = definitions(self.old, &old_req) == definitions(self.new, &new_req);
        let public = |reqs: &BTreeSet<BTreeSet<String>>| {
            reqs.is_empty() || reqs.iter().any(BTreeSet::is_empty)
        };
        let show = |reqs: &BTreeSet<BTreeSet<String>>| {
            if public(reqs) && reqs.len() <= 1 {
                return "none".to_owned();
            }
            reqs.iter()
                .map(|alt| {
                    if alt.is_empty() {
                        "none".to_owned()
                    } else {
                        alt.iter().cloned().collect::<Vec<_>>().join("+")
                    }
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        if old_req != new_req && !same_on_the_wire {
            let (class, detail) = match (public(&old_req), public(&new_req)) {
                (true, false) => (
                    Class::Breaking,
                    format!("authentication now required ({})", show(&new_req)),
                ),
                (false, true) => (
                    Class::None,
                    format!("authentication no longer required (was {})", show(&old_req)),
                ),
                _ if old_req.iter().any(|alt| new_req.contains(alt)) => (
                    Class::None,
                    format!("security {} -> {}", show(&old_req), show(&new_req)),
                ),
                _ => (
                    Class::Breaking,
                    format!("security {} -> {}", show(&old_req), show(&new_req)),
                ),
            };
            self.push(class, rules::SECURITY, "security", detail);
        }
        let used: BTreeSet<&String> = old_req
            .iter()
            .flatten()
            .filter(|name| new_req.iter().flatten().any(|n| n == *name))
            .collect();
        for name in used {
            let pointer = format!("/components/securitySchemes/{}", escape_pointer(name));
            let old_scheme = self.old.pointer(&pointer);
            let new_scheme = self.new.pointer(&pointer);
            if old_scheme != new_scheme {
                let describe = |s: Option<&Value>| {
                    s.map_or("missing".to_owned(), |s| {
                        let kind = s.get("type").and_then(Value::as_str).unwrap_or("?");
                        match s.get("scheme").and_then(Value::as_str) {
                            Some(scheme) => format!("{kind} {scheme}"),
                            None => kind.to_owned(),
                        }
                    })
                };
                self.push(
                    Class::Breaking,
                    rules::SECURITY_SCHEME,
                    "security",
                    format!(
                        "scheme {name} changed: {} -> {}",
                        describe(old_scheme),
                        describe(new_scheme)
                    ),
                );
            }
        }
    }
}

/// The requirement alternatives with each scheme name replaced by its
/// definition (the scheme object as JSON text).
fn definitions(doc: &Value, reqs: &BTreeSet<BTreeSet<String>>) -> BTreeSet<BTreeSet<String>> {
    reqs.iter()
        .map(|alt| {
            alt.iter()
                .map(|name| {
                    let pointer = format!("/components/securitySchemes/{}", escape_pointer(name));
                    doc.pointer(&pointer)
                        .map_or_else(|| format!("missing {name}"), Value::to_string)
                })
                .collect()
        })
        .collect()
}

/// The security alternatives of an operation (its own, else the document's),
/// each as the set of scheme names it needs.
fn requirements(doc: &Value, op: &Value) -> BTreeSet<BTreeSet<String>> {
    let list = op.get("security").or_else(|| doc.get("security"));
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alt| alt.keys().cloned().collect())
        .collect()
}
