//! Claims as the inbox tells of them: what this desktop's person holds, and which of those a
//! colleague took over during a sync.

use crate::{CoreError, Store};

/// The conversations this desktop's person has claimed, by id.
pub async fn claimed_by_me(store: &Store) -> Result<Vec<i64>, CoreError> {
    let me = store.identity().fingerprint();
    Ok(sqlx::query_scalar!(r#"SELECT id AS "id!" FROM conversations WHERE assignee = ?"#, me)
        .fetch_all(store.pool())
        .await?)
}

/// Of `claimed` (what [`claimed_by_me`] said before a sync), the conversations a colleague has
/// claimed since, with the colleague's key: what the person is told, so two people do not
/// answer one caller.
pub async fn taken_over(store: &Store, claimed: &[i64]) -> Result<Vec<(i64, String)>, CoreError> {
    if claimed.is_empty() {
        return Ok(vec![]);
    }
    let (me, ids) = (store.identity().fingerprint(), serde_json::to_string(claimed).expect("numbers serialise"));
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", assignee AS "assignee!" FROM conversations
           WHERE id IN (SELECT value FROM json_each(?)) AND assignee IS NOT NULL AND assignee != ?"#,
        ids,
        me
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.assignee)).collect())
}
