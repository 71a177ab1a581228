//! Subject access and erasure (UK GDPR; nsh-2015, acevo): a manager finds everything the
//! helpline holds about a person, by address, name or pseudonym, across the conversations on
//! this desktop (email, chats) and every record class they may read (transcripts, case records,
//! contact details, disclosure reports, letters' summaries), and exports it as one readable
//! document. An erasure request destroys the same things everywhere, as retention would: the
//! server copies first (by UID, under the UIDVALIDITY they were seen with), then this desktop's.
//! The search and the erasure are on the audit log by a hash of what was searched, never the
//! words themselves.

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::record_store::{self as records, classes, MailContent, RecordStore};
use crate::staff::Session;
use crate::CoreError;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FoundMessage {
    pub incoming: bool,
    pub from: String,
    #[ts(type = "number")]
    pub at: i64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FoundConversation {
    #[ts(type = "number")]
    pub id: i64,
    pub channel: String,
    pub line: String,
    pub subject: String,
    pub correspondent: String,
    pub messages: Vec<FoundMessage>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FoundRecord {
    pub class: String,
    pub id: String,
    #[ts(type = "number")]
    pub at: i64,
    /// The record's content, as kept (JSON); a scan is named, not reproduced.
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Found {
    pub conversations: Vec<FoundConversation>,
    pub records: Vec<FoundRecord>,
}

fn check_query(session: &Session, query: &str) -> Result<String, CoreError> {
    session.require_manager("search what the helpline holds about a person")?;
    let q = query.trim();
    if q.chars().count() < 3 {
        return Err(CoreError::Invalid("give an address, a name or a pseudonym of at least three letters".into()));
    }
    Ok(q.to_owned())
}

/// How the audit log names a search: a hash, so the log never holds the person's name.
fn fingerprint(query: &str) -> String {
    hex::encode(&Sha256::digest(query.to_lowercase().as_bytes())[..8])
}

/// Everything this manager can read that mentions `query`.
async fn find<S: MailContent>(session: &Session, server: &S, query: &str) -> Result<Found, S::Error> {
    let mut found = Found::default();
    let mut after = None;
    let mut ids = vec![];
    loop {
        let filter =
            crate::inbox::InboxFilter { search: Some(query.to_owned()), limit: Some(500), after, ..Default::default() };
        let page = crate::inbox::page(session, &filter).await?;
        ids.extend(page.conversations.iter().map(|c| c.id).filter(|id| !ids.contains(id)).collect::<Vec<_>>());
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    for id in crate::conversations::with_pseudonym(session, query).await? {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in ids {
        let view = server.conversation(session, id).await?;
        found.conversations.push(FoundConversation {
            id,
            channel: view.summary.channel.as_str().to_owned(),
            line: view.summary.line_id.clone(),
            subject: view.summary.subject.clone(),
            correspondent: view.summary.correspondent.clone(),
            messages: view
                .messages
                .iter()
                .map(|m| FoundMessage {
                    incoming: m.incoming,
                    from: m.from.clone(),
                    at: m.sent_at,
                    text: m.text.clone(),
                })
                .collect(),
        });
    }
    let needle = query.to_lowercase();
    // Every class kept as records (conversations' classes and the statistics are not).
    let kept: Vec<String> = session
        .preset()
        .retention
        .iter()
        .filter(|c| !matches!(c.id.as_str(), "email" | "statistics") && c.readers.contains(&session.profile.role))
        .map(|c| c.id.clone())
        .collect();
    for class in kept {
        let Ok(listed) = records::list(session, server, &class).await else { continue };
        for l in listed {
            let Ok(record) = l.record else { continue };
            let text = String::from_utf8_lossy(&record.body).into_owned();
            if text.to_lowercase().contains(&needle) {
                found.records.push(FoundRecord {
                    class: class.clone(),
                    id: record.header.id,
                    at: record.header.created_at,
                    text,
                });
            }
        }
    }
    add_whole_letters(session, server, &mut found).await?;
    Ok(found)
}

/// A letter is found by its response or its summary, but it is the whole letter that is the
/// person's: its own record, every response, the record of its original's destruction, and
/// its scans (named in the export, not reproduced; destroyed on erasure).
async fn add_whole_letters<S: RecordStore>(session: &Session, server: &S, found: &mut Found) -> Result<(), S::Error> {
    use crate::letters::LetterPart;
    let reference = |text: &str| match serde_json::from_str::<LetterPart>(text) {
        Ok(
            LetterPart::Letter { reference, .. }
            | LetterPart::Response { reference, .. }
            | LetterPart::OriginalDestroyed { reference, .. },
        ) => Some(reference),
        Err(_) => None,
    };
    let references: Vec<String> =
        found.records.iter().filter(|r| r.class.starts_with("letter")).filter_map(|r| reference(&r.text)).collect();
    if references.is_empty() {
        return Ok(());
    }
    let mut letter_classes = vec![classes::LETTER.to_owned()];
    if session.preset().retention_class(classes::LETTER_RESPONSE).is_some() {
        letter_classes.push(classes::LETTER_RESPONSE.into());
    }
    let mut scans = vec![];
    for class in letter_classes {
        for l in records::list(session, server, &class).await? {
            let Ok(record) = l.record else { continue };
            let text = String::from_utf8_lossy(&record.body).into_owned();
            if !reference(&text).is_some_and(|r| references.contains(&r))
                || found.records.iter().any(|f| f.id == record.header.id)
            {
                continue;
            }
            found.records.push(FoundRecord {
                class: class.clone(),
                id: record.header.id,
                at: record.header.created_at,
                text,
            });
        }
    }
    for r in &found.records {
        if let Ok(LetterPart::Letter { scans: s, .. }) = serde_json::from_str::<LetterPart>(&r.text) {
            scans.extend(s);
        }
    }
    for scan in scans {
        let at = found.records.iter().find(|r| r.text.contains(&scan.record)).map_or(0, |r| r.at);
        let text = format!(
            "A scanned letter ({}, {} page{}), available on request",
            serde_json::to_string(&scan.kind).unwrap_or_default().trim_matches('"'),
            scan.pages,
            if scan.pages == 1 { "" } else { "s" }
        );
        found.records.push(FoundRecord { class: classes::LETTER.into(), id: scan.record, at, text });
    }
    Ok(())
}

/// Searches, on the audit log.
pub async fn search<S: MailContent>(session: &Session, server: &S, query: &str) -> Result<Found, S::Error> {
    let q = check_query(session, query)?;
    let found = find(session, server, &q).await?;
    let what = format!(
        "query:{} conversations:{} records:{}",
        fingerprint(&q),
        found.conversations.len(),
        found.records.len()
    );
    crate::audit::append(&session.store, "subject_access_search", &what).await?;
    Ok(found)
}

/// The search's results as one readable document, for the person who asked.
pub fn document(found: &Found, helpline: &str, produced: &str) -> String {
    let mut out = format!("What {helpline} holds\nProduced {produced}\n\n");
    out.push_str(&format!("Conversations: {}\n\n", found.conversations.len()));
    for c in &found.conversations {
        out.push_str(&format!(
            "== {} ({}, {})\nWith: {}\n\n",
            if c.subject.is_empty() { "(no subject)" } else { &c.subject },
            c.channel,
            c.line,
            c.correspondent
        ));
        for m in &c.messages {
            let when =
                time::OffsetDateTime::from_unix_timestamp(m.at).map(|d| d.date().to_string()).unwrap_or_default();
            out.push_str(&format!(
                "-- {} {} ({when})\n{}\n\n",
                if m.incoming { "From" } else { "Reply from the helpline" },
                if m.incoming { &m.from } else { "" },
                m.text.trim()
            ));
        }
    }
    out.push_str(&format!("Other records: {}\n\n", found.records.len()));
    for r in &found.records {
        let when = time::OffsetDateTime::from_unix_timestamp(r.at).map(|d| d.date().to_string()).unwrap_or_default();
        out.push_str(&format!("== {} ({when})\n{}\n\n", r.class.replace('_', " "), r.text));
    }
    out
}

/// The export for the person, on the audit log.
pub async fn export<S: MailContent>(session: &Session, server: &S, query: &str) -> Result<String, S::Error> {
    let found = search(session, server, query).await?;
    let produced = time::OffsetDateTime::from_unix_timestamp(session.store.now_ts())
        .map(|d| d.date().to_string())
        .unwrap_or_default();
    crate::audit::append(&session.store, "subject_access_export", &format!("query:{}", fingerprint(query.trim())))
        .await?;
    Ok(document(&found, &session.preset().organisation, &produced))
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Erased {
    #[ts(type = "number")]
    pub conversations: usize,
    #[ts(type = "number")]
    pub server_messages: usize,
    #[ts(type = "number")]
    pub local_messages: usize,
    #[ts(type = "number")]
    pub records: usize,
}

/// An erasure request: everything the search finds is destroyed, on the server first.
pub async fn erase<S: MailContent>(session: &Session, server: &S, query: &str) -> Result<Erased, S::Error> {
    let q = check_query(session, query)?;
    let found = find(session, server, &q).await?;
    let mut out = Erased { conversations: found.conversations.len(), ..Default::default() };
    let mut places = vec![];
    for c in &found.conversations {
        places.extend(crate::mailstore::erasure_locations(&session.store, c.id).await?);
    }
    out.server_messages = server.erase_on_server(session, places).await?;
    let ids: Vec<i64> = found.conversations.iter().map(|c| c.id).collect();
    out.local_messages = crate::retention::erase_local(&session.store, &ids).await?;
    for r in &found.records {
        if records::remove(session, server, &r.class, &r.id).await? {
            out.records += 1;
        }
    }
    let what = format!("query:{} conversations:{} records:{}", fingerprint(&q), out.conversations, out.records);
    crate::audit::append(&session.store, "subject_erasure", &what).await?;
    Ok(out)
}
