//! What features that look into conversations (quality reviews, subject access) need from the
//! mail side: a conversation as text, read from this desktop's sealed copies, and the erasure of
//! messages on the mail server. Parsing MIME and speaking IMAP stay in `confide-mail`, which
//! implements this beside [`RecordStore`]; the features' rules stay here.

use std::future::Future;

use crate::inbox::ConversationSummary;
use crate::record_store::RecordStore;
use crate::staff::Session;

/// One message of a conversation, as text.
#[derive(Debug, Clone)]
pub struct ReadMessage {
    pub id: i64,
    pub incoming: bool,
    /// The sender's address (for a chat, "Visitor" or "Advisor").
    pub from: String,
    pub from_name: Option<String>,
    pub sent_at: i64,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct ReadConversation {
    pub summary: ConversationSummary,
    pub messages: Vec<ReadMessage>,
}

/// Where one copy of a message sits on a mail server. A UID means something only with the
/// folder's UIDVALIDITY, so the three travel together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerLocation {
    pub account: String,
    pub folder: String,
    pub uid_validity: u32,
    pub uid: u32,
}

/// The mail side of the record store.
pub trait MailContent: RecordStore {
    /// A conversation this session may read, as text (no HTML: nothing here is displayed as is).
    fn conversation(
        &self,
        session: &Session,
        id: i64,
    ) -> impl Future<Output = Result<ReadConversation, Self::Error>> + Send;

    /// Destroys these copies on their mail servers at once (flagged and expunged); how many went.
    /// Refused for a folder whose UIDVALIDITY changed, since its UIDs now name other mail.
    fn erase_on_server(
        &self,
        session: &Session,
        places: Vec<ServerLocation>,
    ) -> impl Future<Output = Result<usize, Self::Error>> + Send;
}
