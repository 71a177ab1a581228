//! SASL for OAuth 2.0 bearer tokens, as IMAP `AUTHENTICATE` and SMTP `AUTH` send them: XOAUTH2
//! (Microsoft's and Google's) and OAUTHBEARER (RFC 7628). No I/O: the bytes are built here and
//! tested byte for byte; `connect` sends them.

use zeroize::Zeroizing;

/// The mechanisms Confide speaks for a token, in the order it prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 7628, the standard one.
    OAuthBearer,
    /// The older one Exchange Online offers alone.
    XOAuth2,
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::XOAuth2 => "XOAUTH2",
        }
    }

    /// The best mechanism among those a server advertises (`AUTH=...` capabilities, or the
    /// names after SMTP's `AUTH`), if it offers one for tokens.
    pub fn choose<'a>(offered: impl IntoIterator<Item = &'a str>) -> Option<Mechanism> {
        let offered: Vec<String> = offered.into_iter().map(|m| m.to_ascii_uppercase()).collect();
        [Mechanism::OAuthBearer, Mechanism::XOAuth2].into_iter().find(|m| offered.iter().any(|o| o == m.name()))
    }
}

/// The client's first (and, on success, only) message: the mailbox to open and the token.
/// `host` and `port` are the server's, which OAUTHBEARER carries and XOAUTH2 does not.
pub fn initial_response(mechanism: Mechanism, user: &str, host: &str, port: u16, token: &str) -> Zeroizing<Vec<u8>> {
    let text = match mechanism {
        Mechanism::XOAuth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
        Mechanism::OAuthBearer => {
            format!("n,a={},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01", sasl_name(user))
        }
    };
    Zeroizing::new(text.into_bytes())
}

/// RFC 5801's `saslname`: `,` and `=` escaped, as the GS2 header requires.
fn sasl_name(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

/// Answers an IMAP `AUTHENTICATE` exchange. The first (empty) challenge gets the initial
/// response; a second challenge is the server's JSON error (RFC 7628 §3.2.3), which the
/// client must acknowledge with an empty response (for OAUTHBEARER the single byte 0x01) before
/// the server's tagged NO.
pub struct TokenAuthenticator {
    pub response: Zeroizing<Vec<u8>>,
    pub mechanism: Mechanism,
}

impl imap::Authenticator for TokenAuthenticator {
    type Response = Vec<u8>;

    fn process(&self, challenge: &[u8]) -> Vec<u8> {
        match (challenge.is_empty(), self.mechanism) {
            (true, _) => self.response.to_vec(),
            (false, Mechanism::OAuthBearer) => vec![0x01],
            (false, Mechanism::XOAuth2) => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap::Authenticator;

    #[test]
    fn xoauth2_is_byte_exact() {
        let r = initial_response(Mechanism::XOAuth2, "helpline@lab.test", "imap.example", 993, "tok.en");
        assert_eq!(&r[..], b"user=helpline@lab.test\x01auth=Bearer tok.en\x01\x01");
    }

    #[test]
    fn oauthbearer_is_byte_exact_with_the_gs2_header_escaped() {
        let r = initial_response(Mechanism::OAuthBearer, "a,b=c@lab.test", "imap.example", 993, "tok");
        assert_eq!(&r[..], b"n,a=a=2Cb=3Dc@lab.test,\x01host=imap.example\x01port=993\x01auth=Bearer tok\x01\x01");
    }

    #[test]
    fn the_standard_mechanism_is_preferred_and_none_is_none() {
        assert_eq!(Mechanism::choose(["PLAIN", "XOAUTH2", "oauthbearer"]), Some(Mechanism::OAuthBearer));
        assert_eq!(Mechanism::choose(["PLAIN", "XOAUTH2"]), Some(Mechanism::XOAuth2));
        assert_eq!(Mechanism::choose(["PLAIN", "LOGIN"]), None);
    }

    #[test]
    fn an_error_challenge_is_acknowledged_without_the_token() {
        for mechanism in [Mechanism::XOAuth2, Mechanism::OAuthBearer] {
            let a =
                TokenAuthenticator { response: initial_response(mechanism, "u", "h", 1, "secret-token"), mechanism };
            assert!(a.process(b"").windows(12).any(|w| w == b"secret-token"));
            let ack = a.process(br#"{"status":"invalid_token"}"#);
            assert!(ack.len() <= 1, "{ack:?}");
        }
    }
}
