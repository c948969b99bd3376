//! Which team a call acts for: the client's default, a named team, or the
//! caller's personal account.

/// The team a handle's calls act for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum TeamScope {
    /// The client's default team, if it has one.
    #[default]
    ClientDefault,
    /// This team, whatever the client's default.
    Team(String),
    /// The caller's own account, even when the client has a default team.
    Personal,
}

impl TeamScope {
    /// The `teamId` to send, given the client's default.
    pub(crate) fn resolve<'a>(&'a self, client_default: Option<&'a str>) -> Option<&'a str> {
        match self {
            Self::ClientDefault => client_default,
            Self::Team(team_id) => Some(team_id),
            Self::Personal => None,
        }
    }
}
