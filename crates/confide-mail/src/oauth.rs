//! OAuth 2.0 for a native app (RFC 8252): signing in with the system browser (`browser`), or by
//! the device authorization grant (RFC 8628, for a machine without a browser), and the token source every IMAP and SMTP connection of an
//! OAuth account asks for its bearer token. The protocol is the `oauth2` crate's; discovery is
//! one GET of the issuer's metadata. Blocking, like IMAP: it runs on the same worker threads.
//!
//! The refresh token lives in the OS keyring only (as the account's secret); access tokens live
//! in memory only, one per account for the whole process, refreshed a minute before they
//! expire. A refused refresh (revoked, password changed, conditional access) removes the
//! refresh token, so no further attempt reaches the provider until the person signs in again:
//! repeated failures lock accounts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use confide_core::accounts::{Account, OAuthSettings};
use confide_vault::Vault;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    ClientId, DeviceAuthorizationUrl, RefreshToken, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
    TokenResponse, TokenUrl,
};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::MailError;

mod again;
mod browser;
pub use again::{open_in_browser, sign_in_again, sign_in_checked, sign_out, waiting, BROWSER_WAIT};
pub use browser::{stop_browser_sign_ins, BrowserSignIn};

/// Refresh this long before the access token runs out, so no connection is opened with a token
/// that dies during its login.
const EARLY: Duration = Duration::from_secs(60);

/// The provider's endpoints, from its metadata (OpenID Connect Discovery, RFC 8414).
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    pub issuer: String,
    pub token_endpoint: String,
    pub authorization_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
}

pub(crate) fn agent() -> ureq::Agent {
    // No redirects: a token endpoint that redirects is not followed (RFC 6749 §3.2 leaves the
    // client no reason to, and following could leak the request elsewhere).
    ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).redirects(0).build()
}

/// The `oauth2` crate's blocking HTTP client over ureq. Its own ureq binding turns every 4xx
/// into a transport error, so a provider's `invalid_grant` (a revoked sign-in) would read as
/// "cannot reach the provider" and be tried again and again; here an error status is the
/// provider's answer, for `oauth2` to parse.
pub(crate) struct Http(pub(crate) ureq::Agent);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HttpError(String);

impl oauth2::SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, HttpError> {
        let uri = request.uri().to_string();
        let mut req = if request.method() == oauth2::http::Method::POST { self.0.post(&uri) } else { self.0.get(&uri) };
        for (name, value) in request.headers() {
            req = req.set(name.as_str(), value.to_str().map_err(|e| HttpError(e.to_string()))?);
        }
        let sent =
            if request.method() == oauth2::http::Method::POST { req.send_bytes(request.body()) } else { req.call() };
        let response = match sent {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(HttpError(e.to_string())),
        };
        let mut builder = oauth2::http::Response::builder().status(response.status());
        if let Some(kind) = response.header("content-type") {
            builder = builder.header(oauth2::http::header::CONTENT_TYPE, kind);
        }
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut body).map_err(|e| HttpError(e.to_string()))?;
        builder.body(body).map_err(|e| HttpError(e.to_string()))
    }
}

/// A provider's name for messages: its host ("login.microsoftonline.com").
pub fn provider_name(issuer: &str) -> String {
    issuer.split("://").nth(1).unwrap_or(issuer).split('/').next().unwrap_or(issuer).to_owned()
}

/// Reads the issuer's metadata.
pub fn discover(issuer: &str) -> Result<Endpoints, MailError> {
    let provider = provider_name(issuer);
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let unreachable = |e: String| MailError::SignInService { provider: provider.clone(), detail: e };
    let found: Endpoints = agent()
        .get(&url)
        .call()
        .map_err(|e| match e {
            // It answered, so it is there: the issuer's path (Microsoft's tenant) is what is wrong.
            ureq::Error::Status(status @ 400..=499, _) => {
                MailError::SignInUnknown { provider: provider.clone(), issuer: issuer.to_owned(), status }
            }
            e => unreachable(e.to_string()),
        })?
        .into_json()
        .map_err(|e| unreachable(e.to_string()))?;
    // RFC 8414 §3.3: the metadata's issuer must be the one asked for.
    if found.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(unreachable("the provider's metadata names another issuer".into()));
    }
    Ok(found)
}

