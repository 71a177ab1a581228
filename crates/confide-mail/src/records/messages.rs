//! Records as IMAP messages (blocking): one message per record in its class's folder, the body
//! the age ciphertext, base64. The envelope says only the class and the date (retention needs
//! both and neither identifies anyone); the line, the author and the content are inside the
//! encryption.

use base64::Engine;
use confide_core::accounts::Account;
use confide_core::record_store::{Which, SCAN_PART};
use confide_core::shared_record::Header;
use confide_core::CoreError;

use super::server_folder;
use crate::connect::{imap_login, Secret};
use crate::remove::Removal;
use crate::MailError;

/// The header naming a record's class, for retention to find a class's records by.
pub const CLASS_HEADER: &str = "X-Confide-Class";

/// Marks a record that is a large part (a letter's scan, `SCAN_PART`), so lists of a class can
/// leave it out. It says nothing about what is in it.
pub const PART_HEADER: &str = "X-Confide-Part";

fn message(account: &Account, header: &Header, sealed: &[u8], part: Option<&str>) -> Result<Vec<u8>, MailError> {
    let date = time::OffsetDateTime::from_unix_timestamp(header.created_at)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc2822).ok())
        .ok_or_else(|| CoreError::Invalid("the record's date is out of range".into()))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(sealed);
    let mut raw = format!(
        "From: <{from}>\r\nDate: {date}\r\nSubject: Confide record\r\nMessage-ID: <rec-{id}@confide.invalid>\r\n{CLASS_HEADER}: {class}\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n",
        from = account.address,
        id = header.id,
        class = header.class,
    );
    if let Some(part) = part {
        raw.push_str(&format!("{PART_HEADER}: {part}\r\n"));
    }
    raw.push_str("\r\n");
    for chunk in encoded.as_bytes().chunks(76) {
        raw.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        raw.push_str("\r\n");
    }
    Ok(raw.into_bytes())
}

/// Appends one record (blocking), creating its folder the first time. Arrives at its own date,
/// so the server's INTERNALDATE agrees with what retention counts from.
pub(crate) fn append(
    account: &Account,
    password: &Secret,
    rel: &str,
    header: &Header,
    sealed: &[u8],
    part: Option<&str>,
) -> Result<(), MailError> {
    let raw = message(account, header, sealed, part)?;
    let mut s = imap_login(account, password)?;
    let name = server_folder(&mut s, rel)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        s.create(&name)?;
    }
    let arrived = chrono::DateTime::from_timestamp(header.created_at, 0).map(|d| d.fixed_offset());
    let mut cmd = s.append(&name, &raw);
    cmd.flag(imap::types::Flag::Seen);
    if let Some(d) = arrived {
        cmd.internal_date(d);
    }
    cmd.finish()?;
    let _ = s.logout();
    Ok(())
}

/// The records of `class` in `rel` (blocking), as (UID, ciphertext). A message that is not a
/// record of the class is left out: the class header is matched exactly, not as IMAP's
/// substring search would (`letter` is in `letter_response`).
pub(crate) fn fetch(
    account: &Account,
    password: &Secret,
    rel: &str,
    class: &str,
    which: &Which,
) -> Result<Vec<(u32, Vec<u8>)>, MailError> {
    let mut s = imap_login(account, password)?;
    let name = server_folder(&mut s, rel)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        let _ = s.logout();
        return Ok(vec![]);
    }
    let mbox = s.examine(&name)?;
    let mut out = vec![];
    let uids = match which {
        _ if mbox.exists == 0 => vec![],
        Which::Small => s.uid_search(format!("NOT HEADER {PART_HEADER} {SCAN_PART}"))?.into_iter().collect(),
        Which::Ids(ids) => {
            let mut found = vec![];
            for id in ids.iter().filter(|id| id.chars().all(|c| c.is_ascii_hexdigit())) {
                found.extend(s.uid_search(format!("HEADER Message-ID \"<rec-{id}@confide.invalid>\""))?);
            }
            found
        }
    };
    if !uids.is_empty() {
        let fields = format!("(UID BODY.PEEK[HEADER.FIELDS ({CLASS_HEADER})] BODY.PEEK[TEXT])");
        for f in s.uid_fetch(crate::imap_quote::uid_set(&uids), &fields)?.iter() {
            let (Some(uid), Some(head), Some(text)) = (f.uid, f.header(), f.text()) else { continue };
            if header_class(head).as_deref() != Some(class) {
                continue;
            }
            let compact: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            // An undecodable body is still listed (as damaged), not silently dropped.
            out.push((uid, base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default()));
        }
    }
    let _ = s.logout();
    Ok(out)
}

/// The value of the class header in a fetched header block.
pub(crate) fn header_class(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok()?;
    text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim().eq_ignore_ascii_case(CLASS_HEADER).then(|| value.trim().to_owned())
    })
}

/// Removes one record of `class` from its folder at once, by its id (blocking): for records
/// kept "until" something happens (an address until the literature is sent). Only that
/// message's UID is expunged. Returns whether it was there.
pub(crate) fn remove_one(
    account: &Account,
    password: &Secret,
    rel: &str,
    class: &str,
    id: &str,
) -> Result<bool, MailError> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let mut s = imap_login(account, password)?;
    let name = server_folder(&mut s, rel)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        let _ = s.logout();
        return Ok(false);
    }
    s.select(&name)?;
    let found: Vec<u32> =
        s.uid_search(format!("HEADER Message-ID \"<rec-{id}@confide.invalid>\""))?.into_iter().collect();
    let mut doomed = vec![];
    if !found.is_empty() {
        for f in s
            .uid_fetch(crate::imap_quote::uid_set(&found), format!("(UID BODY.PEEK[HEADER.FIELDS ({CLASS_HEADER})])"))?
            .iter()
        {
            if let (Some(uid), Some(head)) = (f.uid, f.header()) {
                if header_class(head).as_deref() == Some(class) {
                    doomed.push(uid);
                }
            }
        }
    }
    if !doomed.is_empty() {
        Removal::of_server(&mut s, &account.folder_names)?.remove(&mut s, &name, &doomed)?;
    }
    let _ = s.logout();
    Ok(!doomed.is_empty())
}
