// `sqlx::migrate!` embeds migrations/ at compile time; without this a new migration file
// would not trigger a rebuild, and a stale binary would run an old schema.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
