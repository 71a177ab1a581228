//! Signing in with the system browser (RFC 8252): the authorization code grant with PKCE (S256)
//! and a random state, the provider's answer received on a loopback address this process
//! listens on for that one sign-in. The browser is the person's own, so the app never sees
//! their password, and whatever the provider asks (two factors, conditional access) works.
//!
//! The loopback listener reads one request line per connection and answers a short page; an
//! answer whose state is not this sign-in's is turned away and the wait goes on, so a page that
//! guesses the port cannot cut a real sign-in short or slip its own code in.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use confide_core::accounts::OAuthSettings;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use zeroize::Zeroizing;

use super::{agent, discover, provider_name, refused, Http, Tokens};
use crate::MailError;

const PATH: &str = "/callback";

/// Moves on each time the person stops the sign-ins under way ([`stop_browser_sign_ins`]): a
/// browser closed half-way sends no answer, so only the person can end the wait early.
static STOPS: AtomicU64 = AtomicU64::new(0);

/// Stops every browser sign-in waiting in this process; each ends with
/// [`MailError::SignInStopped`], keeping nothing.
pub fn stop_browser_sign_ins() {
    STOPS.fetch_add(1, Ordering::SeqCst);
}

/// A browser sign-in under way: open [`BrowserSignIn::url`] in the person's browser, then
/// [`BrowserSignIn::finish`] waits for the provider's answer.
pub struct BrowserSignIn {
    provider: String,
    settings: OAuthSettings,
    token_endpoint: String,
    listener: TcpListener,
    redirect: String,
    url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    stops: u64,
}

/// What the loopback address was asked.
enum Answer {
    Code(String),
    Refused(String),
    /// Not an answer to this sign-in (another path, a stale tab, a forged state).
    Stranger,
}

