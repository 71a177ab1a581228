//! Issue 7: the gateway over real WebSockets on loopback. A visitor and advisors chat; the
//! first advisor to accept gets the chat; a foreign origin, a wrong credential, an oversized or
//! malformed frame, too many chats from one source are each refused without harm; a restart
//! loses no live chat; and the gateway's files hold none of the chat text.

use std::time::Duration;

use confide_webchat::protocol::Out;
use confide_webchat::Gateway;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::*;

#[tokio::test]
async fn issue7_a_visitor_and_an_advisor_chat_and_the_first_to_accept_gets_it() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    let mut kit = advisor(&gw, "kit-credential").await.unwrap();
    let mut lee = advisor(&gw, "lee-credential").await.unwrap();

    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat, hours, position, .. } = next(&mut v).await else { panic!("no welcome") };
    assert_eq!((hours.as_str(), position), ("Monday to Friday, 9am to 5pm", 1));
    assert!(matches!(next(&mut sam).await, Out::Waiting { chat: c, .. } if c == chat));
    assert!(matches!(next(&mut kit).await, Out::Waiting { .. }));
    // A second visitor queues behind the first.
    let mut v2 = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v2, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    assert!(matches!(next(&mut v2).await, Out::Welcome { position: 2, .. }));

    send(&mut v, serde_json::json!({"type": "say", "text": "waiting-canary-1c9e: hello?"})).await;
    send(&mut sam, serde_json::json!({"type": "accept", "chat": chat})).await;
    assert!(matches!(next(&mut sam).await, Out::Waiting { .. }), "the second visitor's notice");
    assert!(matches!(next(&mut sam).await, Out::Assigned { chat: c, .. } if c == chat));
    send(&mut kit, serde_json::json!({"type": "accept", "chat": chat})).await;
    let Out::History { sealed, .. } = next(&mut sam).await else { panic!("no history") };
    assert_eq!(
        open(&s.staff, &sealed[0])["text"],
        "waiting-canary-1c9e: hello?",
        "what was said while waiting is there, sealed"
    );
    assert!(matches!(next(&mut kit).await, Out::Waiting { .. }));
    assert!(matches!(next(&mut kit).await, Out::Taken { by, .. } if by == "Sam"));
    assert!(matches!(next(&mut kit).await, Out::Taken { by, .. } if by == "Sam"), "a late accept is told it is taken");
    assert!(matches!(next(&mut v).await, Out::Joined { advisor } if advisor == "Sam"));
    assert!(matches!(next(&mut v2).await, Out::Queue { position: 1 }), "the queue moves up");

    send(&mut v, serde_json::json!({"type": "say", "text": "visitor-canary-7a41"})).await;
    assert!(matches!(next(&mut sam).await, Out::Said { text, .. } if text == "visitor-canary-7a41"));
    send(&mut sam, serde_json::json!({"type": "say", "chat": chat, "text": "advisor-canary-33d0"})).await;
    assert!(matches!(next(&mut v).await, Out::Said { text, .. } if text == "advisor-canary-33d0"));
    send(&mut kit, serde_json::json!({"type": "say", "chat": chat, "text": "not mine"})).await;
    assert!(matches!(next(&mut kit).await, Out::Error { code, .. } if code == "not_yours"));

    send(&mut sam, serde_json::json!({"type": "end", "chat": chat})).await;
    assert!(matches!(next(&mut v).await, Out::Ended { .. }));
    // The ended chat is handed to its advisor to archive: the whole history, then the end.
    assert!(matches!(next(&mut sam).await, Out::Assigned { .. }));
    let Out::History { sealed, .. } = next(&mut sam).await else { panic!("no history to archive") };
    assert_eq!(sealed.len(), 3);
    assert!(matches!(next(&mut sam).await, Out::Ended { .. }));
    // The other line's advisor heard nothing of any of it.
    while let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(Duration::from_millis(300), lee.next()).await {
        assert!(
            matches!(serde_json::from_str::<Out>(&t).unwrap(), Out::Colleagues { names } if names.is_empty()),
            "the Men's Advice Line heard of a Phoneline chat: {t}"
        );
    }

    let data = s.config.data_dir.clone();
    for canary in ["waiting-canary-1c9e", "visitor-canary-7a41", "advisor-canary-33d0"] {
        assert_eq!(files_containing(&data, canary), Vec::<String>::new(), "{canary} reached the gateway's disk");
    }
    send(&mut sam, serde_json::json!({"type": "archived", "chat": chat})).await;
    let state = confide_webchat::state::State::open(&data).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while state.chats().await.unwrap().iter().any(|c| c.id == chat) {
        assert!(tokio::time::Instant::now() < deadline, "an archived chat is forgotten");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    gw.stop().await;
}

