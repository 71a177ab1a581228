//! Connecting to the helpline's mail server: TLS from the first byte, or STARTTLS that must
//! succeed. There is no plaintext path: a server without TLS is refused before any password
//! or mail crosses the wire.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{Account, Security, SignIn};
use rustls::pki_types::ServerName;

use crate::MailError;

pub type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;
pub type ImapSession = imap::Session<TlsStream>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// The system's trusted roots plus, when given, the helpline's own CA.
pub fn tls_config(ca_file: Option<&str>) -> Result<Arc<rustls::ClientConfig>, MailError> {
    let mut roots = rustls::RootCertStore::empty();
    if let Ok(native) = rustls_native_certs::load_native_certs() {
        roots.add_parsable_certificates(native);
    }
    if let Some(path) = ca_file {
        let tls_err = |message: String| MailError::Tls { server: path.to_owned(), message };
        let file = std::fs::File::open(path).map_err(|e| tls_err(format!("cannot read the CA file: {e}")))?;
        for cert in rustls_pemfile::certs(&mut BufReader::new(file)) {
            let cert = cert.map_err(|e| tls_err(format!("the CA file is not PEM: {e}")))?;
            roots.add(cert).map_err(|e| tls_err(e.to_string()))?;
        }
    }
    Ok(Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth()))
}

fn tcp(host: &str, port: u16) -> Result<TcpStream, MailError> {
    let server = format!("{host}:{port}");
    let err = |source| MailError::Connect { server: server.clone(), source };
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(err)?
        .next()
        .ok_or_else(|| err(std::io::Error::new(std::io::ErrorKind::NotFound, "no address for this name")))?;
    let s = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(err)?;
    s.set_read_timeout(Some(IO_TIMEOUT)).map_err(err)?;
    s.set_write_timeout(Some(IO_TIMEOUT)).map_err(err)?;
    s.set_nodelay(true).map_err(err)?;
    Ok(s)
}

fn wrap(host: &str, stream: TcpStream, config: Arc<rustls::ClientConfig>) -> Result<TlsStream, MailError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| MailError::Tls { server: host.to_owned(), message: e.to_string() })?;
    let conn = rustls::ClientConnection::new(config, name)
        .map_err(|e| MailError::Tls { server: host.to_owned(), message: e.to_string() })?;
    Ok(rustls::StreamOwned::new(conn, stream))
}

/// What an account signs in with: a password, or (OAuth) the source of its bearer tokens.
/// Cloning it is cheap, and no clone holds a token longer than a login.
#[derive(Clone)]
pub enum Secret {
    Password(zeroize::Zeroizing<String>),
    OAuth(Arc<crate::oauth::TokenSource>),
}

impl From<&str> for Secret {
    fn from(password: &str) -> Secret {
        Secret::Password(zeroize::Zeroizing::new(password.to_owned()))
    }
}

/// How the account signs in, from the keyring (a password) or the token source (OAuth); a
/// missing password is an error that names the account. No network: a token is fetched when
/// a connection needs one, on that connection's thread.
pub fn account_secret(store: &confide_core::Store, account: &Account) -> Result<Secret, MailError> {
    match &account.sign_in {
        SignIn::OAuth(settings) => Ok(Secret::OAuth(crate::oauth::TokenSource::of(store.vault(), account, settings))),
        SignIn::Password => store
            .vault()
            .account_password(&account.id)
            .map_err(confide_core::CoreError::from)?
            .map(Secret::Password)
            .ok_or_else(|| MailError::NoPassword(account.id.clone())),
    }
}

/// Logs in to the account's IMAP server.
pub fn imap_login(account: &Account, secret: &Secret) -> Result<ImapSession, MailError> {
    Ok(imap_login_with_socket(account, secret)?.0)
}

