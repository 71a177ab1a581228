//! The frames visitors, advisors and the gateway exchange: JSON text frames with a `type`.
//! Decoding is pure and total: any input gives a frame or an error, never a panic (fuzzed).

use serde::{Deserialize, Serialize};

/// The longest chat message accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// What a visitor's page sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitorIn {
    /// Ask for a chat on a line.
    Start {
        line: String,
    },
    /// Come back to a chat after a dropped connection, with the token `welcome` gave.
    Resume {
        chat: String,
        resume: String,
    },
    Say {
        text: String,
    },
    Typing,
    End,
}

/// What an advisor's desktop sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdvisorIn {
    Accept {
        chat: String,
    },
    Say {
        chat: String,
        text: String,
    },
    Typing {
        chat: String,
    },
    End {
        chat: String,
    },
    /// A transcript is safely archived: the gateway may forget the chat.
    Archived {
        chat: String,
    },
    /// Hands a chat this advisor holds to a colleague who is connected and works on its line.
    Transfer {
        chat: String,
        to: String,
    },
}

/// What the gateway sends (to visitors and advisors alike; each sees only its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Out {
    /// To a visitor: their chat, the token to resume it, the line's hours, their place.
    Welcome {
        chat: String,
        resume: String,
        line: String,
        hours: String,
        position: usize,
    },
    Queue {
        position: usize,
    },
    /// To a visitor: an advisor has joined (by the name they chat under).
    Joined {
        advisor: String,
    },
    /// To advisors: a visitor is waiting on a line they work on (since: unix milliseconds).
    Waiting {
        chat: String,
        line: String,
        since: i64,
    },
    /// To advisors: a colleague took the chat.
    Taken {
        chat: String,
        by: String,
    },
    /// To the advisor who accepted: the chat is theirs.
    Assigned {
        chat: String,
        line: String,
    },
    /// A message (at: unix milliseconds).
    Said {
        chat: String,
        from: Speaker,
        text: String,
        at: i64,
    },
    Typing {
        chat: String,
        from: Speaker,
    },
    Ended {
        chat: String,
        by: Speaker,
    },
    /// To an advisor: the chat's messages kept so far, each age-encrypted to the line's staff
    /// (base64), oldest first: what a restart or a reconnect did not lose.
    History {
        chat: String,
        sealed: Vec<String>,
    },
    Error {
        code: String,
        message: String,
    },
    /// To advisors: the colleagues connected now who share a line with them (for transfers).
    Colleagues {
        names: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Visitor,
    Advisor,
}

/// Why a frame was refused. The message is for the person, the code for the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("that message could not be read")]
    Malformed,
    #[error("that message is too long: keep it under {MAX_TEXT_CHARS} characters")]
    TooLong,
    #[error("that message is empty")]
    Empty,
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::Malformed => "malformed",
            FrameError::TooLong => "too_long",
            FrameError::Empty => "empty",
        }
    }

    pub fn to_out(&self) -> Out {
        Out::Error { code: self.code().into(), message: self.to_string() }
    }
}

fn check_text(text: &str) -> Result<(), FrameError> {
    if text.trim().is_empty() {
        return Err(FrameError::Empty);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(FrameError::TooLong);
    }
    Ok(())
}

pub fn decode_visitor(frame: &str) -> Result<VisitorIn, FrameError> {
    let v: VisitorIn = serde_json::from_str(frame).map_err(|_| FrameError::Malformed)?;
    if let VisitorIn::Say { text } = &v {
        check_text(text)?;
    }
    Ok(v)
}

pub fn decode_advisor(frame: &str) -> Result<AdvisorIn, FrameError> {
    let v: AdvisorIn = serde_json::from_str(frame).map_err(|_| FrameError::Malformed)?;
    if let AdvisorIn::Say { text, .. } = &v {
        check_text(text)?;
    }
    Ok(v)
}

pub fn encode(out: &Out) -> String {
    serde_json::to_string(out).expect("frames serialise")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn frames_decode_and_bad_ones_are_named() {
        assert_eq!(
            decode_visitor(r#"{"type":"start","line":"phoneline"}"#),
            Ok(VisitorIn::Start { line: "phoneline".into() })
        );
        assert_eq!(decode_visitor(r#"{"type":"say","text":"hi"}"#), Ok(VisitorIn::Say { text: "hi".into() }));
        assert_eq!(decode_visitor(r#"{"type":"say","text":"  "}"#), Err(FrameError::Empty));
        assert_eq!(
            decode_visitor(&format!(r#"{{"type":"say","text":"{}"}}"#, "x".repeat(MAX_TEXT_CHARS + 1))),
            Err(FrameError::TooLong)
        );
        assert_eq!(
            decode_visitor(r#"{"type":"say","text":"hi","ip":"1.2.3.4"}"#),
            Err(FrameError::Malformed),
            "unknown fields are refused"
        );
        assert_eq!(decode_visitor("not json"), Err(FrameError::Malformed));
        assert_eq!(decode_advisor(r#"{"type":"accept","chat":"c1"}"#), Ok(AdvisorIn::Accept { chat: "c1".into() }));
        assert_eq!(decode_advisor(r#"{"type":"say","chat":"c1"}"#), Err(FrameError::Malformed));
    }

    proptest! {
        // The decoders are total: whatever arrives, a frame or an error, never a panic.
        #[test]
        fn decoding_never_panics(s in ".{0,300}") {
            let _ = decode_visitor(&s);
            let _ = decode_advisor(&s);
        }

        #[test]
        fn json_shaped_noise_never_panics(kind in "(start|resume|say|typing|end|accept|archived|x)", field in "[a-z]{0,6}", value in ".{0,50}") {
            let frame = serde_json::json!({ "type": kind, field: value }).to_string();
            let _ = decode_visitor(&frame);
            let _ = decode_advisor(&frame);
        }
    }
}