#[tokio::test]
async fn issue7_foreign_origins_bad_credentials_and_bad_frames_are_refused_without_harm() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    assert_eq!(status_of(visitor(&gw, Some("https://evil.example")).await.unwrap_err()), 403);
    assert_eq!(status_of(visitor(&gw, None).await.unwrap_err()), 403);
    assert_eq!(status_of(advisor(&gw, "guessed").await.unwrap_err()), 401);

    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "say", "text": "too early"})).await;
    assert!(matches!(next(&mut v).await, Out::Error { code, .. } if code == "out_of_turn"));
    v.send(Message::Text("{not json".into())).await.unwrap();
    assert!(matches!(next(&mut v).await, Out::Error { code, .. } if code == "malformed"));
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline", "ip": "1.2.3.4"})).await;
    assert!(matches!(next(&mut v).await, Out::Error { code, .. } if code == "malformed"));
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    assert!(matches!(next(&mut v).await, Out::Welcome { .. }));
    // Too fast: five a minute here.
    for i in 0..5 {
        send(&mut v, serde_json::json!({"type": "say", "text": format!("m{i}")})).await;
    }
    send(&mut v, serde_json::json!({"type": "say", "text": "one too many"})).await;
    assert!(matches!(next(&mut v).await, Out::Error { code, .. } if code == "slow_down"));
    // An oversized frame closes that connection; the gateway carries on.
    let _ = v.send(Message::Text("x".repeat(10_000).into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match v.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true));
    let mut again = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut again, serde_json::json!({"type": "start", "line": "mens_advice"})).await;
    assert!(matches!(next(&mut again).await, Out::Welcome { .. }));

    // Three chats at once from one source; the fourth is refused until one closes.
    let _b = visitor(&gw, Some(ORIGIN)).await.unwrap();
    let _c = visitor(&gw, Some(ORIGIN)).await.unwrap();
    assert_eq!(status_of(visitor(&gw, Some(ORIGIN)).await.unwrap_err()), 429);
    drop(again);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while visitor(&gw, Some(ORIGIN)).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "a closed chat frees its source's slot");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    gw.stop().await;
}

#[tokio::test]
async fn issue7_a_restart_loses_no_live_chat() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat, resume, .. } = next(&mut v).await else { panic!() };
    next(&mut sam).await;
    send(&mut sam, serde_json::json!({"type": "accept", "chat": chat})).await;
    next(&mut sam).await;
    next(&mut sam).await;
    next(&mut v).await;
    send(&mut v, serde_json::json!({"type": "say", "text": "before the restart"})).await;
    next(&mut sam).await;
    drop((sam, v));
    gw.stop().await;

    let mut config = s.config.clone();
    config.listen = "127.0.0.1:0".into();
    let gw = Gateway::start(config).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    assert!(matches!(next(&mut sam).await, Out::Assigned { chat: c, .. } if c == chat));
    let Out::History { sealed, .. } = next(&mut sam).await else { panic!("no history after the restart") };
    assert_eq!(open(&s.staff, &sealed[0])["text"], "before the restart");
    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "resume", "chat": chat, "resume": "a guess"})).await;
    assert!(
        matches!(next(&mut v).await, Out::Error { code, .. } if code == "no_such_chat"),
        "a chat is resumed only with its token"
    );
    send(&mut v, serde_json::json!({"type": "resume", "chat": chat, "resume": resume})).await;
    assert!(matches!(next(&mut v).await, Out::Welcome { .. }));
    assert!(matches!(next(&mut v).await, Out::Joined { advisor } if advisor == "Sam"));
    send(&mut v, serde_json::json!({"type": "say", "text": "after the restart"})).await;
    assert!(matches!(next(&mut sam).await, Out::Said { text, .. } if text == "after the restart"));
    gw.stop().await;
}

#[tokio::test]
async fn issue7_two_advisors_accepting_at_once_exactly_one_gets_the_chat() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    for _ in 0..5 {
        let mut sam = advisor(&gw, "sam-credential").await.unwrap();
        let mut kit = advisor(&gw, "kit-credential").await.unwrap();
        let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
        send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
        let Out::Welcome { chat, .. } = next(&mut v).await else { panic!() };
        next_for(&mut sam, &chat).await;
        next_for(&mut kit, &chat).await;
        let accept = serde_json::json!({"type": "accept", "chat": chat});
        tokio::join!(send(&mut sam, accept.clone()), send(&mut kit, accept));
        let (a, b) = (next_for(&mut sam, &chat).await, next_for(&mut kit, &chat).await);
        let won = [&a, &b].iter().filter(|o| matches!(o, Out::Assigned { .. })).count();
        let lost = [&a, &b].iter().filter(|o| matches!(o, Out::Taken { .. })).count();
        assert_eq!((won, lost), (1, 1), "{a:?} {b:?}");
        send(&mut v, serde_json::json!({"type": "end"})).await;
    }
    gw.stop().await;
}

