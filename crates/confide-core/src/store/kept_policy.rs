//! One policy per store: the preset a store was set up with is kept in it when this build does
//! not ship it (a helpline's adapted preset), so every process that opens the store applies the
//! same periods. Before this, the app read `CONFIDE_POLICY_DIR` and the CLI did not, and the
//! nightly `confide retention run` applied the shipped periods to an adapted policy (issue 27).

use sqlx::SqlitePool;

use crate::policy::Catalog;
use crate::CoreError;

/// The catalog this store runs by: `offered` (what this process was started with), with the
/// store's kept preset in place of the one of its id. A preset offered from the helpline's
/// policy folder that differs from the kept one is the helpline's newer word: it is kept
/// instead (so a revised agreement reaches every process).
pub(super) async fn reconcile(pool: &SqlitePool, mut offered: Catalog) -> Result<Catalog, CoreError> {
    let Some(row) =
        sqlx::query!("SELECT preset_id, preset_toml FROM staff_profile WHERE id = 1").fetch_optional(pool).await?
    else {
        return Ok(offered);
    };
    match (offered.adapted_text(&row.preset_id).map(str::to_owned), row.preset_toml) {
        (Some(newer), kept) if kept.as_deref() != Some(newer.as_str()) => {
            sqlx::query!("UPDATE staff_profile SET preset_toml = ? WHERE id = 1", newer).execute(pool).await?;
            tracing::info!(preset = %row.preset_id, "the store now keeps the helpline's revised policy");
        }
        (None, Some(kept)) => {
            offered.keep(&format!("the policy kept with this store ({})", row.preset_id), &kept)?;
        }
        _ => {}
    }
    Ok(offered)
}

/// Called when the profile is first saved: keeps the chosen preset's text if this build does
/// not ship it.
pub(crate) async fn keep_chosen(pool: &SqlitePool, catalog: &Catalog, preset_id: &str) -> Result<(), CoreError> {
    if let Some(text) = catalog.adapted_text(preset_id) {
        sqlx::query!("UPDATE staff_profile SET preset_toml = ? WHERE id = 1", text).execute(pool).await?;
    }
    Ok(())
}
