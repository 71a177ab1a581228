//! What someone typed in the search box, as a full-text query that cannot be FTS5 syntax.

/// Turns what someone typed into an FTS5 query that matches all the words as prefixes, with
/// every word quoted so that no FTS5 operator or syntax error can come from user input.
pub(super) fn fts_query(input: &str) -> String {
    input
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '-' && c != '_')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn user_input_cannot_become_fts_syntax() {
        assert_eq!(fts_query("anger OR \"x NEAR(y"), "\"anger\"* \"OR\"* \"x\"* \"NEAR\"* \"y\"*");
        assert_eq!(fts_query("  "), "");
        assert_eq!(fts_query("sam.k@example.org"), "\"sam.k@example.org\"*");
    }
}
