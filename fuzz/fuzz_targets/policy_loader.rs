//! A helpline's own preset file: any text gives a preset or an error naming a line, never a
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = confide_core::policy::Preset::parse("fuzz.toml", text) {
        assert!(!e.to_string().is_empty());
    }
});
