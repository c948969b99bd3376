//! Teams: who belongs to a team, and in which role (the document's `teams`
//! tag, under `/api/v1/teams`). The teams you belong to yourself are listed
//! by [`User::teams`](crate::User::teams).

use pi_types::TeamMember;

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::page::ListRequest;

const MEMBERS: Endpoint = Endpoint::get("/api/v1/teams/{team_id}/members");

/// Names the Teams area in [`Area`]; see [`Teams`].
#[derive(Debug)]
pub enum TeamsApi {}

/// A handle on the Teams area; get one with [`Client::teams`].
///
/// The team a call is about is its argument, not the handle's scope, so
/// [`Area::team`] and [`Area::personal`] change nothing here.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let first = client.teams().members("team_42").limit(20).send().await?;
/// println!("{} members in all", first.total_count);
/// let admins: Vec<String> = client
///     .teams()
///     .members("team_42")
///     .into_stream()
///     .try_filter(|member| std::future::ready(member.role == "ADMIN"))
///     .map_ok(|member| member.user_id)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
pub type Teams<'c> = Area<'c, TeamsApi>;

/// A request listing the members of one team; see [`Teams::members`].
pub type ListTeamMembers<'c> = ListRequest<'c, TeamMember>;

impl Client {
    /// The Teams area: the members of a team.
    pub fn teams(&self) -> Teams<'_> {
        Area::new(self)
    }
}

impl<'c> Teams<'c> {
    /// The members of the team `team_id`, with their role and when they
    /// joined; send for one page, or stream them all. An id that cannot be
    /// a path segment (empty, `.`, `..`) is refused when the request is sent.
    pub fn members(&self, team_id: &str) -> ListTeamMembers<'c> {
        self.list_of(&MEMBERS).at(&[("team_id", team_id)])
    }
}
