//! A fault the lab's Dovecot cannot make by itself: Exchange Online's throttling. A TLS proxy
//! in front of the lab's IMAP server (the lab's own certificate towards Confide, the lab's CA
//! towards Dovecot) relays every byte, except that it answers the first whole-message fetch
//! as Exchange does when a mailbox is read too fast, once, and relays everything after. The
//! server behind it is the real one; only the throttling answer is injected.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection, StreamOwned};

use super::Lab;

/// The proxy: where to connect, and how many fetches it has turned away so far.
pub struct Throttler {
    pub port: u16,
    pub turned_away: Arc<AtomicUsize>,
}

impl Lab {
    /// Starts a proxy in front of this lab's IMAPS port that asks for a wait of `wait_ms` once.
    pub fn throttler(&self, imap_port: u16, wait_ms: u64) -> Throttler {
        let dir = self.dir.join("tls");
        let certs: Vec<_> = rustls_pemfile::certs(&mut std::io::BufReader::new(
            std::fs::File::open(dir.join("server.pem")).expect("the lab's certificate"),
        ))
        .collect::<Result<_, _>>()
        .expect("PEM");
        let key = rustls_pemfile::private_key(&mut std::io::BufReader::new(
            std::fs::File::open(dir.join("server.key")).expect("the lab's key"),
        ))
        .expect("PEM")
        .expect("a key");
        let server =
            Arc::new(rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("TLS"));
        let client = crate::connect::tls_config(Some(self.var("LAB_CA"))).expect("the lab's CA");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("bound").port();
        let turned_away = Arc::new(AtomicUsize::new(0));
        let count = turned_away.clone();
        std::thread::spawn(move || {
            for down in listener.incoming().flatten() {
                let (server, client, count) = (server.clone(), client.clone(), count.clone());
                std::thread::spawn(move || {
                    let _ = relay(down, imap_port, server, client, &count, wait_ms);
                });
            }
        });
        Throttler { port, turned_away }
    }
}

/// One connection, on one thread: both sides polled with short timeouts.
fn relay(
    down: TcpStream,
    imap_port: u16,
    server: Arc<rustls::ServerConfig>,
    client: Arc<rustls::ClientConfig>,
    count: &AtomicUsize,
    wait_ms: u64,
) -> std::io::Result<()> {
    let up = TcpStream::connect(("127.0.0.1", imap_port))?;
    for s in [&down, &up] {
        s.set_read_timeout(Some(Duration::from_millis(5)))?;
    }
    let mut down = StreamOwned::new(ServerConnection::new(server).map_err(std::io::Error::other)?, down);
    let name = ServerName::try_from("127.0.0.1").expect("an address").to_owned();
    let mut up = StreamOwned::new(ClientConnection::new(client, name).map_err(std::io::Error::other)?, up);
    let (mut pending, mut buf) = (Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        match down.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line);
            let fetch = text.contains("UID FETCH") && text.contains("BODY.PEEK[]");
            if fetch && count.compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                let tag = text.split(' ').next().unwrap_or("*");
                let said =
                    format!("{tag} BAD Request is throttled. Suggested Backoff Time: {wait_ms} milliseconds\r\n");
                down.write_all(said.as_bytes())?;
            } else {
                up.write_all(&line)?;
            }
        }
        match up.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => down.write_all(&buf[..n])?,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
}
