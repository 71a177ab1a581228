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
    #[error("the webchat gateway's address must start with ws:// (wss:// is not supported yet: put the desktop and the gateway on the helpline's own network)")]
    Address,
    #[error("the connection to the webchat gateway has closed")]
    Closed,
}

/// A connected advisor. Dropping it closes the connection.
pub struct AdvisorClient {
    tx: mpsc::UnboundedSender<AdvisorIn>,
}

impl AdvisorClient {
    /// Connects to `base` (`ws://host:port`) as the advisor the credential belongs to. The
    /// gateway's frames arrive on the returned receiver, which ends when the connection does.
    pub async fn connect(base: &str, credential: &str) -> Result<(AdvisorClient, mpsc::UnboundedReceiver<Out>), ClientError> {
        if !base.starts_with("ws://") {
            return Err(ClientError::Address);
        }
        let url = format!("{}/ws/advisor", base.trim_end_matches('/'));
        let mut req = url.as_str().into_client_request().map_err(|_| ClientError::Address)?;
        let bearer = format!("Bearer {}", credential.trim()).parse().map_err(|_| ClientError::Refused)?;
        req.headers_mut().insert("Authorization", bearer);
        let (ws, _) = tokio_tungstenite::connect_async(req).await.map_err(|e| match e {
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
