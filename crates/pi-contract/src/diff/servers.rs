//! Servers: the URL the operations live under.
//!
//! A client calls the first server of the document (variables at their
//! defaults), or the first server of an operation or its path item when they
//! list their own. Another scheme, host, port or path prefix there sends
//! every request somewhere else: breaking. The same place written
//! differently (a trailing slash, upper-case host, the default port), an
//! alternative server added or removed, or a variable's allowed values only
//! deserve a look. Server descriptions are prose and never reach the diff.
//!
//! Document-level findings are recorded under the label `servers`, once,
//! rather than under every operation: location `url` for the first server,
//! `alternatives` for the others. An operation that has servers of its own
//! in either document gets its own finding, location `servers`.

use serde_json::Value;

use super::operations::OpView;
use super::{Class, Differ, rules};
use crate::openapi::{base_url, server_url};

/// The label document-level server findings are recorded under.
const SERVERS: &str = "servers";

impl Differ<'_> {
    /// Compares the document's `servers`.
    pub(super) fn document_servers(&mut self) {
        let old = self.old.get("servers");
        let new = self.new.get("servers");
        if old == new {
            return;
        }
        SERVERS.clone_into(&mut self.operation);
        let old_url = base_url(old);
        let new_url = base_url(new);
        if place(&old_url) != place(&new_url) {
            self.push(
                Class::Breaking,
                rules::SERVER_URL,
                "url",
                format!("{old_url} -> {new_url}"),
            );
        } else if first(old) != first(new) {
            let detail = if old_url == new_url {
                format!("{new_url} changed (same base URL)")
            } else {
                format!("{old_url} -> {new_url} (same base URL)")
            };
            self.push(Class::None, rules::SERVER_LIST, "url", detail);
        }
        let old_rest = alternatives(old);
        let new_rest = alternatives(new);
        for url in &old_rest {
            if !new_rest.iter().any(|n| place(n) == place(url)) {
                self.push(
                    Class::None,
                    rules::SERVER_LIST,
                    "alternatives",
                    format!("{url} removed"),
                );
            }
        }
        for url in &new_rest {
            if !old_rest.iter().any(|o| place(o) == place(url)) {
                self.push(
                    Class::None,
                    rules::SERVER_LIST,
                    "alternatives",
                    format!("{url} added"),
                );
            }
        }
    }

    /// Compares the base URL of one operation when it, or its path item, has
    /// servers of its own in either document; the document's servers alone
    /// are reported once, by `document_servers`.
    pub(super) fn operation_servers(&mut self, old: &OpView<'_>, new: &OpView<'_>) {
        let old_own = own_servers(old);
        let new_own = own_servers(new);
        if old_own.is_none() && new_own.is_none() {
            return;
        }
        let old_url = base_url(old_own.or_else(|| self.old.get("servers")));
        let new_url = base_url(new_own.or_else(|| self.new.get("servers")));
        if place(&old_url) != place(&new_url) {
            self.push(
                Class::Breaking,
                rules::SERVER_URL,
                "servers",
                format!("base URL {old_url} -> {new_url}"),
            );
        }
    }
}

/// The servers an operation lists itself, else those of its path item; an
/// empty list counts as none (the next level applies).
fn own_servers<'a>(op: &OpView<'a>) -> Option<&'a Value> {
    let listed = |v: Option<&'a Value>| v.filter(|s| s.as_array().is_some_and(|l| !l.is_empty()));
    listed(op.op.get("servers")).or_else(|| listed(op.item.get("servers")))
}

/// The first server object of a `servers` list.
fn first(servers: Option<&Value>) -> Option<&Value> {
    servers.and_then(Value::as_array).and_then(|l| l.first())
}

/// The URLs of every server but the first.
fn alternatives(servers: Option<&Value>) -> Vec<String> {
    servers
        .and_then(Value::as_array)
        .map(|list| list.iter().skip(1).filter_map(server_url).collect())
        .unwrap_or_default()
}

/// Where a URL sends requests: scheme, host and port (lower case, the
/// scheme's default port left out) and the path without a trailing slash.
/// A relative URL (`/api`) is compared by its path alone.
fn place(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => {
            let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{port}{}",
                parsed.scheme(),
                parsed.host_str().unwrap_or_default(),
                parsed.path().trim_end_matches('/')
            )
        }
        _ => url.trim_end_matches('/').to_owned(),
    }
}
