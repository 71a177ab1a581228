//! Frames from the internet (visitors) and from advisors' desktops: the gateway's decoders are
//! total, so any text is a frame or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|frame: &str| {
    let _ = confide_webchat::protocol::decode_visitor(frame);
    let _ = confide_webchat::protocol::decode_advisor(frame);
});
