//! Issue 27: one policy per store. The app read the helpline's adapted presets from
//! `CONFIDE_POLICY_DIR` and the CLI did not, so the nightly `confide retention run` applied the
//! shipped periods to an adapted policy, or found no policy at all if it had its own id. The
//! store now keeps the preset it was set up with; every process that opens it runs by that one.

use std::sync::Arc;

use confide_core::policy::{Catalog, Period, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{staff, Store, SystemClock};
use confide_vault::{MemorySecrets, Vault};

const SHIPPED: &str = include_str!("../../../policies/respect-mal-current.toml");

async fn open(dir: &std::path::Path, secrets: &Arc<MemorySecrets>, catalog: Catalog) -> Store {
    let vault = Vault::new(secrets.clone(), "kept-policy-test");
    Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock: Arc::new(SystemClock), catalog })
        .await
        .unwrap()
}

fn email_period(store: &Store, id: &str) -> Period {
    store.catalog().get(id).unwrap().retention_class("email").unwrap().period.clone()
}

#[tokio::test]
async fn issue27_a_store_runs_by_the_adapted_preset_it_was_set_up_with_in_every_process() {
    let tmp = tempfile::tempdir().unwrap();
    let policies = tmp.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    // The same id as a shipped preset, with a shorter email period; and one with an id of its own.
    let adapted = SHIPPED.replacen("period = \"6 months\"", "period = \"1 months\"", 1);
    std::fs::write(policies.join("respect-mal-current.toml"), &adapted).unwrap();
    std::fs::write(policies.join("own.toml"), adapted.replace("id = \"respect-mal-current\"", "id = \"our-helpline\""))
        .unwrap();

    for (id, dir) in [("respect-mal-current", "same-id"), ("our-helpline", "own-id")] {
        let secrets = Arc::new(MemorySecrets::default());
        let data = tmp.path().join(dir);
        let app = open(&data, &secrets, Catalog::from_dir(&policies).unwrap()).await;
        staff::save_profile(&app, id, "Ash", RoleKind::Manager).await.unwrap();
        staff::accept_agreement(&app, "current-1").await.unwrap();
        assert_eq!(email_period(&app, id), Period::Months(1));
        app.close().await;

        // The timer's CLI, started with the shipped presets only.
        let timer = open(&data, &secrets, Catalog::builtin()).await;
        assert_eq!(email_period(&timer, id), Period::Months(1), "{id}: the timer ran by the shipped period");
        assert_eq!(staff::active_preset(&timer).await.unwrap().id, id);
        staff::session(&timer).await.expect("the kept policy's agreement is the one accepted");
        timer.close().await;
    }

    // The helpline revises its preset: the app, started with its folder, keeps the new text,
    // and the timer follows.
    let secrets = Arc::new(MemorySecrets::default());
    let data = tmp.path().join("revised");
    let app = open(&data, &secrets, Catalog::from_dir(&policies).unwrap()).await;
    staff::save_profile(&app, "our-helpline", "Ash", RoleKind::Manager).await.unwrap();
    app.close().await;
    let revised = adapted.replace("id = \"respect-mal-current\"", "id = \"our-helpline\"").replacen(
        "period = \"1 months\"",
        "period = \"2 months\"",
        1,
    );
    std::fs::write(policies.join("own.toml"), revised).unwrap();
    open(&data, &secrets, Catalog::from_dir(&policies).unwrap()).await.close().await;
    let timer = open(&data, &secrets, Catalog::builtin()).await;
    assert_eq!(email_period(&timer, "our-helpline"), Period::Months(2));
    timer.close().await;

    // A store set up with a shipped preset keeps no text: it runs by this build's.
    let secrets = Arc::new(MemorySecrets::default());
    let data = tmp.path().join("shipped");
    let app = open(&data, &secrets, Catalog::builtin()).await;
    staff::save_profile(&app, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
    let kept: Option<String> =
        sqlx::query_scalar("SELECT preset_toml FROM staff_profile").fetch_one(app.pool()).await.unwrap();
    assert_eq!(kept, None);
    assert_eq!(email_period(&app, "respect-mal-current"), Period::Months(6));
}
