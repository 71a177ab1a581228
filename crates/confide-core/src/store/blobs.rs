use confide_vault::{header_len, open, seal, Recipient};
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
        let (header, payload) = split(&sealed);
        let size = plaintext.len() as i64;
        let now = self.now_ts();
        let id = sqlx::query!(
            "INSERT INTO blobs (kind, size, data, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            kind,
            size,
            payload,
            now
        )
        .fetch_one(&mut *conn)
        .await?
        .id;
        sqlx::query!("INSERT INTO blob_keys (blob_id, header) VALUES (?, ?)", id, header).execute(&mut *conn).await?;
        Ok(id)
    }

    /// Decrypts a blob with this desktop's identity.
    pub async fn get_blob(&self, id: BlobId) -> Result<Vec<u8>, CoreError> {
        let row = sqlx::query!("SELECT b.data, k.header AS \"header?\" FROM blobs b LEFT JOIN blob_keys k ON k.blob_id = b.id WHERE b.id = ?", id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| CoreError::Invalid(format!("there is no stored item {id}")))?;
        let sealed = match row.header {
            Some(header) => [header, row.data].concat(),
            None => row.data,
        };
        Ok(open(&sealed, self.identity())?)
    }
}

/// An age ciphertext as kept: its header (for `blob_keys`) and its payload (for `blobs`).
pub(crate) fn split(sealed: &[u8]) -> (&[u8], &[u8]) {
    // Our own seal's output always has a header; should it not, it is all kept as payload
    // (readable, though not shreddable) rather than refused.
    sealed.split_at(header_len(sealed).unwrap_or(0))
}

/// Deletes blobs, shredding them: their headers' rows are overwritten (`secure_delete` is on
/// for every connection), and the payloads, which nothing can open without them, are freed
/// without the cost of overwriting.
pub(crate) async fn shred(tx: &mut SqliteConnection, ids_json: &str) -> Result<(), CoreError> {
    sqlx::query!("DELETE FROM blob_keys WHERE blob_id IN (SELECT value FROM json_each(?))", ids_json)
        .execute(&mut *tx)
        .await?;
    sqlx::query("PRAGMA secure_delete = FAST").execute(&mut *tx).await?;
    let deleted = sqlx::query!("DELETE FROM blobs WHERE id IN (SELECT value FROM json_each(?))", ids_json)
        .execute(&mut *tx)
        .await;
    // Back on before anything else can use this connection, whatever the delete did.
    sqlx::query("PRAGMA secure_delete = ON").execute(&mut *tx).await?;
    deleted?;
    Ok(())
}
