//! The command surface as the UI sees it: request types, and the generated TypeScript module
//! (`ui/src/bindings/commands.ts`) that calls each command with its real types.

use confide_core::policy::RoleKind;
use serde::Deserialize;
use ts_rs::TS;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct SaveProfileRequest {
    pub preset_id: String,
    pub display_name: String,
    pub role: RoleKind,
    /// The service lines the person works on (ignored for a manager, who works on all).
    pub lines: Vec<String>,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct AcceptAgreementRequest {
    pub version: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ConversationRequest {
    #[ts(type = "number")]
    pub id: i64,
    /// Shown again while already open (a chat's new words, a reply sent): not a new opening
    /// for the audit log.
    #[serde(default)]
    pub again: bool,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ReplyRequest {
    #[ts(type = "number")]
    pub conversation_id: i64,
    pub body: String,
    /// The newest message the advisor had in front of them: a reply newer than it (a
    /// colleague's) stops the send with `replied_since_opened`, unless `send_anyway`.
    #[ts(type = "number")]
    pub seen_message_id: i64,
    pub send_anyway: bool,
    /// The line's leaflets and chosen files it attaches.
    #[serde(default)]
    pub attachments: Vec<crate::library::AttachmentChoice>,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct NoteRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub text: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct PseudonymRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub pseudonym: String,
}

/// A conversation or outbox item, by id.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct RetryRequest {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct MarkRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub mark: confide_mail::triage::Mark,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentRequest {
    #[ts(type = "number")]
    pub message_id: i64,
    /// Its place among the message's attachments, as listed.
    #[ts(type = "number")]
    pub index: usize,
}

/// The file name it was saved as, or `null` when the person cancelled the dialog.
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct SaveOutcome {
    pub saved_as: Option<String>,
}

/// An advisor's own mailbox, which the sent-folder guard keeps clear of helpline mail. Only
/// IMAP is used; the password goes to the keyring.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct PersonalAccountRequest {
    pub address: String,
    /// Defaults to the address.
    pub username: Option<String>,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: confide_core::accounts::Security,
    /// Empty keeps the password already kept; unused with `with_provider`.
    pub password: String,
    /// Sign in with the shared mailbox's provider, in the person's browser, instead.
    pub with_provider: bool,
    /// The Sent and Deleted Items folders' names, where they are not in English.
    #[serde(default)]
    pub folder_names: confide_core::accounts::FolderNames,
}

/// The personal mailbox as set up (no password), if there is one.
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct PersonalAccountInfo {
    pub account: Option<confide_core::accounts::Account>,
    /// The provider the shared mailbox signs in with (its host), which a personal mailbox can
    /// sign in with too; null when it takes a password.
    pub provider: Option<String>,
}

/// Names by key (an encryption key's fingerprint or a signing key), from the team directory.
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct TeamNames {
    pub names: std::collections::BTreeMap<String, String>,
}

/// A manager's change to the team directory.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TeamChangeRequest {
    Found,
    /// A colleague's card, as copied from their Team screen.
    Add {
        card: String,
    },
    Remove {
        signing_key: String,
    },
    /// An advisor's replies wait for review (in training), or no longer do.
    Reviewed {
        signing_key: String,
        reviewed: bool,
    },
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub what: confide_core::retention::records::Export,
}

/// A waiting chat to accept.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct AcceptChatRequest {
    pub chat: String,
}

/// A message in a chat (the conversation the chat is), or (text null) ending it.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ChatSayRequest {
    #[ts(type = "number")]
    pub conversation_id: i64,
    pub text: Option<String>,
}

/// A chat handed to a colleague (`to`, the name they chat under), or (to null) "I am typing".
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ChatPassRequest {
    #[ts(type = "number")]
    pub conversation_id: i64,
    pub to: Option<String>,
}

/// This desktop's webchat gateway and the credential a manager issued.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct WebchatConnectRequest {
    pub url: String,
    pub credential: String,
}

/// A hold with its reason, or (reason null) lifting it.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct HoldRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub reason: Option<String>,
}

/// When retention last ran on this desktop (any run: the app's schedule or the timer's).
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct RetentionStatus {
    pub last_run: Option<confide_core::retention_record::RecordEntry>,
}

