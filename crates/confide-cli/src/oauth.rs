//! `confide account add --oauth ...`: the provider's profile, and signing in by the device flow
//! (headless) or in this computer's browser.

use anyhow::{bail, Context};
use confide_core::accounts::OAuthSettings;
use confide_core::providers::{self, Profile};
use zeroize::Zeroizing;

/// The provider named on the command line, as a profile.
pub fn profile(provider: &str, tenant: Option<&str>) -> anyhow::Result<Profile> {
    match providers::profile(provider, tenant) {
        Some(p) => Ok(p),
        None => bail!(
            "--oauth takes microsoft, google, or the https:// address of the helpline's OpenID provider (its issuer)"
        ),
    }
}

/// The settings the account keeps.
pub fn settings(profile: &Profile, client_id: Option<&str>, scopes: &[String]) -> anyhow::Result<OAuthSettings> {
    let Some(client_id) = client_id else {
        bail!("--client-id is the helpline's app registration at its provider; whoever runs the helpline's IT has it")
    };
    Ok(providers::settings(profile, client_id, scopes))
}

/// Signs in on another device: prints the address and code on standard error and waits.
/// Returns the refresh token, for the keyring.
pub async fn device_sign_in(settings: OAuthSettings) -> anyhow::Result<Zeroizing<String>> {
    let tokens = tokio::task::spawn_blocking(move || {
        confide_mail::oauth::device_sign_in(&settings, |code| {
            eprintln!(
                "To sign in, open {} on any device and enter the code {} (it expires in {} minutes).",
                code.verification_uri,
                code.user_code,
                code.expires_in.as_secs().div_ceil(60)
            );
            if let Some(complete) = &code.verification_uri_complete {
                eprintln!("Or open: {complete}");
            }
            eprintln!("Waiting for the sign-in...");
        })
    })
    .await
    .context("the sign-in stopped unexpectedly")??;
    Ok(tokens.refresh)
}

/// How long a browser sign-in may take: time to type a password and approve a second factor.
const BROWSER_WAIT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Signs in in this computer's browser: opens the provider's page (or, if no browser opens,
/// prints its address) and waits for the answer on a loopback address. Returns the refresh
/// token, for the keyring.
pub async fn browser_sign_in(settings: OAuthSettings) -> anyhow::Result<Zeroizing<String>> {
    let tokens = tokio::task::spawn_blocking(move || {
        let sign_in = confide_mail::oauth::BrowserSignIn::start(&settings)?;
        eprintln!("To sign in, open this address in your browser (Confide tries to open it for you):");
        eprintln!("{}", sign_in.url());
        open_in_browser(sign_in.url());
        eprintln!("Waiting for the sign-in...");
        sign_in.finish(BROWSER_WAIT)
    })
    .await
    .context("the sign-in stopped unexpectedly")??;
    Ok(tokens.refresh)
}

/// Opens `url` in the person's browser: `$BROWSER` if set, else the desktop's default
/// (`xdg-open`; a Windows or macOS build would use `start` or `open`). Failing to open one is
/// not an error: the address was printed.
fn open_in_browser(url: &str) {
    let program = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()).unwrap_or_else(|| "xdg-open".into());
    let opened = std::process::Command::new(&program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("(no browser could be opened with {program}: open the address yourself)");
    }
}
