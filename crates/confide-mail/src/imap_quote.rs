//! Turning user input (search words, folder names) into IMAP command arguments. Nothing here
//! does I/O. The rule: no CR, LF or NUL ever reaches the wire from user input, and every string
//! is a balanced quoted string, so input cannot end a command or start another.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    /// Line breaks and NUL cannot be sent inside a quoted string.
    ControlCharacter,
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot use line breaks or control characters here")
    }
}

impl std::error::Error for QuoteError {}

/// An IMAP quoted string (RFC 3501 `quoted`), for ASCII text such as search terms.
/// Non-ASCII is refused here; mailbox names go through [`mailbox`] instead.
pub fn quoted(s: &str) -> Result<String, QuoteError> {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\r' | '\n' | '\0' => return Err(QuoteError::ControlCharacter),
            c if c.is_control() => return Err(QuoteError::ControlCharacter),
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if !c.is_ascii() => return Err(QuoteError::ControlCharacter),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// A mailbox name as a quoted string in modified UTF-7 (RFC 3501 §5.1.3), so "Sent Items",
/// "Éléments envoyés" and "Confide/Webchat" all travel safely.
pub fn mailbox(name: &str) -> Result<String, QuoteError> {
    quoted(&utf7_imap_encode(name)?)
}

/// Modified UTF-7: printable ASCII stays (with '&' as "&-"); anything else is base64 of its
/// UTF-16 between '&' and '-', using ',' for '/'.
pub fn utf7_imap_encode(s: &str) -> Result<String, QuoteError> {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out.push('-');
        pending.clear();
    };
    for c in s.chars() {
        if c == '\r' || c == '\n' || c == '\0' || (c.is_ascii_control()) {
            return Err(QuoteError::ControlCharacter);
        }
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    Ok(out)
}

/// A UID set in compact ranges ("1:5,9,12:14") from sorted or unsorted UIDs.
pub fn uid_set(uids: &[u32]) -> String {
    uid_sets(uids, usize::MAX).pop().unwrap_or_default()
}

/// The same ranges as [`uid_set`], split into sets of at most `max_len` bytes (a range is never
/// split). Servers cap a command line (Dovecot at 64 KiB), and UIDs left scattered, say every
/// other message of a busy year, would otherwise make one set longer than that.
pub fn uid_sets(uids: &[u32], max_len: usize) -> Vec<String> {
    let mut v = uids.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut sets = vec![];
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            i += 1;
            end = v[i];
        }
        let range = if start == end { start.to_string() } else { format!("{start}:{end}") };
        if !out.is_empty() && out.len() + 1 + range.len() > max_len {
            sets.push(std::mem::take(&mut out));
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&range);
        i += 1;
    }
    if !out.is_empty() {
        sets.push(out);
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_encodings() {
        assert_eq!(quoted(r#"say "hi" \ bye"#).unwrap(), r#""say \"hi\" \\ bye""#);
        assert_eq!(utf7_imap_encode("Sent Items").unwrap(), "Sent Items");
        assert_eq!(utf7_imap_encode("R&D").unwrap(), "R&-D");
        // RFC 3501's own example.
        assert_eq!(utf7_imap_encode("~peter/mail/台北/日本語").unwrap(), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(utf7_imap_encode("Éléments envoyés").unwrap(), "&AMk-l&AOk-ments envoy&AOk-s");
        assert_eq!(quoted("a\r\nb LOGOUT"), Err(QuoteError::ControlCharacter));
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 12, 13, 14, 3]), "1:3,5,9,12:14");
        assert_eq!(uid_set(&[]), "");
        assert_eq!(uid_sets(&[5, 1, 2, 3, 9, 12, 13, 14, 3], 6), ["1:3,5", "9", "12:14"]);
        assert_eq!(uid_sets(&[1, 3, 5], 1), ["1", "3", "5"], "a range longer than the limit still goes, alone");
        assert!(uid_sets(&[], 10).is_empty());
    }

    proptest! {
        #[test]
        fn split_sets_cover_the_same_uids_within_the_limit(uids in proptest::collection::vec(1u32..5000, 0..400), max in 12usize..200) {
            let sets = uid_sets(&uids, max);
            prop_assert!(sets.iter().all(|s| s.len() <= max));
            let joined = sets.join(",");
            prop_assert_eq!(joined, uid_set(&uids));
        }
    }

    /// A quoted string is balanced when its only unescaped quotes are the outer two.
    fn balanced(q: &str) -> bool {
        let b = q.as_bytes();
        if b.len() < 2 || b[0] != b'"' || b[b.len() - 1] != b'"' {
            return false;
        }
        let mut i = 1;
        while i < b.len() - 1 {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return false,
                _ => i += 1,
            }
        }
        i == b.len() - 1
    }

    proptest! {
        #[test]
        fn no_line_break_or_unbalanced_quote_reaches_the_wire(s in any::<String>()) {
            for out in [quoted(&s), mailbox(&s)].into_iter().flatten() {
                prop_assert!(!out.contains('\r') && !out.contains('\n') && !out.contains('\0'));
                prop_assert!(out.is_ascii());
                prop_assert!(balanced(&out), "{out}");
            }
        }

        #[test]
        fn hostile_search_terms_are_rejected_or_contained(prefix in "[ -~]{0,20}", tail in "[ -~]{0,20}") {
            let s = format!("{prefix}\r\na2 DELETE INBOX\r\n{tail}");
            prop_assert!(quoted(&s).is_err());
            prop_assert!(mailbox(&s).is_err());
        }
    }
}
