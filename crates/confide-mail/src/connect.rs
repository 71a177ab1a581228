//! Connecting to the helpline's mail server: TLS from the first byte, or STARTTLS that must
//! succeed. There is no plaintext path: a server without TLS is refused before any password
//! or mail crosses the wire.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{Account, Security};
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

/// The account's password from the keyring; a missing one is an error that names the account.
pub fn account_password(
    store: &confide_core::Store,
    account: &Account,
) -> Result<zeroize::Zeroizing<String>, MailError> {
    store
        .vault()
        .account_password(&account.id)
        .map_err(confide_core::CoreError::from)?
        .ok_or_else(|| MailError::NoPassword(account.id.clone()))
}

/// Logs in to the account's IMAP server.
pub fn imap_login(account: &Account, password: &str) -> Result<ImapSession, MailError> {
    Ok(imap_login_with_socket(account, password)?.0)
}

/// Logs in, and also returns a handle on the connection's socket, with which another thread
/// can shut it down (to end a blocking IDLE at once).
pub fn imap_login_with_socket(account: &Account, password: &str) -> Result<(ImapSession, TcpStream), MailError> {
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
    let session = client.login(&account.username, password).map_err(|(e, _)| match e {
        imap::Error::No(_) | imap::Error::Bad(_) => MailError::Login { server, user: account.username.clone() },
        other => tls_failure(&server, other),
    })?;
    Ok((session, handle))
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