/// Logs in, and also returns a handle on the connection's socket, with which another thread
/// can shut it down (to end a blocking IDLE at once).
pub fn imap_login_with_socket(account: &Account, secret: &Secret) -> Result<(ImapSession, TcpStream), MailError> {
    let (host, port) = (account.imap_host.as_str(), account.imap_port);
    let server = format!("{host}:{port}");
    let config = tls_config(account.ca_file.as_deref())?;
    let socket = tcp(host, port)?;
    let handle = socket.try_clone().map_err(|source| MailError::Connect { server: server.clone(), source })?;
    let client = match account.imap_security {
        Security::Tls => {
            let mut client = imap::Client::new(wrap(host, socket, config)?);
            client.read_greeting().map_err(|e| tls_failure(&server, e))?;
            client
        }
        Security::Starttls => {
            let mut plain = imap::Client::new(socket);
            plain.read_greeting()?;
            if !plain.capabilities()?.has_str("STARTTLS") {
                return Err(MailError::NoTls { server });
            }
            let mut stream = plain.into_inner()?;
            starttls(&mut stream, &server)?;
            imap::Client::new(wrap(host, stream, config)?)
        }
    };
    let session = sign_in(client, account, secret, &server)?;
    Ok((session, handle))
}

/// Signs in on a TLS connection: a password only where the server takes passwords; a token by
/// the best SASL mechanism the server offers. The capabilities are read over TLS, never
/// before it.
fn sign_in(
    mut client: imap::Client<TlsStream>,
    account: &Account,
    secret: &Secret,
    server: &str,
) -> Result<ImapSession, MailError> {
    let caps = client.capabilities().map_err(|e| tls_failure(server, e))?;
    let user = account.username.clone();
    match secret {
        Secret::Password(password) => {
            // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN must not be sent; Exchange Online says
            // it, and a server without it may still refuse passwords by not offering PLAIN.
            if caps.has_str("LOGINDISABLED") {
                return Err(MailError::PasswordsRefused { server: server.to_owned() });
            }
            client.login(&user, password.as_str()).map_err(|(e, _)| match e {
                imap::Error::No(_) | imap::Error::Bad(_) => MailError::Login { server: server.to_owned(), user },
                other => tls_failure(server, other),
            })
        }
        Secret::OAuth(source) => {
            let offered: Vec<String> = caps
                .iter()
                .filter_map(|c| match c {
                    imap_proto::types::Capability::Auth(m) => Some(m.to_string()),
                    _ => None,
                })
                .collect();
            let mechanism = crate::sasl::Mechanism::choose(offered.iter().map(String::as_str))
                .ok_or_else(|| MailError::NoTokenMechanism { server: server.to_owned() })?;
            let (host, port) = (account.imap_host.as_str(), account.imap_port);
            let token = source.bearer()?;
            let response = crate::sasl::initial_response(mechanism, &user, host, port, &token);
            let auth = crate::sasl::TokenAuthenticator { response, mechanism };
            let client = match client.authenticate(mechanism.name(), &auth) {
                Ok(session) => return Ok(session),
                // Refused before its time (it expired early, the clocks disagree, or the access
                // token alone was revoked): one new token, at once, so a sync or a reply carries
                // on. A refused refresh says "sign in again" instead.
                Err((imap::Error::No(_) | imap::Error::Bad(_), client)) => client,
                Err((other, _)) => return Err(tls_failure(server, other)),
            };
            source.forget();
            let token = source.bearer()?;
            let response = crate::sasl::initial_response(mechanism, &user, host, port, &token);
            let auth = crate::sasl::TokenAuthenticator { response, mechanism };
            client.authenticate(mechanism.name(), &auth).map_err(|(e, _)| match e {
                imap::Error::No(_) | imap::Error::Bad(_) => {
                    source.forget();
                    MailError::TokenRefused { server: server.to_owned(), user }
                }
                other => tls_failure(server, other),
            })
        }
    }
}

/// Sends STARTTLS on the raw stream and waits for its tagged OK; the TLS handshake follows.
fn starttls(stream: &mut TcpStream, server: &str) -> Result<(), MailError> {
    let io = |source| MailError::Connect { server: server.to_owned(), source };
    stream.write_all(b"cs0 STARTTLS\r\n").map_err(io)?;
    let mut reader = BufReader::new(stream.try_clone().map_err(io)?);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(io)? == 0 {
            return Err(MailError::NoTls { server: server.to_owned() });
        }
        if let Some(rest) = line.strip_prefix("cs0 ") {
            return if rest.starts_with("OK") { Ok(()) } else { Err(MailError::NoTls { server: server.to_owned() }) };
        }
    }
}

fn tls_failure(server: &str, e: imap::Error) -> MailError {
    match e {
        imap::Error::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
            MailError::Tls { server: server.to_owned(), message: io.to_string() }
        }
        other => MailError::Protocol(other),
    }
}
