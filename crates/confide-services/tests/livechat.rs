//! Issue 27: the live chat's ordering rule, tested without a window or a gateway. A chat that
//! ends is archived to the record store before the gateway is told it may forget it; when the
//! archive cannot be made, the gateway is told nothing and the chat waits to be archived again.

use std::sync::Mutex;

use confide_core::policy::RoleKind;
use confide_core::record_store::{self, memory::MemoryRecords};
use confide_core::testing::desktop;
use confide_core::webchat::{self, Said, Transcript};
use confide_core::{team, CoreError};
use confide_services::livechat::{archive_then_release, Gateway};
use confide_webchat::protocol::AdvisorIn;

/// A gateway that keeps each frame with how many writes the record store had taken when it came.
struct Recorder<'a> {
    server: &'a MemoryRecords,
    frames: Mutex<Vec<(AdvisorIn, usize)>>,
}

impl Gateway for Recorder<'_> {
    async fn send(&self, frame: AdvisorIn) -> Result<(), CoreError> {
        self.frames.lock().unwrap().push((frame, self.server.writes()));
        Ok(())
    }
}

#[tokio::test]
async fn issue27_a_chat_is_archived_before_the_gateway_may_forget_it() {
    let tmp = tempfile::tempdir().unwrap();
    let server = MemoryRecords::new();
    let gateway = Recorder { server: &server, frames: Mutex::default() };
    let ann = desktop(tmp.path(), "Ann", RoleKind::Manager, &[]).await;
    let bob = desktop(tmp.path(), "Bob", RoleKind::Advisor, &["phoneline"]).await;
    let at = bob.store.now_ts();
    webchat::open(&bob.store, "chat-1", "phoneline", at).await.unwrap();
    let said = Said { from: "visitor".into(), text: "canary-chat-5d1".into(), at: at * 1000 };
    webchat::add(&bob.store, "chat-1", &said).await.unwrap();

    // No team directory yet, so nobody may read a transcript: the archive is refused, and the
    // gateway is told nothing, so it keeps the chat.
    let refused = archive_then_release(&bob, &server, &gateway, "chat-1").await;
    assert!(refused.is_err(), "a transcript nobody may read was archived");
    assert!(gateway.frames.lock().unwrap().is_empty(), "the gateway was released without an archive");
    assert_eq!(webchat::unarchived(&bob.store).await.unwrap(), vec!["chat-1".to_owned()]);

    team::found(&ann, &server).await.unwrap();
    team::add(&ann, &server, team::card(&bob).unwrap()).await.unwrap();
    team::follow(&bob.store, &server).await.unwrap();
    let before = server.writes();
    archive_then_release(&bob, &server, &gateway, "chat-1").await.unwrap();
    let frames = gateway.frames.lock().unwrap().clone();
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].0, AdvisorIn::Archived { chat: "chat-1".into() });
    assert_eq!(frames[0].1, before + 1, "the gateway was told before the transcript was kept");
    assert!(webchat::unarchived(&bob.store).await.unwrap().is_empty());

    let kept = record_store::list(&bob, &server, "webchat").await.unwrap();
    let transcript: Transcript = serde_json::from_slice(&kept[0].record.as_ref().unwrap().body).unwrap();
    assert_eq!(transcript.messages[0].text, "canary-chat-5d1");
}
