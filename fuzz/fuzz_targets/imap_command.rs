//! Building IMAP command arguments from untrusted text (mailbox names, search terms): either a
//! clear refusal or an argument that cannot end the command line early or smuggle a literal.
#![no_main]
use confide_mail::imap_quote::{mailbox, quoted, uid_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, Vec<u32>)| {
    let (text, uids) = input;
    for built in [quoted(text), mailbox(text)].into_iter().flatten() {
        assert!(built.starts_with('"') && built.ends_with('"') && built.len() >= 2, "not a quoted string: {built:?}");
        assert!(!built.contains('\r') && !built.contains('\n') && !built.contains('\0'), "a line break or NUL got through: {built:?}");
        assert!(balanced(&built[1..built.len() - 1]), "the quoted string ends early: {built:?}");
    }
    if let Ok(m) = mailbox(text) {
        assert!(m.is_ascii(), "modified UTF-7 must be ASCII: {m:?}");
    }
    let set = uid_set(&uids);
    assert!(set.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b':'), "a UID set holds only digits, ',' and ':': {set:?}");
});

/// Inside the quotes, every quote and backslash is escaped: the string cannot end early.
fn balanced(inner: &str) -> bool {
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if !matches!(chars.next(), Some('"' | '\\')) {
                    return false;
                }
            }
            '"' => return false,
            _ => {}
        }
    }
    true
}
