//! The desktop's half of a live chat beyond the connection (which is `confide-webchat`'s): what
//! the gateway kept is decrypted here with this desktop's key and stored; at the end the
//! transcript goes to the record store as a `webchat` record, sealed to exactly the line's
//! staff, and only then may the gateway forget the chat.

use base64::Engine;

use super::{add, archived, ended, open, stored, transcript, Said};
use crate::record_store::{self as records, classes, RecordStore};
use crate::shared_record::Header;
use crate::staff::Session;
use crate::CoreError;

/// A chat this desktop's advisor accepted (or holds after a reconnect): its conversation, and
/// the messages the gateway kept that are not here yet, decrypted with this desktop's key.
/// `sealed` is the gateway's history (base64 age ciphertexts, oldest first).
pub async fn take_history(session: &Session, chat: &str, line: &str, sealed: &[String]) -> Result<i64, CoreError> {
    if !session.profile.lines.iter().any(|l| l == line) {
        return Err(CoreError::Invalid("that chat is on a line you do not work on".into()));
    }
    let conversation = open(&session.store, chat, line, session.store.now_ts()).await?;
    let have = stored(&session.store, chat).await?;
    for b64 in sealed.iter().skip(have) {
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| CoreError::Invalid("the gateway sent a damaged message".into()))?;
        let plain = confide_vault::open(&ciphertext, session.store.identity())?;
        let said: Said = serde_json::from_slice(&plain)
            .map_err(|_| CoreError::Invalid("the gateway sent a message Confide cannot read".into()))?;
        add(&session.store, chat, &said).await?;
    }
    Ok(conversation)
}

/// The chat has ended: its transcript is archived as a `webchat` record on its line, and the
/// chat marked archived here. The caller then tells the gateway it may forget the chat.
pub async fn archive<S: RecordStore>(session: &Session, server: &S, chat: &str) -> Result<Header, S::Error> {
    ended(&session.store, chat).await?;
    let transcript = transcript(session, chat).await?;
    let body = serde_json::to_vec(&transcript).expect("transcripts serialise");
    let (line, started) = (transcript.line.clone(), transcript.started_at);
    let header = records::put(session, server, classes::WEBCHAT, Some(&line), started, &body).await?;
    archived(&session.store, chat).await?;
    crate::audit::append(&session.store, "archived", &format!("webchat:{}", header.id)).await?;
    Ok(header)
}
