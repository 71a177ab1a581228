//! A lab user signing in at the lab's OAuth provider by the device flow, as the person would on
//! another device (`tests/lab/oidc/approve.py` plays them: logs in and allows access).

use confide_core::accounts::OAuthSettings;

use super::Lab;
use crate::oauth::Tokens;

impl Lab {
    /// Signs `user` in with `settings` by the device flow (blocking: run it off the async
    /// runtime). Panics if the provider does not give tokens.
    pub fn device_sign_in(&self, settings: &OAuthSettings, user: &str) -> Tokens {
        let (password, address) = (self.password(user), format!("{user}@lab.test"));
        crate::oauth::device_sign_in(settings, |code| {
            let url = code.verification_uri_complete.clone().expect("the lab's provider gives the whole address");
            let approve = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/lab/oidc/approve.py");
            // The person, on another device, while this one waits for them.
            std::thread::spawn(move || {
                std::process::Command::new("python3").args([approve, &url, &address, &password]).status()
            });
        })
        .expect("signed in")
    }
}
