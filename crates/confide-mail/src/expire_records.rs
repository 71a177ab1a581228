//! Retention of shared records (letters, transcripts, referrals...): each class with
//! `record_folders` among its places is expired in its own `Confide/...` folder by the date on
//! its envelope, exactly by the preset's calendar period. Nothing is decrypted, so any
//! desktop's run (or the headless timer) expires records it could never read.

use confide_core::mailstore::HOLD_KEYWORD;
use confide_core::policy::{Period, RetentionClass};
use confide_core::retention::has_expired;
use time::OffsetDateTime;

use crate::connect::imap_login;
use crate::imap_quote::uid_set;
use crate::records::{header_class, server_folder, CLASS_HEADER};
use crate::remove::Removal;
use crate::MailError;

/// A record expires when both its Date header and its arrival are past the period (they are
/// the same for records Confide wrote; a record with no Date header is judged by its arrival).
fn expired(period: &Period, date: Option<i64>, arrived: Option<i64>, now: OffsetDateTime) -> bool {
    match (date, arrived) {
        (None, None) => false,
        (d, a) => [d, a].into_iter().flatten().all(|t| has_expired(period, t, now)),
    }
}

/// Finds the expired records of `class` in its folder and, unless `dry`, removes them (blocking).
/// Returns how many. Held records (`Confide.Hold`) are kept.
pub(crate) fn expire_class(
    account: &confide_core::accounts::Account,
    password: &crate::connect::Secret,
    class: &RetentionClass,
    now: OffsetDateTime,
    dry: bool,
) -> Result<usize, MailError> {
    let mut s = imap_login(account, password)?;
    let name = server_folder(&mut s, &class.folder())?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        let _ = s.logout();
        return Ok(0);
    }
    let mbox = s.select(&name)?;
    let mut doomed = vec![];
    if mbox.exists > 0 {
        let candidates = s.uid_search(format!("UNKEYWORD {HOLD_KEYWORD}"))?;
        if !candidates.is_empty() {
            let mut list: Vec<u32> = candidates.into_iter().collect();
            list.sort_unstable();
            let fields = format!("(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (DATE {CLASS_HEADER})])");
            for f in s.uid_fetch(uid_set(&list), &fields)?.iter() {
                let (Some(uid), Some(head)) = (f.uid, f.header()) else { continue };
                if header_class(head).as_deref() != Some(class.id.as_str()) {
                    continue;
                }
                let date = mail_parser::MessageParser::default()
                    .parse_headers(head)
                    .and_then(|m| m.date().map(|d| d.to_timestamp()));
                if expired(&class.period, date, f.internal_date().map(|d| d.timestamp()), now) {
                    doomed.push(uid);
                }
            }
        }
    }
    if !dry && !doomed.is_empty() {
        Removal::of_server(&mut s, &account.folder_names)?.remove(&mut s, &name, &doomed)?;
    }
    let _ = s.logout();
    Ok(doomed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dates_must_be_past_and_a_record_with_neither_is_kept() {
        let now = time::macros::datetime!(2027-01-10 12:00 UTC);
        let old = time::macros::datetime!(2026-07-01 12:00 UTC).unix_timestamp();
        let recent = time::macros::datetime!(2026-12-01 12:00 UTC).unix_timestamp();
        let six = Period::Months(6);
        assert!(expired(&six, Some(old), Some(old), now));
        assert!(expired(&six, None, Some(old), now));
        assert!(!expired(&six, Some(old), Some(recent), now), "a wrong Date header does not shorten the period");
        assert!(!expired(&six, None, None, now));
        assert!(!expired(&Period::Years(5), Some(old), Some(old), now));
    }
}
