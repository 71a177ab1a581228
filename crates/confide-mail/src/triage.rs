//! Claims and status, shared through the server: IMAP keywords on the conversation's messages
//! in the shared mailbox, so a second desktop sees them on its next sync. Where the server does
//! not allow new keywords (no `\*` in PERMANENTFLAGS), claiming is refused with a clear
//! message rather than kept on one desktop, where colleagues could not see it.

use std::collections::BTreeMap;

use confide_core::mailstore::{self, CLAIM_PREFIX};
use confide_core::staff::Session;
use confide_core::{accounts, CoreError};

use crate::connect::imap_login;
use crate::imap_quote::uid_set;
use crate::MailError;

/// Marks the conversation as claimed by this staff member, replacing any earlier claim.
pub async fn claim(session: &Session, conversation_id: i64) -> Result<(), MailError> {
    let store = &session.store;
    let me = format!("{CLAIM_PREFIX}{}", store.identity().fingerprint());
    let locations = mailstore::conversation_locations(store, conversation_id).await?;
    if locations.is_empty() {
        return Err(CoreError::Invalid("this conversation is not on the shared mailbox, so it cannot be claimed there".into()).into());
    }
    // Group by account and folder: one SELECT and two STOREs per folder.
    let mut groups: BTreeMap<(String, String), Vec<(u32, String)>> = BTreeMap::new();
    for (account, folder, uid, flags) in locations {
        groups.entry((account, folder)).or_default().push((uid, flags));
    }
    let all = accounts::list(store).await?;
    for ((account_id, folder), messages) in groups {
        let account = all.iter().find(|a| a.id == account_id).cloned().ok_or_else(|| MailError::NoPassword(account_id.clone()))?;
        let password = store.vault().account_password(&account.id).map_err(CoreError::from)?.ok_or_else(|| MailError::NoPassword(account.id.clone()))?;
        let others: Vec<String> = messages
            .iter()
            .flat_map(|(_, f)| f.split_whitespace())
            .filter(|k| k.starts_with(CLAIM_PREFIX) && **k != me)
            .map(str::to_owned)
            .collect();
        let uids: Vec<u32> = messages.iter().map(|(u, _)| *u).collect();
        let (mine, f, pw) = (me.clone(), folder.clone(), password.to_string());
        let uidvalidity = tokio::task::spawn_blocking(move || -> Result<u32, MailError> {
            let mut imap = imap_login(&account, &pw)?;
            let mbox = imap.select(&f)?;
            if !mbox.permanent_flags.iter().any(|p| matches!(p, imap::types::Flag::MayCreate)) {
                return Err(MailError::Core(CoreError::Invalid(
                    "the mail server does not let Confide add its shared labels, so claims cannot be shared with colleagues; \
                     ask whoever runs the server to allow IMAP keywords"
                        .into(),
                )));
            }
            let set = uid_set(&uids);
            if !others.is_empty() {
                imap.uid_store(&set, format!("-FLAGS.SILENT ({})", others.join(" ")))?;
            }
            imap.uid_store(&set, format!("+FLAGS.SILENT ({mine})"))?;
            let _ = imap.logout();
            Ok(mbox.uid_validity.unwrap_or(0))
        })
        .await
        .map_err(|_| MailError::Worker)??;
        // Reflect it locally at once; the next sync confirms it from the server.
        let changes: Vec<(u32, String)> = messages
            .iter()
            .map(|(uid, flags)| {
                let mut kept: Vec<&str> = flags.split_whitespace().filter(|k| !k.starts_with(CLAIM_PREFIX)).collect();
                kept.push(&me);
                (*uid, kept.join(" "))
            })
            .collect();
        mailstore::update_flags(store, &account_id, &folder, uidvalidity, &changes).await?;
    }
    Ok(())
}
