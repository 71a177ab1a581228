//! The mail side of features that look into conversations: a conversation read from this
//! desktop's sealed copies (MIME parsed here), and server copies erased by UID.

use std::collections::BTreeMap;

use confide_core::accounts;
use confide_core::record_store::{MailContent, ReadConversation, ReadMessage, ServerLocation};
use confide_core::staff::Session;
use confide_core::CoreError;

use super::ImapRecords;
use crate::connect::imap_login;
use crate::remove::Removal;
use crate::MailError;

impl MailContent for ImapRecords {
    async fn conversation(&self, session: &Session, id: i64) -> Result<ReadConversation, MailError> {
        let view = crate::reading::conversation(session, id).await?;
        let messages = view
            .messages
            .into_iter()
            .map(|m| ReadMessage {
                id: m.id,
                incoming: m.incoming,
                from: m.from,
                from_name: m.from_name,
                sent_at: m.sent_at,
                text: m.text,
            })
            .collect();
        Ok(ReadConversation { summary: view.summary, messages })
    }

    async fn erase_on_server(&self, session: &Session, places: Vec<ServerLocation>) -> Result<usize, MailError> {
        // One SELECT per folder; a folder seen under two UIDVALIDITYs keeps only the first's
        // UIDs, and the check below refuses the folder if that one is stale.
        let mut by_folder: BTreeMap<(String, String), (u32, Vec<u32>)> = BTreeMap::new();
        for p in places {
            let e = by_folder.entry((p.account, p.folder)).or_insert((p.uid_validity, vec![]));
            if e.0 == p.uid_validity {
                e.1.push(p.uid);
            }
        }
        let all = accounts::list(&session.store).await?;
        let mut erased = 0;
        for ((account_id, folder), (uv, uids)) in by_folder {
            let Some(account) = all.iter().find(|a| a.id == account_id).cloned() else { continue };
            let secret = crate::connect::account_secret(&session.store, &account)?;
            erased += tokio::task::spawn_blocking(move || -> Result<usize, MailError> {
                let mut s = imap_login(&account, &secret)?;
                let mbox = s.select(&folder)?;
                if mbox.uid_validity != Some(uv) {
                    // The folder is not the one these UIDs belong to: the next sync relearns it.
                    let why = "the mail server renumbered a folder; sync, then ask again";
                    return Err(CoreError::Invalid(why.into()).into());
                }
                let gone = Removal::of_server(&mut s, &account.folder_names)?.remove(&mut s, &folder, &uids)?;
                let _ = s.logout();
                Ok(gone)
            })
            .await
            .map_err(|_| MailError::Worker)??;
        }
        Ok(erased)
    }
}
