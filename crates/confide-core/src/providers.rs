//! Provider profiles: what signing in with Microsoft 365 or Google Workspace needs besides the
//! helpline's own app registration (its client id and, for Microsoft, its tenant), which its IT
//! supplies and is never a constant here. Any other OpenID provider is found by its issuer.

use crate::accounts::{OAuthSettings, Security};

/// A provider's servers and the scopes mail needs there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub issuer: String,
    pub scopes: Vec<String>,
    pub imap: Option<(String, u16, Security)>,
    pub smtp: Option<(String, u16, Security)>,
}

/// The profile for `name`: `microsoft` (with `tenant`, "organizations" when not given),
/// `google`, or an issuer URL (servers then come from the person).
pub fn profile(name: &str, tenant: Option<&str>) -> Option<Profile> {
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match name {
        "microsoft" => Some(Profile {
            issuer: format!("https://login.microsoftonline.com/{}/v2.0", tenant.unwrap_or("organizations")),
            scopes: owned(&[
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "https://outlook.office.com/SMTP.Send",
                "offline_access",
            ]),
            imap: Some(("outlook.office365.com".into(), 993, Security::Tls)),
            smtp: Some(("smtp.office365.com".into(), 587, Security::Starttls)),
        }),
        "google" => Some(Profile {
            issuer: "https://accounts.google.com".into(),
            scopes: owned(&["https://mail.google.com/"]),
            imap: Some(("imap.gmail.com".into(), 993, Security::Tls)),
            smtp: Some(("smtp.gmail.com".into(), 465, Security::Tls)),
        }),
        url if url.starts_with("https://")
            || url.starts_with("http://127.0.0.1")
            || url.starts_with("http://localhost") =>
        {
            Some(Profile {
                issuer: url.trim_end_matches('/').to_owned(),
                scopes: owned(&["openid", "email", "offline_access"]),
                imap: None,
                smtp: None,
            })
        }
        _ => None,
    }
}

/// The settings an account keeps: the profile's issuer and scopes (or the person's), and the
/// helpline's client id.
pub fn settings(profile: &Profile, client_id: &str, scopes: &[String]) -> OAuthSettings {
    OAuthSettings {
        issuer: profile.issuer.clone(),
        client_id: client_id.to_owned(),
        scopes: if scopes.is_empty() { profile.scopes.clone() } else { scopes.to_vec() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_fill_in_the_servers_and_a_plain_http_issuer_is_loopback_only() {
        let m = profile("microsoft", Some("contoso.org")).unwrap();
        assert_eq!(m.issuer, "https://login.microsoftonline.com/contoso.org/v2.0");
        assert_eq!(m.smtp, Some(("smtp.office365.com".into(), 587, Security::Starttls)));
        assert!(m.scopes.contains(&"offline_access".to_owned()));
        assert_eq!(profile("google", None).unwrap().imap, Some(("imap.gmail.com".into(), 993, Security::Tls)));
        assert_eq!(profile("https://id.example.org/", None).unwrap().issuer, "https://id.example.org");
        assert!(profile("http://id.example.org", None).is_none(), "tokens never go to a provider over plain HTTP");
        assert!(profile("http://127.0.0.1:1980", None).is_some());
    }
}
