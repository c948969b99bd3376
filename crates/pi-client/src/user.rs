//! User: the account the API key belongs to, its username slug and the teams
//! it is a member of (the document's `user` tag, under `/api/v1/user`).
//! These calls act for no team.

use pi_types::{CurrentUser, SetUsernameSlug, Team, User as UserAccount};

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::Data;

const WHOAMI: Endpoint = Endpoint::get("/api/v1/user/whoami");
const SET_SLUG: Endpoint = Endpoint::patch("/api/v1/user/slug");
const TEAMS: Endpoint = Endpoint::get("/api/v1/user/teams");

/// Names the User area in [`Area`]; see [`User`].
#[derive(Debug)]
pub enum UserApi {}

/// A handle on the User area; get one with [`Client::user`].
///
/// The calls act for no team, so [`Area::team`] and [`Area::personal`]
/// change nothing here.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let me = client.user().whoami().await?;
/// println!("signed in as {} <{}>", me.name, me.email);
/// let team_ids: Vec<String> = client
///     .user()
///     .teams()
///     .into_stream()
///     .map_ok(|team| team.team_id)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
pub type User<'c> = Area<'c, UserApi>;

/// A request listing the teams you belong to; see [`User::teams`].
pub type ListMyTeams<'c> = ListRequest<'c, Team>;

impl Client {
    /// The User area: the signed-in account and its teams.
    pub fn user(&self) -> User<'_> {
        Area::new(self)
    }
}

impl<'c> User<'c> {
    /// The account the API key belongs to, with the permission scopes the
    /// key grants.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for a key the server does not accept,
    /// [`Error::MissingData`] when the server answers without the account
    /// (which the document allows), and any error of the request path.
    pub async fn whoami(&self) -> Result<CurrentUser, Error> {
        self.call::<Data<CurrentUser>>(&WHOAMI, &[]).await
    }

    /// Sets your username slug: 3 to 30 characters among lower-case ASCII
    /// letters, digits and `-`. Returns the updated account.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a slug that breaks those
    /// rules, [`Error::Validation`] or [`Error::Conflict`] when the server
    /// refuses it, [`Error::MissingData`] when it answers without the
    /// account, and any error of the request path.
    pub async fn set_slug(&self, slug: impl Into<String>) -> Result<UserAccount, Error> {
        self.with_body::<_, Data<UserAccount>>(&SET_SLUG, &[], SetUsernameSlug::new(slug))
            .send()
            .await
    }

    /// The teams you are a member of, with your role in each; send for one
    /// page, or stream them all.
    pub fn teams(&self) -> ListMyTeams<'c> {
        self.list_of(&TEAMS)
    }
}
