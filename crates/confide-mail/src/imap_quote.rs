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
    let mut v = uids.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            i += 1;
            end = v[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
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