/// Where a reply stands after an attempt: `item` is `null` once it has been sent and filed.
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct SendOutcome {
    pub item: Option<confide_core::outbox::OutboxItem>,
    /// The writer's replies are reviewed: it waits for a team leader or manager, unsent.
    pub for_review: bool,
}

/// One line per command: its module and name, its request type (or `()`), its result type.
/// The window's command handler and the UI's TypeScript bindings are both made from it, so
/// neither can leave a command out.
macro_rules! command_table {
    ($( $module:ident :: $name:ident ( $req:ty ) -> $ret:ty ; )*) => {
        /// Every command the window may call, and nothing else.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::$module::$name),*]
        }


        /// The TypeScript module the UI imports to call commands.
        pub fn typescript_bindings() -> String {
            let mut types = std::collections::BTreeSet::new();
            let mut body = String::new();
            $(
                let req = <$req as TS>::name(&Default::default());
                let ret = <$ret as TS>::name(&Default::default());
                types.extend(imported_names(&ret));
                let js_name = camel(stringify!($name));
                if req == "null" {
                    body.push_str(&format!(
                        "export const {js_name} = (): Promise<{ret}> => invoke<{ret}>(\"{}\");\n", stringify!($name)));
                } else {
                    types.extend(imported_names(&req));
                    body.push_str(&format!(
                        "export const {js_name} = (request: {req}): Promise<{ret}> =>\n  invoke<{ret}>(\"{}\", {{ request }});\n",
                        stringify!($name)));
                }
            )*
            types.insert("ApiError".to_owned());
            let mut out = String::from("// Generated by `cargo test -p confide-app` from src-tauri/src/api.rs. Do not edit.\n");
            out.push_str("import { invoke } from \"@tauri-apps/api/core\";\n");
            for t in &types {
                out.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
            }
            out.push_str("\n/** Every command rejects with an ApiError ({ code, message }). */\nexport type CommandError = ApiError;\n\n");
            out.push_str(&body);
            out
        }
    };
}

