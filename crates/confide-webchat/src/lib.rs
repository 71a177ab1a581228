//! The webchat gateway: visitors on the helpline's website chat with advisors through it.
//!
//! It holds the live queue and relays messages; what it keeps (so a restart loses no chat) is
//! each message age-encrypted to the line's staff, so neither its disk nor its operator can read
//! a chat. It never stores or logs a visitor's address, user agent or cookie. Advisors' desktops
//! decrypt what is kept, and archive the transcript as a shared record when the chat ends, after
//! which the gateway forgets the chat.
#![forbid(unsafe_code)]

#[cfg(feature = "server")]
mod assets;
pub mod client;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod hub;
pub mod logging;
pub mod protocol;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod state;
pub mod tls;

#[cfg(feature = "server")]
pub use gateway::Gateway;

#[cfg(feature = "server")]
mod gateway {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use crate::{config, hub, server, state, tls};

    /// A running gateway, for the binary and for tests.
    pub struct Gateway {
        pub addr: SocketAddr,
        shutdown: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
    }

    impl Gateway {
        /// Opens the state, binds `config.listen` (port 0 picks one) and serves until stopped.
        pub async fn start(config: config::Config) -> anyhow::Result<Gateway> {
            use anyhow::Context;
            let state = state::State::open(&config.data_dir)
                .await
                .with_context(|| format!("cannot open the gateway's state in {}", config.data_dir.display()))?;
            let tls = match (&config.tls_cert, &config.tls_key) {
                (Some(cert), Some(key)) => Some(tls::server_config(cert, key)?),
                _ => None,
            };
            let listener = tokio::net::TcpListener::bind(&config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            let addr = listener.local_addr()?;
            let listener = tls::GatewayListener::new(listener, tls)?;
            let hub = hub::Hub::new(Arc::new(config), state).await.context("cannot read the gateway's state")?;
            let app = server::router(hub).into_make_service_with_connect_info::<SocketAddr>();
            let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(async move {
                use axum::serve::ListenerExt;
                // `tap_io` is what lets axum hand the peer's address (`ConnectInfo<SocketAddr>`, for
                // the per-source limits) from a listener of our own; it does nothing to the stream.
                axum::serve(listener.tap_io(|_| ()), app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
            });
            Ok(Gateway { addr, shutdown, task })
        }

        /// Stops accepting and waits for the server to finish.
        pub async fn stop(self) {
            let _ = self.shutdown.send(());
            // Open WebSockets do not end a graceful shutdown by themselves: give them a moment.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), self.task).await;
        }
    }
}
