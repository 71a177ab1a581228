//! `confide account add --oauth ...`: signing in by the device flow (headless) or in this
//! computer's browser. The account itself comes from `confide_core::connection`.

use anyhow::Context;
use confide_core::accounts::OAuthSettings;
use zeroize::Zeroizing;

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

/// Signs in in this computer's browser: opens the provider's page (or, if no browser opens,
/// prints its address) and waits for the answer on a loopback address. Returns the refresh
/// token, for the keyring.
pub async fn browser_sign_in(settings: OAuthSettings) -> anyhow::Result<Zeroizing<String>> {
    let tokens = tokio::task::spawn_blocking(move || {
        let sign_in = confide_mail::oauth::BrowserSignIn::start(&settings)?;
        eprintln!("To sign in, open this address in your browser (Confide tries to open it for you):");
        eprintln!("{}", sign_in.url());
        if !confide_mail::oauth::open_in_browser(sign_in.url()) {
            eprintln!("(no browser could be opened: open the address yourself)");
        }
        eprintln!("Waiting for the sign-in...");
        sign_in.finish(confide_mail::oauth::BROWSER_WAIT)
    })
    .await
    .context("the sign-in stopped unexpectedly")??;
    Ok(tokens.refresh)
}