command_table! {
    commands::setup_state(()) -> confide_core::staff::SetupState;
    commands::save_profile(SaveProfileRequest) -> confide_core::staff::SetupState;
    commands::accept_agreement(AcceptAgreementRequest) -> confide_core::staff::SetupState;
    commands::inbox_page(confide_core::inbox::InboxFilter) -> confide_core::inbox::InboxPage;
    commands::inbox_shown(()) -> ();
    commands::sync_now(()) -> confide_mail::sync::SyncReport;
    commands::conversation_view(ConversationRequest) -> confide_mail::reading::ConversationView;
    commands::send_reply(ReplyRequest) -> SendOutcome;
    commands::retry_reply(RetryRequest) -> SendOutcome;
    commands::mark_conversation(MarkRequest) -> confide_mail::reading::ConversationView;
    commands::add_note(NoteRequest) -> confide_mail::reading::ConversationView;
    review::review_reply(crate::review::ReviewRequest) -> confide_mail::reading::ConversationView;
    review::block_sender(crate::review::BlockRequest) -> Vec<confide_core::blocks::Block>;
    review::unblock_sender(crate::review::UnblockRequest) -> Vec<confide_core::blocks::Block>;
    review::sender_blocks(()) -> Vec<confide_core::blocks::Block>;
    library::leaflets(()) -> Vec<confide_core::leaflets::Leaflet>;
    library::leaflet_add(crate::library::LeafletAddRequest) -> Vec<confide_core::leaflets::Leaflet>;
    library::leaflet_remove(crate::library::LeafletRemoveRequest) -> Vec<confide_core::leaflets::Leaflet>;
    library::reply_pick_file(()) -> Option<crate::library::PickedFile>;
    library::reply_size_limit(ConversationRequest) -> crate::library::SizeLimit;
    canned::canned_offered(ConversationRequest) -> Vec<confide_mail::canned::OfferedReply>;
    canned::reply_signature(ConversationRequest) -> Option<String>;
    canned::canned_library(()) -> confide_core::canned::Library;
    canned::save_canned_reply(crate::canned::CannedSaveRequest) -> confide_core::canned::Library;
    canned::remove_canned_reply(crate::canned::CannedRemoveRequest) -> confide_core::canned::Library;
    canned::set_line_details(crate::canned::LineDetailsRequest) -> confide_core::canned::Library;
    commands::decline_third_party(RetryRequest) -> confide_mail::reading::ConversationView;
    commands::set_pseudonym(PseudonymRequest) -> confide_mail::reading::ConversationView;
    commands::save_attachment(AttachmentRequest) -> SaveOutcome;
    commands::guard_now(()) -> confide_mail::guard::GuardReport;
    commands::personal_account(()) -> PersonalAccountInfo;
    commands::save_personal_account(PersonalAccountRequest) -> PersonalAccountInfo;
    signin::sign_in_again(()) -> crate::signin::SignedIn;
    signin::connection_offered(()) -> Option<confide_core::connection::Offered>;
    signin::connect_shared_mailbox(crate::signin::ConnectRequest) -> confide_core::accounts::Account;
    signin::stop_sign_in(()) -> ();
    commands::retention_status(()) -> RetentionStatus;
    retention::retention_run_now(()) -> confide_mail::expire::RetentionReport;
    commands::records_view(()) -> confide_core::retention::records::RecordsView;
    commands::audit_view(()) -> confide_core::audit::AuditView;
    commands::audit_team(()) -> confide_core::audit::TeamAuditCheck;
    commands::team_view(()) -> confide_core::team::TeamView;
    commands::team_change(TeamChangeRequest) -> confide_core::team::TeamView;
    commands::team_names(()) -> TeamNames;
    commands::export_records(ExportRequest) -> SaveOutcome;
    letters::letters_state(()) -> crate::letters::LettersState;
    letters::letters_pick(()) -> Vec<crate::letters::OfferedFile>;
    letters::letters_choose_scanner(()) -> crate::letters::LettersState;
    letters::letters_import(crate::letters::LetterImportRequest) -> confide_core::letters::Imported;
    letters::letter_page(crate::letters::LetterPageRequest) -> String;
    letters::letter_respond(crate::letters::LetterRespondRequest) -> crate::letters::LettersState;
    letters::letter_original_destroyed(crate::letters::LetterDestroyedRequest) -> crate::letters::LettersState;
    quality::qa_sample(confide_core::qa::SampleRequest) -> confide_core::qa::Sample;
    quality::qa_review_view(crate::quality::QaKeyRequest) -> confide_core::qa::ReviewView;
    quality::qa_save_review(confide_core::qa::Review) -> crate::quality::QaOverview;
    quality::qa_overview(()) -> crate::quality::QaOverview;
    quality::qa_export(()) -> SaveOutcome;
    disclosures::disclosure_record(confide_core::disclosure::DisclosureInput) -> String;
    disclosures::disclosures_view(()) -> confide_core::disclosure::DisclosuresView;
    disclosures::disclosure_review(crate::disclosures::DisclosureReviewRequest) -> confide_core::disclosure::DisclosuresView;
    disclosures::case_records_view(()) -> crate::disclosures::CaseRecordsView;
    disclosures::case_record_create(confide_core::case_records::CaseInput) -> crate::disclosures::CaseRecordsView;
    people::contact_record(confide_core::consent::ContactInput) -> crate::people::ContactsView;
    people::contacts_view(()) -> crate::people::ContactsView;
    people::contact_done(crate::people::ContactDoneRequest) -> crate::people::ContactsView;
    people::subject_search(crate::people::SubjectRequest) -> confide_core::subject_access::Found;
    people::subject_export(crate::people::SubjectRequest) -> SaveOutcome;
    people::subject_erase(crate::people::SubjectRequest) -> confide_core::subject_access::Erased;
    commands::set_hold(HoldRequest) -> confide_mail::reading::ConversationView;
    livechat::webchat_state(()) -> confide_services::livechat::LiveChatState;
    livechat::webchat_connect(WebchatConnectRequest) -> confide_services::livechat::LiveChatState;
    livechat::webchat_accept(AcceptChatRequest) -> ();
    livechat::webchat_say(ChatSayRequest) -> confide_mail::reading::ConversationView;
    livechat::webchat_pass(ChatPassRequest) -> ();
}

/// The generated types a TypeScript type names (`Array<OfferedFile>` names `OfferedFile`;
/// `string` and `null` name none).
pub(crate) fn imported_names(ts: &str) -> Vec<String> {
    ts.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && !matches!(*w, "Array" | "Record" | "Partial"))
        .map(str::to_owned)
        .collect()
}

pub(crate) fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Writes the command module beside the ts-rs types; CI fails if the result differs from
    /// what is committed.
    #[test]
    fn export_command_bindings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("commands.ts"), super::typescript_bindings()).unwrap();
    }
}
