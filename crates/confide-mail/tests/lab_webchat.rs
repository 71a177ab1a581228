//! Issue 7, the desktop's side: a visitor chats through the real gateway with a Phoneline
//! advisor's desktop core, which keeps the chat in its inbox and, when it ends, archives the
//! transcript to `Confide/Webchat` as a record the line's staff (and the managers) can open and
//! the other line's advisor cannot; then the gateway forgets the chat. Neither the gateway's
//! files nor the server's folder hold the chat's words in the clear.

mod common;
#[path = "common/webchat.rs"]
mod steps;

use confide_mail::records::ImapRecords;
use std::time::Duration;

use common::desktop_at;
use confide_core::policy::RoleKind;
use confide_core::webchat::Said;
use confide_mail::lab::Lab;
use confide_webchat::client::AdvisorClient;
use confide_webchat::protocol::{AdvisorIn, Out};
use futures_util::SinkExt;
use steps::*;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only() {
    let Some(lab) = Lab::get("issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only")
    else {
        return;
    };
    archived_on(lab.exchange_like()).await;
    archived_on(lab).await;
}

async fn archived_on(lab: Lab) {
    let shared = lab.fresh_user("chat");
    let tmp = tempfile::tempdir().unwrap();
    let [ann, bob, cy] = team_of(
        &lab,
        &shared,
        tmp.path(),
        [
            ("Ann", RoleKind::Manager, "phoneline"),
            ("Bob", RoleKind::Advisor, "phoneline"),
            ("Cy", RoleKind::Advisor, "mens_advice"),
        ],
    )
    .await;
    let data = tmp.path().join("gateway");
    let gw = gateway_for(&ann, &data, &["Bob"]).await;
    let (client, mut events) =
        AdvisorClient::connect(&format!("ws://{}", gw.addr), "bob-credential", None).await.unwrap();

    let mut visitor = visitor_on(&gw).await;
    let say = frame;
    visitor.send(say(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor
        .send(say(serde_json::json!({"type": "say", "text": "chat-canary-4f1d: it is me who is scared"})))
        .await
        .unwrap();

    let Out::Waiting { chat, .. } = next(&mut events).await else { panic!("no waiting chat") };
    client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut events).await else { panic!("not assigned") };
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history") };
    let conversation = confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    // Replayed history (a reconnect) adds nothing twice.
    confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();

    visitor.send(say(serde_json::json!({"type": "say", "text": "are you there?"}))).await.unwrap();
    let Out::Said { text, at, .. } = next(&mut events).await else { panic!("no message") };
    confide_core::webchat::add(&bob.store, &chat, &Said { from: "visitor".into(), text, at }).await.unwrap();
    let reply = "chat-canary-a62c: I am here, and this is confidential";
    client.send(AdvisorIn::Say { chat: chat.clone(), text: reply.into() }).unwrap();
    confide_core::webchat::add(&bob.store, &chat, &Said { from: "advisor".into(), text: reply.into(), at: at + 1 })
        .await
        .unwrap();
    visitor.send(say(serde_json::json!({"type": "end"}))).await.unwrap();
    // Handed back to archive: the whole history (nothing new here), then the end.
    assert!(matches!(next(&mut events).await, Out::Assigned { .. }));
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history to archive") };
    confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    assert!(matches!(next(&mut events).await, Out::Ended { .. }));

    // In Bob's inbox like an email: one conversation on his line, three messages, searchable.
    let page = confide_core::inbox::page(&bob, &Default::default()).await.unwrap();
    assert_eq!(
        (page.total, page.conversations[0].id, page.conversations[0].message_count),
        (Some(1), conversation, 3),
        "{page:?}"
    );

    let header = confide_core::webchat::archive(&bob, &ImapRecords::of(&bob.store), &chat).await.unwrap();
    client.send(AdvisorIn::Archived { chat: chat.clone() }).unwrap();
    for (who, session, opens) in
        [("Ann (manager)", &ann, true), ("Bob (Phoneline)", &bob, true), ("Cy (Men's Advice Line)", &cy, false)]
    {
        let listed =
            confide_core::record_store::list(session, &ImapRecords::of(&session.store), "webchat").await.unwrap();
        assert_eq!(listed.len(), 1, "{who}");
        match (&listed[0].record, opens) {
            (Ok(r), true) => {
                let t: confide_core::webchat::Transcript = serde_json::from_slice(&r.body).unwrap();
                assert_eq!(
                    (r.header.id.as_str(), t.messages.len(), t.line.as_str()),
                    (header.id.as_str(), 3, "phoneline"),
                    "{who}"
                );
                assert!(t.messages[0].text.starts_with("chat-canary-4f1d"));
            }
            (Err(confide_core::CoreError::Vault(confide_vault::VaultError::NotForYou)), false) => {}
            (other, _) => panic!("{who}: {other:?}"),
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = confide_webchat::state::State::open(&data).await.unwrap();
    assert!(state.chats().await.unwrap().is_empty(), "the gateway forgot the archived chat");
    for canary in ["chat-canary-4f1d", "chat-canary-a62c"] {
        assert!(!contains(&data, canary), "{canary} in the gateway's files");
        assert_eq!(lab.count_body(&shared, "Confide/Webchat", canary), 0, "{canary} readable on the server");
    }
    gw.stop().await;
}

/// A transfer: Bob hands the chat to Dan; Dan's desktop gets what was said, Bob's stops being
/// able to answer or archive it, and at the end there is one transcript, archived by Dan.
#[tokio::test]
async fn issue7_a_chat_transferred_to_a_colleague_is_archived_once_by_them() {
    let Some(lab) = Lab::get("issue7_a_chat_transferred_to_a_colleague_is_archived_once_by_them") else { return };
    transferred_on(lab.exchange_like()).await;
    transferred_on(lab).await;
}

async fn transferred_on(lab: Lab) {
    let shared = lab.fresh_user("xfer");
    let tmp = tempfile::tempdir().unwrap();
    let [ann, bob, dan] = team_of(
        &lab,
        &shared,
        tmp.path(),
        [
            ("Ann", RoleKind::Manager, "phoneline"),
            ("Bob", RoleKind::Advisor, "phoneline"),
            ("Dan", RoleKind::Advisor, "phoneline"),
        ],
    )
    .await;
    let gw = gateway_for(&ann, &tmp.path().join("gateway"), &["Bob", "Dan"]).await;
    let base = format!("ws://{}", gw.addr);
    let (bob_client, mut bob_events) = AdvisorClient::connect(&base, "bob-credential", None).await.unwrap();
    let (_dan_client, mut dan_events) = AdvisorClient::connect(&base, "dan-credential", None).await.unwrap();
    let mut visitor = visitor_on(&gw).await;
    visitor.send(frame(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor.send(frame(serde_json::json!({"type": "say", "text": "hello"}))).await.unwrap();
    let Out::Waiting { chat, .. } = next(&mut bob_events).await else { panic!() };
    bob_client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut bob_events).await else { panic!() };
    let Out::History { sealed, .. } = next(&mut bob_events).await else { panic!() };
    confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();

    bob_client.send(AdvisorIn::Transfer { chat: chat.clone(), to: "Dan".into() }).unwrap();
    assert!(matches!(next(&mut bob_events).await, Out::Taken { by, .. } if by == "Dan"));
    confide_core::webchat::handed_over(&bob.store, &chat).await.unwrap();
    // Dan saw the chat wait and be taken; now it is handed to him, with what was said.
    let sealed = loop {
        if let Out::History { sealed, .. } = next(&mut dan_events).await {
            break sealed;
        }
    };
    confide_core::webchat::take_history(&dan, &chat, &line, &sealed).await.unwrap();
    let conversation = confide_core::webchat::conversation_of(&bob.store, &chat).await.unwrap().unwrap();
    assert!(confide_core::webchat::chat_of(&bob, conversation).await.unwrap().1, "Bob can no longer answer it");

    visitor.send(frame(serde_json::json!({"type": "end"}))).await.unwrap();
    loop {
        if let Out::Ended { .. } = next(&mut dan_events).await {
            break;
        }
    }
    confide_core::webchat::archive(&dan, &ImapRecords::of(&dan.store), &chat).await.unwrap();
    assert!(
        confide_core::webchat::unarchived(&bob.store).await.unwrap().is_empty(),
        "Bob's desktop would archive a second copy"
    );
    assert_eq!(
        confide_core::record_store::list(&ann, &ImapRecords::of(&ann.store), "webchat").await.unwrap().len(),
        1,
        "one transcript"
    );
    gw.stop().await;
}

/// A chat's risk flag is kept with the chat (claims and holds, which are for the shared mailbox,
/// are refused with a reason) and goes into its transcript; the day before six months are up
/// (respect-mal-current) the chat is still on the advisor's desktop, and the day after it is
/// gone from there and its transcript from `Confide/Webchat`, with the flag counted in the
/// statistics.
#[tokio::test]
async fn issue7_a_flagged_chat_expires_from_the_desktop_and_the_record_folder_at_six_months() {
    let Some(lab) = Lab::get("issue7_a_flagged_chat_expires_from_the_desktop_and_the_record_folder_at_six_months")
    else {
        return;
    };
    flagged_expires_on(lab.exchange_like()).await;
    flagged_expires_on(lab).await;
}

async fn flagged_expires_on(lab: Lab) {
    let shared = lab.fresh_user("chatexp");
    let tmp = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(confide_core::FixedClock::new(time::OffsetDateTime::now_utc()));
    let [ann, bob] = team_at(
        &lab,
        &shared,
        tmp.path(),
        [("Ann", RoleKind::Manager, "phoneline"), ("Bob", RoleKind::Advisor, "phoneline")],
        clock.clone(),
    )
    .await;
    let gw = gateway_for(&ann, &tmp.path().join("gateway"), &["Bob"]).await;
    let (client, mut events) =
        AdvisorClient::connect(&format!("ws://{}", gw.addr), "bob-credential", None).await.unwrap();
    let mut visitor = visitor_on(&gw).await;
    visitor.send(frame(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor
        .send(frame(serde_json::json!({"type": "say", "text": "chat-canary-77e0: he took the children's passports"})))
        .await
        .unwrap();
    let Out::Waiting { chat, .. } = next(&mut events).await else { panic!("no waiting chat") };
    client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut events).await else { panic!("not assigned") };
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history") };
    let conversation = confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    settle(&bob, &chat, &mut events, 1).await;

    let flag = confide_mail::triage::Mark::Risk { category: "child_or_vulnerable_adult".into(), raised: true };
    confide_mail::triage::mark(&bob, conversation, &flag).await.unwrap();
    let claim = confide_mail::triage::mark(&bob, conversation, &confide_mail::triage::Mark::Claim).await.unwrap_err();
    assert!(claim.to_string().contains("a chat stays with the advisor who took it"), "{claim}");
    let page = confide_core::inbox::page(&bob, &Default::default()).await.unwrap();
    assert_eq!(page.conversations[0].risk_flags, vec!["child_or_vulnerable_adult".to_owned()]);
    // Issue 24: a note for the team on the chat, never sent to the visitor; it goes with the
    // transcript, sealed like it.
    let note = "chatnote-canary-5b0e: passports, so ask about travel plans next time";
    confide_core::notes::add(&bob, &ImapRecords::of(&bob.store), conversation, note).await.unwrap();
    let shown = confide_core::notes::of_conversation(&bob.store, conversation).await.unwrap();
    assert_eq!(shown.iter().map(|n| (n.mine, n.text.as_str())).collect::<Vec<_>>(), [(true, note)]);

    visitor.send(frame(serde_json::json!({"type": "end"}))).await.unwrap();
    loop {
        if let Out::Ended { .. } = next(&mut events).await {
            break;
        }
    }
    confide_core::webchat::archive(&bob, &ImapRecords::of(&bob.store), &chat).await.unwrap();
    client.send(AdvisorIn::Archived { chat: chat.clone() }).unwrap();
    let listed = confide_core::record_store::list(&ann, &ImapRecords::of(&ann.store), "webchat").await.unwrap();
    let t: confide_core::webchat::Transcript =
        serde_json::from_slice(&listed[0].record.as_ref().unwrap().body).unwrap();
    assert_eq!(t.flags, vec!["child_or_vulnerable_adult".to_owned()], "the flag travels with the transcript");
    assert_eq!(t.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), [note], "the note travels with it");
    assert!(t.messages.iter().all(|m| !m.text.contains("chatnote-canary")), "the note is not part of the chat");
    assert_eq!(lab.count_anywhere(&shared, "chatnote-canary-5b0e"), 0, "the note is readable on the server");

    // Six calendar months from the chat's start (181 to 184 days, by the month it starts in).
    let expires = confide_core::policy::Period::Months(6).expiry(confide_core::Clock::now(clock.as_ref())).unwrap();
    clock.set(expires - time::Duration::days(1));
    let early = confide_mail::expire::run(&bob.store, false).await.unwrap();
    assert_eq!((early.chats_removed, early.records_removed), (0, 0), "{early:?}");
    assert_eq!(
        confide_core::inbox::page(&bob, &Default::default()).await.unwrap().total,
        Some(1),
        "kept the day before"
    );

    clock.set(expires + time::Duration::days(1));
    let dry = confide_mail::expire::run(&bob.store, true).await.unwrap();
    assert_eq!((dry.chats_removed, dry.records_removed), (1, 1), "{dry:?}");
    let report = confide_mail::expire::run(&bob.store, false).await.unwrap();
    assert_eq!((report.chats_removed, report.records_removed, report.problems.len()), (1, 1, 0), "{report:?}");
    assert_eq!(
        confide_core::inbox::page(&bob, &Default::default()).await.unwrap().total,
        Some(0),
        "gone from the desktop at day 183"
    );
    assert!(confide_core::webchat::conversation_of(&bob.store, &chat).await.unwrap().is_none());
    assert_eq!(lab.message_count(&shared, "Confide/Webchat"), 0, "gone from the record folder");
    let stats = confide_core::retention::stats::all(&bob.store).await.unwrap();
    assert!(
        stats.iter().any(|r| r.channel == "webchat" && r.category == "child_or_vulnerable_adult" && r.count == 1),
        "the chat counted with its flag: {stats:?}"
    );
    let again = confide_mail::expire::run(&bob.store, false).await.unwrap();
    assert_eq!((again.chats_removed, again.records_removed), (0, 0), "a second run finds nothing");
    bob.store.close().await;
    assert!(!tree_contains(&tmp.path().join("Bob"), "chat-canary-77e0"), "the chat's words in Bob's files");
    gw.stop().await;
}

/// An advisor's desktop reaches a gateway that serves TLS itself over `wss://`, trusting the
/// helpline's own CA (the one set for its shared mailbox); without that CA the certificate is
/// refused; and a plain `ws://` address on another computer is refused before anything is sent.
#[tokio::test]
async fn issue7_the_desktop_reaches_the_gateway_over_wss_with_the_helplines_ca() {
    let Some(lab) = Lab::get("issue7_the_desktop_reaches_the_gateway_over_wss_with_the_helplines_ca") else { return };
    let shared = lab.fresh_user("wss");
    let tmp = tempfile::tempdir().unwrap();
    let [ann, bob] = team_of(
        &lab,
        &shared,
        tmp.path(),
        [("Ann", RoleKind::Manager, "phoneline"), ("Bob", RoleKind::Advisor, "phoneline")],
    )
    .await;
    let tls = lab.dir.join("tls");
    let extra = format!(
        "tls_cert = \"{}\"\ntls_key = \"{}\"\n",
        tls.join("server.pem").display(),
        tls.join("server.key").display()
    );
    let gw = gateway_with(&ann, &tmp.path().join("gateway"), &["Bob"], &extra).await;

    let refused = confide_webchat::client::check_address("ws://10.20.30.40:8787").unwrap_err();
    assert!(refused.to_string().contains("must start with wss://"), "{refused}");
    let url = format!("wss://127.0.0.1:{}", gw.addr.port());
    confide_core::webchat::set_gateway(&bob.store, &url, "bob-credential-0123456789abcdef0123456789").await.unwrap();
    let access = confide_core::webchat::gateway(&bob.store).await.unwrap().unwrap();
    assert!(access.ca_file.is_some(), "the shared mailbox's CA is the gateway's too");
    match AdvisorClient::connect(&url, "bob-credential", None).await {
        Err(confide_webchat::client::ClientError::Connect { .. }) => {}
        Err(other) => panic!("the lab's certificate refused for another reason: {other}"),
        Ok(_) => panic!("a certificate from an unknown CA was trusted"),
    }
    let (client, mut events) = AdvisorClient::connect(&url, "bob-credential", access.ca_file.as_deref()).await.unwrap();

    let mut req = format!("{url}/ws/visitor").into_client_request().unwrap();
    req.headers_mut().insert("Origin", "https://helpline.example".parse().unwrap());
    let connector =
        tokio_tungstenite::Connector::Rustls(confide_webchat::tls::client_config(access.ca_file.as_deref()).unwrap());
    let (mut visitor, _) =
        tokio_tungstenite::connect_async_tls_with_config(req, None, false, Some(connector)).await.unwrap();
    visitor.send(frame(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor.send(frame(serde_json::json!({"type": "say", "text": "over tls"}))).await.unwrap();
    let Out::Waiting { chat, .. } = next(&mut events).await else { panic!("no waiting chat") };
    client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut events).await else { panic!("not assigned") };
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history") };
    confide_core::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    settle(&bob, &chat, &mut events, 1).await;
    let transcript = confide_core::webchat::transcript(&bob, &chat).await.unwrap();
    assert_eq!(transcript.messages[0].text, "over tls");
    gw.stop().await;
}
