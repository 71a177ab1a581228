//! The desktop's half of a live chat, beyond the connection (which is `confide-webchat`'s):
//! what the gateway kept is decrypted here with this desktop's key and stored; at the end the
//! transcript goes to the shared mailbox as a `webchat` record, encrypted to exactly the
//! line's staff, and only then may the gateway forget the chat.

use base64::Engine;
use confide_core::shared_record::Header;
use confide_core::staff::Session;
use confide_core::webchat::{self, Said};
use confide_core::CoreError;

use crate::MailError;

/// A chat this desktop's advisor accepted (or holds after a reconnect): its conversation, and
/// the messages the gateway kept that are not here yet, decrypted with this desktop's key.
/// `sealed` is the gateway's history (base64 age ciphertexts, oldest first).
pub async fn take_history(session: &Session, chat: &str, line: &str, sealed: &[String]) -> Result<i64, MailError> {
    if !session.profile.lines.iter().any(|l| l == line) {
        return Err(CoreError::Invalid("that chat is on a line you do not work on".into()).into());
    }
    let conversation = webchat::open(&session.store, chat, line, session.store.now_ts()).await?;
    let have = webchat::stored(&session.store, chat).await?;
    for b64 in sealed.iter().skip(have) {
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| CoreError::Invalid("the gateway sent a damaged message".into()))?;
        let plain = confide_vault::open(&ciphertext, session.store.identity()).map_err(CoreError::from)?;
        let said: Said = serde_json::from_slice(&plain)
            .map_err(|_| CoreError::Invalid("the gateway sent a message Confide cannot read".into()))?;
        webchat::add(&session.store, chat, &said).await?;
    }
    Ok(conversation)
}

/// A message said live (by the visitor, or by this advisor once sent).
pub async fn said(session: &Session, chat: &str, said: &Said) -> Result<(), MailError> {
    webchat::add(&session.store, chat, said).await?;
    Ok(())
}

/// The chat has ended: its transcript is archived as a `webchat` record on its line, and the
/// chat marked archived here. The caller then tells the gateway it may forget the chat.
pub async fn archive(session: &Session, chat: &str) -> Result<Header, MailError> {
    webchat::ended(&session.store, chat).await?;
    let transcript = webchat::transcript(&session.store, chat).await?;
    let body = serde_json::to_vec(&transcript).expect("transcripts serialise");
    let header = crate::records::put(session, "webchat", Some(&transcript.line), transcript.started_at, &body).await?;
    webchat::archived(&session.store, chat).await?;
    confide_core::audit::append(&session.store, "archived", &format!("webchat:{}", header.id)).await?;
    Ok(header)
}
