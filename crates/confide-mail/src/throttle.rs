//! A server that asks Confide to slow down. Exchange Online limits how fast one mailbox is
//! read, and says so in a tagged answer: `BAD Request is throttled. Suggested Backoff Time:
//! 299961 milliseconds`. Treating that as a failed sync would fail every new desktop's first
//! sync of a big mailbox; instead the sync waits the time asked (showing it) and carries on
//! from what it has already committed. No I/O here.

use std::time::Duration;

use crate::MailError;

/// The wait when a server says it is throttling but not for how long.
const UNSAID: Duration = Duration::from_secs(30);
/// The longest single wait taken as asked: a longer one is a server that will not serve now.
const LONGEST: Duration = Duration::from_secs(10 * 60);
/// The most one sync waits in all before it stops and says so.
const BUDGET: Duration = Duration::from_secs(30 * 60);

/// How long a server's answer asks Confide to wait, if it is a throttling answer.
pub fn asked_to_wait(answer: &str) -> Option<Duration> {
    let lower = answer.to_ascii_lowercase();
    if !lower.contains("throttled") {
        return None;
    }
    let said = lower.split("backoff time:").nth(1).and_then(|rest| {
        let rest = rest.trim_start();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let n: u64 = digits.parse().ok()?;
        let unit = rest[digits.len()..].trim_start();
        Some(if unit.starts_with("ms") || unit.starts_with("milli") {
            Duration::from_millis(n)
        } else {
            Duration::from_secs(n)
        })
    });
    Some(said.unwrap_or(UNSAID))
}

/// How long `e` asks to wait, if the server was throttling.
pub fn throttled(e: &MailError) -> Option<Duration> {
    match e {
        MailError::Protocol(imap::Error::Bad(bad)) => asked_to_wait(&bad.information),
        MailError::Protocol(imap::Error::No(no)) => asked_to_wait(&no.information),
        _ => None,
    }
}

/// One sync's waits: each as the server asked (within reason), until the budget is spent.
#[derive(Debug, Default)]
pub struct Backoff {
    waited: Duration,
}

impl Backoff {
    /// The wait before trying again when the server `asked` for one (see [`throttled`]), or
    /// `None` to give up (it did not, or the waits are too long in all).
    pub fn next(&mut self, asked: Option<Duration>) -> Option<Duration> {
        let wait = asked?.min(LONGEST);
        if self.waited + wait > BUDGET {
            return None;
        }
        self.waited += wait;
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_onlines_answer_is_read_to_the_millisecond() {
        let exchange = "Request is throttled. Suggested Backoff Time: 299961 milliseconds";
        assert_eq!(asked_to_wait(exchange), Some(Duration::from_millis(299_961)));
        assert_eq!(asked_to_wait("Request is throttled."), Some(UNSAID));
        assert_eq!(
            asked_to_wait("Request is throttled. Suggested Backoff Time: 12 seconds"),
            Some(Duration::from_secs(12))
        );
        assert_eq!(asked_to_wait("Command Argument Error. 11"), None);
    }

    #[test]
    fn waits_are_taken_until_the_budget_is_spent_and_other_failures_are_not_waited_on() {
        let mut b = Backoff::default();
        let five_minutes = asked_to_wait("Request is throttled. Suggested Backoff Time: 299961 milliseconds");
        let taken: Vec<_> = std::iter::from_fn(|| b.next(five_minutes)).collect();
        assert_eq!(taken.len(), 6, "30 minutes of five-minute waits");
        let an_hour = asked_to_wait("Request is throttled. Suggested Backoff Time: 3600000 milliseconds");
        assert_eq!(Backoff::default().next(an_hour), Some(LONGEST), "a very long wait is cut to ten minutes");
        assert_eq!(Backoff::default().next(asked_to_wait("Command Argument Error. 11")), None);
        assert_eq!(throttled(&MailError::Worker), None);
    }
}