#[tokio::test]
async fn issue7_a_visitor_who_leaves_the_queue_is_archived_once_or_forgotten_if_silent() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    let mut kit = advisor(&gw, "kit-credential").await.unwrap();
    let mut silent = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut silent, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat: quiet, .. } = next(&mut silent).await else { panic!() };
    let mut writer = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut writer, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat: wrote, .. } = next(&mut writer).await else { panic!() };
    send(&mut writer, serde_json::json!({"type": "say", "text": "I cannot wait, sorry"})).await;
    send(&mut silent, serde_json::json!({"type": "end"})).await;
    send(&mut writer, serde_json::json!({"type": "end"})).await;
    // Both ends are handled once the silent chat is forgotten.
    let state = confide_webchat::state::State::open(&s.config.data_dir).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while state.chats().await.unwrap().iter().any(|c| c.id == quiet) {
        assert!(tokio::time::Instant::now() < deadline, "the silent chat was never forgotten");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Exactly one advisor is handed the chat that has words in it; none gets the silent one.
    let mut handed = 0;
    for ws in [&mut sam, &mut kit] {
        // Each advisor's frames until a second passes with none.
        while let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(Duration::from_secs(1), ws.next()).await {
            if let Out::History { chat, sealed } = serde_json::from_str::<Out>(&t).unwrap() {
                assert_eq!((chat.as_str(), sealed.len()), (wrote.as_str(), 1));
                handed += 1;
            }
        }
    }
    assert_eq!(handed, 1, "one transcript, archived once");
    let kept: Vec<String> = state.chats().await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(kept, [wrote], "the silent chat is forgotten at once ({quiet})");
    gw.stop().await;
}

#[tokio::test]
async fn issue7_a_waiting_visitor_who_does_not_come_back_leaves_the_queue() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat, .. } = next(&mut v).await else { panic!() };
    assert!(matches!(next(&mut sam).await, Out::Waiting { .. }));
    drop(v);
    // Gone for longer than the grace period (1 s here): the advisors' queue loses them.
    assert!(
        matches!(next_for(&mut sam, &chat).await, Out::Taken { .. }),
        "the queue still offers a visitor who has gone"
    );
    let state = confide_webchat::state::State::open(&s.config.data_dir).await.unwrap();
    assert!(state.chats().await.unwrap().is_empty(), "a silent visitor's chat is forgotten");
    gw.stop().await;
}

#[tokio::test]
async fn issue7_an_advisor_transfers_a_chat_to_a_colleague_on_the_line() {
    let s = setup();
    let gw = Gateway::start(s.config.clone()).await.unwrap();
    let mut sam = advisor(&gw, "sam-credential").await.unwrap();
    let mut kit = advisor(&gw, "kit-credential").await.unwrap();
    let mut lee = advisor(&gw, "lee-credential").await.unwrap();
    // Who is there to transfer to: colleagues sharing a line (Lee works on the other line).
    let mut seen = None;
    while let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(Duration::from_millis(300), sam.next()).await {
        if let Out::Colleagues { names } = serde_json::from_str::<Out>(&t).unwrap() {
            seen = Some(names);
        }
    }
    assert_eq!(seen, Some(vec!["Kit".to_owned()]));
    let mut v = visitor(&gw, Some(ORIGIN)).await.unwrap();
    send(&mut v, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let Out::Welcome { chat, .. } = next(&mut v).await else { panic!() };
    send(&mut v, serde_json::json!({"type": "say", "text": "first words"})).await;
    next_for(&mut sam, &chat).await;
    next_for(&mut kit, &chat).await;
    send(&mut sam, serde_json::json!({"type": "accept", "chat": chat})).await;
    assert!(matches!(next_for(&mut sam, &chat).await, Out::Assigned { .. }));
    assert!(matches!(next_for(&mut sam, &chat).await, Out::History { .. }));
    assert!(matches!(next_for(&mut kit, &chat).await, Out::Taken { .. }));
    assert!(matches!(next(&mut v).await, Out::Joined { advisor } if advisor == "Sam"));

    send(&mut sam, serde_json::json!({"type": "transfer", "chat": chat, "to": "Lee"})).await;
    assert!(
        matches!(next_for(&mut sam, &chat).await, Out::Error { code, .. } if code == "no_colleague"),
        "not to the other line"
    );
    send(&mut sam, serde_json::json!({"type": "transfer", "chat": chat, "to": "Kit"})).await;
    assert!(matches!(next_for(&mut sam, &chat).await, Out::Taken { by, .. } if by == "Kit"));
    assert!(matches!(next_for(&mut kit, &chat).await, Out::Assigned { .. }));
    let Out::History { sealed, .. } = next_for(&mut kit, &chat).await else { panic!("no history for the colleague") };
    assert_eq!(open(&s.staff, &sealed[0])["text"], "first words");
    assert!(matches!(next(&mut v).await, Out::Joined { advisor } if advisor == "Kit"));
    send(&mut sam, serde_json::json!({"type": "say", "chat": chat, "text": "still me?"})).await;
    assert!(matches!(next_for(&mut sam, &chat).await, Out::Error { code, .. } if code == "not_yours"));
    send(&mut kit, serde_json::json!({"type": "say", "chat": chat, "text": "Kit here"})).await;
    assert!(matches!(next(&mut v).await, Out::Said { text, .. } if text == "Kit here"));
    while let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(Duration::from_millis(200), lee.next()).await {
        assert!(t.contains("colleagues") && !t.contains(&chat), "the other line heard of the chat: {t}");
    }
    gw.stop().await;
}