/// What the person is told to do on another device: open the address and enter the code.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    pub expires_in: Duration,
}

/// The tokens a sign-in gives.
pub struct Tokens {
    pub refresh: Zeroizing<String>,
    pub access: Zeroizing<String>,
    pub expires_in: Duration,
}

/// Signs in by the device authorization grant: `show` is told the address and code, then this
/// waits (polling at the provider's interval) until the person has allowed it, refused it, or
/// the code has expired.
pub fn device_sign_in(settings: &OAuthSettings, show: impl FnOnce(&DeviceCode)) -> Result<Tokens, MailError> {
    let provider = provider_name(&settings.issuer);
    let endpoints = discover(&settings.issuer)?;
    let device_url = endpoints.device_authorization_endpoint.clone().ok_or_else(|| MailError::SignInService {
        provider: provider.clone(),
        detail: "it does not offer sign-in on another device (no device authorization endpoint)".into(),
    })?;
    let bad_url =
        |e: oauth2::url::ParseError| MailError::SignInService { provider: provider.clone(), detail: e.to_string() };
    let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_token_uri(TokenUrl::new(endpoints.token_endpoint.clone()).map_err(bad_url)?)
        .set_device_authorization_url(DeviceAuthorizationUrl::new(device_url).map_err(bad_url)?);
    let http = Http(agent());
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
        .request(&http)
        .map_err(|e| refused(&provider, e))?;
    show(&DeviceCode {
        verification_uri: details.verification_uri().to_string(),
        verification_uri_complete: details.verification_uri_complete().map(|u| u.secret().to_owned()),
        user_code: details.user_code().secret().to_owned(),
        expires_in: details.expires_in(),
    });
    let token = client
        .exchange_device_access_token(&details)
        .request(&http, std::thread::sleep, None)
        .map_err(|e| refused(&provider, e))?;
    Tokens::from_sign_in(&provider, &token)
}

impl Tokens {
    /// The tokens a sign-in's answer holds; one without a refresh token would last only an hour.
    pub(crate) fn from_sign_in(provider: &str, token: &impl TokenResponse) -> Result<Tokens, MailError> {
        let refresh = token.refresh_token().ok_or_else(|| MailError::SignInService {
            provider: provider.to_owned(),
            detail: "it gave no refresh token (the offline_access scope, or its equivalent, is missing)".into(),
        })?;
        Ok(Tokens {
            refresh: Zeroizing::new(refresh.secret().to_owned()),
            access: Zeroizing::new(token.access_token().secret().to_owned()),
            expires_in: token.expires_in().unwrap_or(Duration::from_secs(300)),
        })
    }
}

/// A sign-in refused by the provider, in words a person understands; anything else is the
/// service being unreachable or confused.
pub(crate) fn refused<RE, T>(provider: &str, e: RequestTokenError<RE, T>) -> MailError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + std::fmt::Display + 'static,
{
    match e {
        RequestTokenError::ServerResponse(r) => {
            let said = r.to_string();
            if said.starts_with("access_denied") {
                MailError::SignInRefused { provider: provider.to_owned(), detail: "access was not allowed".into() }
            } else if said.starts_with("expired_token") {
                MailError::SignInRefused {
                    provider: provider.to_owned(),
                    detail: "the code expired before it was entered".into(),
                }
            } else {
                MailError::SignInRefused { provider: provider.to_owned(), detail: said }
            }
        }
        RequestTokenError::Request(e) => {
            MailError::SignInService { provider: provider.to_owned(), detail: e.to_string() }
        }
        other => MailError::SignInService { provider: provider.to_owned(), detail: other.to_string() },
    }
}

/// Every token source of the process, by (vault profile, account id).
type Sources = HashMap<(String, String), Arc<TokenSource>>;

/// Where an OAuth account's connections get their bearer token: one per account per process,
/// refreshed once for all connections that need one.
pub struct TokenSource {
    settings: OAuthSettings,
    account_id: String,
    vault: Vault,
    /// The access token in memory, and when to stop handing it out.
    current: Mutex<Option<(Zeroizing<String>, Instant)>>,
}

