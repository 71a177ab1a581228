//! TLS, both ends. The gateway can terminate TLS itself (`tls_cert`/`tls_key` in its file) for
//! a helpline without a web server in front of it; the desktop speaks `wss://` to either, and
//! plain `ws://` only to a gateway on the same computer, so an advisor's credential and the
//! chats never cross a network in the clear.

use std::path::Path;
use std::sync::Arc;

#[cfg(feature = "server")]
pub use serving::{server_config, GatewayListener};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_certs(path: &Path) -> std::io::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    rustls_pemfile::certs(&mut reader).collect()
}

/// The gateway's end: its listener. Only the gateway builds it (feature `server`).
#[cfg(feature = "server")]
mod serving {
    use std::net::SocketAddr;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::mpsc;
    use tokio_rustls::server::TlsStream;

    use super::{pem_certs, provider};

    /// The gateway's TLS settings from its certificate chain and key (PEM files).
    pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        use anyhow::Context;
        let certs = pem_certs(cert).with_context(|| format!("cannot read the TLS certificate {}", cert.display()))?;
        let mut reader = std::io::BufReader::new(
            std::fs::File::open(key).with_context(|| format!("cannot read the TLS key {}", key.display()))?,
        );
        let key = rustls_pemfile::private_key(&mut reader)?
            .with_context(|| format!("cannot find a private key in {}", key.display()))?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .context("cannot use that TLS certificate and key together")?;
        // WebSockets upgrade over HTTP/1.1.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// What the gateway listens on: plain TCP, or TLS over it. Handshakes run on tasks of their own
    /// (with a deadline), so a client that connects and never speaks holds up nobody else.
    pub enum GatewayListener {
        Plain(TcpListener),
        Tls { ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>, addr: SocketAddr },
    }

    impl GatewayListener {
        pub fn new(listener: TcpListener, tls: Option<Arc<rustls::ServerConfig>>) -> std::io::Result<GatewayListener> {
            let Some(config) = tls else { return Ok(GatewayListener::Plain(listener)) };
            let addr = listener.local_addr()?;
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            let (tx, ready) = mpsc::channel(64);
            tokio::spawn(async move {
                loop {
                    // The port is let go as soon as the server stops (its end of the channel drops).
                    let accepted = tokio::select! {
                        a = listener.accept() => a,
                        () = tx.closed() => break,
                    };
                    let Ok((tcp, peer)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let (acceptor, handed) = (acceptor.clone(), tx.clone());
                    tokio::spawn(async move {
                        if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                            let _ = handed.send((tls, peer)).await;
                        }
                    });
                }
            });
            Ok(GatewayListener::Tls { ready, addr })
        }
    }

    /// Either kind of connection.
    pub enum GatewayIo {
        Plain(TcpStream),
        Tls(Box<TlsStream<TcpStream>>),
    }

    impl axum::serve::Listener for GatewayListener {
        type Io = GatewayIo;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (GatewayIo, SocketAddr) {
            match self {
                GatewayListener::Plain(l) => {
                    let (io, addr) = axum::serve::Listener::accept(l).await;
                    (GatewayIo::Plain(io), addr)
                }
                GatewayListener::Tls { ready, .. } => match ready.recv().await {
                    Some((io, addr)) => (GatewayIo::Tls(Box::new(io)), addr),
                    // The accepting task only ends with the runtime.
                    None => std::future::pending().await,
                },
            }
        }

        fn local_addr(&self) -> std::io::Result<SocketAddr> {
            match self {
                GatewayListener::Plain(l) => l.local_addr(),
                GatewayListener::Tls { addr, .. } => Ok(*addr),
            }
        }
    }

    macro_rules! delegate {
        ($self:ident, $io:ident => $e:expr) => {
            match $self.get_mut() {
                GatewayIo::Plain($io) => {
                    let $io = std::pin::Pin::new($io);
                    $e
                }
                GatewayIo::Tls($io) => {
                    let $io = std::pin::Pin::new($io.as_mut());
                    $e
                }
            }
        };
    }

    impl tokio::io::AsyncRead for GatewayIo {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            delegate!(self, io => io.poll_read(cx, buf))
        }
    }

    impl tokio::io::AsyncWrite for GatewayIo {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            delegate!(self, io => io.poll_write(cx, buf))
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            delegate!(self, io => io.poll_flush(cx))
        }

        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            delegate!(self, io => io.poll_shutdown(cx))
        }
    }
}

/// The desktop's TLS settings: the system's trusted roots, plus the helpline's own CA where it
/// has one (a PEM file, as for its mail server).
pub fn client_config(ca_file: Option<&Path>) -> std::io::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        for cert in pem_certs(path)? {
            roots.add(cert).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
