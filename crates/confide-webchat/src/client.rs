//! The advisor's side of the gateway, for the desktop: one WebSocket, authenticated with the
//! credential a manager issued, frames out through a channel and the gateway's frames in
//! through another. It knows nothing of the store; the desktop decides what to keep.

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::protocol::{AdvisorIn, Out};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the webchat gateway at {url}: {source}")]
    Connect { url: String, source: Box<tokio_tungstenite::tungstenite::Error> },
    #[error("the webchat gateway refused this desktop's credential; ask a manager for a new one")]
    Refused,
    #[error("the webchat gateway's address must start with wss:// (plain ws:// is only for a gateway on this computer: elsewhere the chats and your credential would cross the network unencrypted)")]
    Address,
    #[error("cannot read the helpline's certificate authority file: {0}")]
    Ca(std::io::Error),
    #[error("the connection to the webchat gateway has closed")]
    Closed,
}

/// A connected advisor. Dropping it closes the connection.
pub struct AdvisorClient {
    tx: mpsc::UnboundedSender<AdvisorIn>,
}

impl AdvisorClient {
    /// Connects to `base` (`wss://host:port`, or `ws://` on this computer) as the advisor the
    /// credential belongs to, trusting the system's roots and `ca_file` (the helpline's own CA,
    /// PEM). The gateway's frames arrive on the returned receiver, which ends when the
    /// connection does.
    pub async fn connect(
        base: &str,
        credential: &str,
        ca_file: Option<&std::path::Path>,
    ) -> Result<(AdvisorClient, mpsc::UnboundedReceiver<Out>), ClientError> {
        check_address(base)?;
        let url = format!("{}/ws/advisor", base.trim_end_matches('/'));
        let mut req = url.as_str().into_client_request().map_err(|_| ClientError::Address)?;
        let bearer = format!("Bearer {}", credential.trim()).parse().map_err(|_| ClientError::Refused)?;
        req.headers_mut().insert("Authorization", bearer);
        let tls = crate::tls::client_config(ca_file).map_err(ClientError::Ca)?;
        let connector = tokio_tungstenite::Connector::Rustls(tls);
        let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector))
            .await
            .map_err(|e| match e {
                tokio_tungstenite::tungstenite::Error::Http(r) if r.status().as_u16() == 401 => ClientError::Refused,
                e => ClientError::Connect { url: url.clone(), source: Box::new(e) },
            })?;
        let (mut sink, mut stream) = ws.split();
        let (tx, mut outgoing) = mpsc::unbounded_channel::<AdvisorIn>();
        let (incoming, rx) = mpsc::unbounded_channel::<Out>();
        tokio::spawn(async move {
            while let Some(frame) = outgoing.recv().await {
                let text = serde_json::to_string(&frame).expect("frames serialise");
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                if let Message::Text(t) = msg {
                    if let Ok(out) = serde_json::from_str::<Out>(&t) {
                        if incoming.send(out).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok((AdvisorClient { tx }, rx))
    }

    pub fn send(&self, frame: AdvisorIn) -> Result<(), ClientError> {
        self.tx.send(frame).map_err(|_| ClientError::Closed)
    }
}

/// `wss://` anywhere; `ws://` only to this computer.
pub fn check_address(base: &str) -> Result<(), ClientError> {
    let rest = if let Some(r) = base.strip_prefix("wss://") {
        return if r.is_empty() { Err(ClientError::Address) } else { Ok(()) };
    } else {
        base.strip_prefix("ws://").ok_or(ClientError::Address)?
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(ClientError::Address)
    }
}

#[cfg(test)]
mod tests {
    use super::check_address;

    #[test]
    fn plain_websockets_only_to_this_computer() {
        for ok in [
            "wss://chat.helpline.example",
            "wss://10.0.0.5:8787",
            "ws://127.0.0.1:8787",
            "ws://localhost:1",
            "ws://[::1]:8787/",
        ] {
            assert!(check_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ws://10.0.0.5:8787",
            "ws://chat.helpline.example",
            "ws://127.0.0.1.evil.example",
            "http://127.0.0.1",
            "wss://",
            "ws://[::2]:1",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
    }
}
