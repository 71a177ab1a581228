use confide_vault::{open, seal, Recipient};
use sqlx::SqliteConnection;

use super::Store;
use crate::CoreError;

pub type BlobId = i64;

impl Store {
    /// Encrypts `plaintext` to `recipients` with age and keeps the ciphertext.
    pub async fn put_blob(
        &self,
        conn: &mut SqliteConnection,
        kind: &str,
        plaintext: &[u8],
        recipients: &[Recipient],
    ) -> Result<BlobId, CoreError> {
        let sealed = seal(plaintext, recipients)?;
        let size = plaintext.len() as i64;
        let now = self.now_ts();
        let id = sqlx::query!(
            "INSERT INTO blobs (kind, size, data, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            kind,
            size,
            sealed,
            now
        )
        .fetch_one(conn)
        .await?
        .id;
        Ok(id)
    }

    /// Decrypts a blob with this desktop's identity.
    pub async fn get_blob(&self, id: BlobId) -> Result<Vec<u8>, CoreError> {
        let row = sqlx::query!("SELECT data FROM blobs WHERE id = ?", id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| CoreError::Invalid(format!("there is no stored item {id}")))?;
        Ok(open(&row.data, self.identity())?)
    }
}