/// When a token good for `lifetime` from now should be replaced: a minute early, or a quarter
/// of its life early for one that lives less than four minutes (a connection opened with it
/// must still be let in).
fn replace_at(lifetime: Duration) -> Instant {
    Instant::now() + lifetime - EARLY.min(lifetime / 4)
}

impl TokenSource {
    /// The account's token source, shared by every connection of this process.
    pub fn of(vault: &Vault, account: &Account, settings: &OAuthSettings) -> Arc<TokenSource> {
        static SOURCES: OnceLock<Mutex<Sources>> = OnceLock::new();
        let key = (vault.profile().to_owned(), account.id.clone());
        let mut all = SOURCES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        let fresh = || {
            Arc::new(TokenSource {
                settings: settings.clone(),
                account_id: account.id.clone(),
                vault: vault.clone(),
                current: Mutex::new(None),
            })
        };
        let source = all.entry(key).or_insert_with(fresh);
        if source.settings != *settings {
            *source = fresh();
        }
        source.clone()
    }

    /// The provider's name, for messages.
    pub fn provider(&self) -> String {
        provider_name(&self.settings.issuer)
    }

    /// A bearer token with time left (see [`replace_at`]): the one in memory, or a new one.
    /// Callers wait while another connection refreshes, rather than refreshing twice.
    pub fn bearer(&self) -> Result<Zeroizing<String>, MailError> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, until)) = current.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.refresh()?;
        *current = Some((token.clone(), replace_at(lifetime)));
        Ok(token)
    }

    /// Takes the access token a sign-in has just given, so the first connection after it needs
    /// no refresh.
    pub(crate) fn prime(&self, token: Zeroizing<String>, lifetime: Duration) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((token, replace_at(lifetime)));
    }

    /// Forgets the token in memory (the server refused it before its time): the next
    /// [`TokenSource::bearer`] refreshes.
    pub fn forget(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn refresh(&self) -> Result<(Zeroizing<String>, Duration), MailError> {
        let provider = self.provider();
        let again = || MailError::SignInAgain { provider: provider.clone() };
        let stored = self.vault.account_password(&self.account_id).map_err(confide_core::CoreError::from)?;
        let refresh = stored.ok_or_else(again)?;
        let endpoints = discover(&self.settings.issuer)?;
        let token_url = TokenUrl::new(endpoints.token_endpoint)
            .map_err(|e| MailError::SignInService { provider: provider.clone(), detail: e.to_string() })?;
        let client = BasicClient::new(ClientId::new(self.settings.client_id.clone())).set_token_uri(token_url);
        let answer = client.exchange_refresh_token(&RefreshToken::new(refresh.to_string())).request(&Http(agent()));
        let token = match answer {
            Ok(token) => token,
            Err(RequestTokenError::ServerResponse(r)) if matches!(r.error(), BasicErrorResponseType::InvalidGrant) => {
                // Revoked, expired, or the password changed: the token is worth nothing now, and
                // trying it again and again is what locks accounts. Only a new sign-in helps.
                tracing::warn!(provider = %provider, "the provider refused the refresh token; the person must sign in again");
                self.vault.delete_account_password(&self.account_id).map_err(confide_core::CoreError::from)?;
                return Err(again());
            }
            Err(e) => return Err(refused(&provider, e)),
        };
        // A provider may rotate the refresh token: keep the new one.
        if let Some(rotated) = token.refresh_token() {
            if rotated.secret() != refresh.as_str() {
                self.vault
                    .set_account_password(&self.account_id, rotated.secret())
                    .map_err(confide_core::CoreError::from)?;
            }
        }
        Ok((
            Zeroizing::new(token.access_token().secret().to_owned()),
            token.expires_in().unwrap_or(Duration::from_secs(300)),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_provider_is_named_by_its_host() {
        assert_eq!(super::provider_name("https://login.microsoftonline.com/contoso/v2.0"), "login.microsoftonline.com");
        assert_eq!(super::provider_name("http://127.0.0.1:1980"), "127.0.0.1:1980");
    }
}