impl BrowserSignIn {
    /// Reads the provider's metadata and starts listening on a loopback port of the system's
    /// choosing.
    pub fn start(settings: &OAuthSettings) -> Result<BrowserSignIn, MailError> {
        // Taken first: a stop pressed while the provider is being asked for its endpoints counts.
        let stops = STOPS.load(Ordering::SeqCst);
        let provider = provider_name(&settings.issuer);
        let service = |detail: String| MailError::SignInService { provider: provider.clone(), detail };
        let endpoints = discover(&settings.issuer)?;
        let auth = endpoints
            .authorization_endpoint
            .clone()
            .ok_or_else(|| service("it does not offer sign-in in a browser (no authorization endpoint)".into()))?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| service(format!("cannot listen on this computer for the sign-in's answer: {e}")))?;
        let port = listener.local_addr().map_err(|e| service(e.to_string()))?.port();
        let redirect = format!("http://127.0.0.1:{port}{PATH}");
        let bad = |e: oauth2::url::ParseError| service(e.to_string());
        let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
            .set_auth_uri(AuthUrl::new(auth).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(redirect.clone()).map_err(bad)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge);
        for (name, value) in for_a_refresh_token(&settings.issuer, &settings.scopes) {
            request = request.add_extra_param(name, value);
        }
        let (url, state) = request.url();
        Ok(BrowserSignIn {
            provider,
            settings: settings.clone(),
            token_endpoint: endpoints.token_endpoint,
            listener,
            redirect,
            url: url.to_string(),
            state,
            verifier,
            stops,
        })
    }

    /// The address to open in the person's browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Waits up to `wait` for the provider's answer, then exchanges its code (with the PKCE
    /// verifier only this process holds) for the tokens.
    pub fn finish(self, wait: Duration) -> Result<Tokens, MailError> {
        let code = self.receive(wait)?;
        let provider = self.provider.clone();
        let bad =
            |e: oauth2::url::ParseError| MailError::SignInService { provider: provider.clone(), detail: e.to_string() };
        let client = BasicClient::new(ClientId::new(self.settings.client_id.clone()))
            .set_token_uri(TokenUrl::new(self.token_endpoint.clone()).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(self.redirect.clone()).map_err(bad)?);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(self.verifier)
            .request(&Http(agent()))
            .map_err(|e| refused(&provider, e))?;
        Tokens::from_sign_in(&provider, &token)
    }

    fn receive(&self, wait: Duration) -> Result<Zeroizing<String>, MailError> {
        let deadline = Instant::now() + wait;
        let service = |detail: String| MailError::SignInService { provider: self.provider.clone(), detail };
        self.listener.set_nonblocking(true).map_err(|e| service(e.to_string()))?;
        loop {
            let (stream, _) = match self.listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if STOPS.load(Ordering::SeqCst) != self.stops {
                        return Err(MailError::SignInStopped);
                    }
                    if Instant::now() >= deadline {
                        return Err(MailError::SignInRefused {
                            provider: self.provider.clone(),
                            detail: "the sign-in in the browser was not finished in time; start it again".into(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                Err(e) => return Err(service(e.to_string())),
            };
            match answer(stream, self.state.secret()) {
                Answer::Code(code) => return Ok(Zeroizing::new(code)),
                Answer::Refused(why) => {
                    return Err(MailError::SignInRefused { provider: self.provider.clone(), detail: why })
                }
                Answer::Stranger => continue,
            }
        }
    }
}

/// What the authorization request must add for the provider to give a refresh token, without
/// which every sign-in would last an hour: OpenID Connect asks for `prompt=consent` with
/// `offline_access` (Core §11), which Microsoft does not need; Google asks for
/// `access_type=offline` instead, and gives a new refresh token only with `prompt=consent`.
fn for_a_refresh_token(issuer: &str, scopes: &[String]) -> Vec<(&'static str, &'static str)> {
    match provider_name(issuer).as_str() {
        "login.microsoftonline.com" => vec![],
        "accounts.google.com" => vec![("access_type", "offline"), ("prompt", "consent")],
        _ if scopes.iter().any(|s| s == "offline_access") => vec![("prompt", "consent")],
        _ => vec![],
    }
}

/// Reads one request and answers it with a page the person sees in their browser.
fn answer(mut stream: TcpStream, state: &str) -> Answer {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let (status, page, result) = judge(&head, state);
    let body = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Confide</title><p>{page}</p><p>You can close this window.</p>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\
         Content-Security-Policy: default-src 'none'\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    result
}

/// What a request's first line says, as (status, words for the page, answer). Pure.
fn judge(head: &[u8], state: &str) -> (&'static str, &'static str, Answer) {
    let stranger = ("400 Bad Request", "This is not an answer Confide is waiting for.", Answer::Stranger);
    let line = head.split(|&b| b == b'\r').next().and_then(|l| std::str::from_utf8(l).ok()).unwrap_or("");
    let mut parts = line.split(' ');
    let (Some("GET"), Some(target)) = (parts.next(), parts.next()) else { return stranger };
    let Ok(url) = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")) else { return stranger };
    if url.path() != PATH {
        return ("404 Not Found", "Nothing here.", Answer::Stranger);
    }
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    // Compared in constant time: the state is the one secret a guessing page would need.
    let ours = param("state").is_some_and(|s| s.len() == state.len() && constant_eq(s.as_bytes(), state.as_bytes()));
    if !ours {
        return stranger;
    }
    match (param("code"), param("error")) {
        (Some(code), None) => ("200 OK", "Signed in. Confide has what it needs.", Answer::Code(code)),
        (_, Some(error)) if error == "access_denied" => {
            ("200 OK", "Confide was not allowed to sign in.", Answer::Refused("access was not allowed".into()))
        }
        (_, Some(error)) => ("200 OK", "The sign-in did not finish.", Answer::Refused(error)),
        (None, None) => stranger,
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::{judge, Answer};

    fn said(line: &str) -> (&'static str, Answer) {
        let (status, _, answer) = judge(format!("{line}\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(), "s3cret");
        (status, answer)
    }

    #[test]
    fn each_provider_is_asked_for_a_refresh_token_its_own_way() {
        let scopes = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ms = "https://login.microsoftonline.com/organizations/v2.0";
        assert!(super::for_a_refresh_token(ms, &scopes(&["offline_access"])).is_empty());
        let google = super::for_a_refresh_token("https://accounts.google.com", &scopes(&["https://mail.google.com/"]));
        assert_eq!(google, [("access_type", "offline"), ("prompt", "consent")]);
        let any = "https://id.helpline.example";
        assert_eq!(super::for_a_refresh_token(any, &scopes(&["openid", "offline_access"])), [("prompt", "consent")]);
        assert!(super::for_a_refresh_token(any, &scopes(&["openid"])).is_empty());
    }

    #[test]
    fn only_an_answer_with_this_sign_ins_state_counts() {
        assert!(
            matches!(said("GET /callback?code=abc&state=s3cret HTTP/1.1"), ("200 OK", Answer::Code(c)) if c == "abc")
        );
        assert!(matches!(said("GET /callback?code=abc&state=other HTTP/1.1"), ("400 Bad Request", Answer::Stranger)));
        assert!(matches!(said("GET /callback?code=abc HTTP/1.1"), ("400 Bad Request", Answer::Stranger)));
        assert!(matches!(said("GET /favicon.ico HTTP/1.1"), ("404 Not Found", Answer::Stranger)));
        assert!(matches!(said("POST /callback?code=abc&state=s3cret HTTP/1.1"), (_, Answer::Stranger)));
        assert!(matches!(
            said("GET /callback?error=access_denied&state=s3cret HTTP/1.1"),
            ("200 OK", Answer::Refused(w)) if w == "access was not allowed"
        ));
        assert!(matches!(said(""), (_, Answer::Stranger)));
    }
}
