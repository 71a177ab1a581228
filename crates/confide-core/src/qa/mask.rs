//! Masking a conversation for review: the manager judges the advisor's words, not who wrote to
//! the helpline. Email addresses, web addresses, telephone and other long numbers, UK
//! postcodes, street addresses and the correspondent's own names (as their mail gave them) are
//! replaced by placeholders. It is a safety net, not a guarantee: a name the mail never gave
//! can remain, which is why reviews keep no content at all.

use std::sync::OnceLock;

use regex::Regex;

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            (r"(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}", "[email]"),
            (r"(?i)\b(?:https?://|www\.)\S+", "[web address]"),
            (r"(?i)\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", "[postcode]"),
            (
                // A house number, one to three capitalised words, a street word.
                r"\b\d+[a-zA-Z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?i:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|place|gardens|crescent|terrace|grove|hill|row|square|walk|mews)\b",
                "[address]",
            ),
            // Telephone numbers and other numbers of five digits or more (bank, national
            // insurance, case numbers); a year or a house number is left.
            (r"\+?\d[\d\s\-()]{3,}\d", "[number]"),
        ]
        .into_iter()
        .map(|(p, with)| (Regex::new(p).expect("masking patterns are valid"), with))
        .collect()
    })
}

/// `text` with identifying details replaced. `names` are the correspondent's own names (display
/// name words, the address's local part split at dots): each word of three letters or more is
/// masked wherever it stands alone, whatever its case.
pub fn mask(text: &str, names: &[String]) -> String {
    let mut out = text.to_owned();
    for (re, with) in patterns() {
        out = re.replace_all(&out, *with).into_owned();
    }
    let mut words: Vec<String> = names
        .iter()
        .flat_map(|n| {
            n.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').map(str::to_owned).collect::<Vec<_>>()
        })
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    for w in words {
        if let Ok(re) = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(&w))) {
            out = re.replace_all(&out, "[name]").into_owned();
        }
    }
    out
}

/// The names to mask for a correspondent shown as `display` (e.g. `Wendell Okafor
/// <w.okafor@example.org>`).
pub fn names_of(display: &str) -> Vec<String> {
    let (name, address) = match display.split_once('<') {
        Some((n, a)) => (n.trim().trim_matches('"').to_owned(), a.trim_end_matches('>').to_owned()),
        None if display.contains('@') => (String::new(), display.to_owned()),
        None => (display.to_owned(), String::new()),
    };
    let local = address.split('@').next().unwrap_or_default().replace(['.', '_', '-', '+'], " ");
    [name, local].into_iter().filter(|s| !s.trim().is_empty()).collect()
}
