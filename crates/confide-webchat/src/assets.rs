//! The visitor's side as the gateway serves it: the standalone page, the widget script and
//! style (built from `ui/widget/widget.ts`), and the public facts it needs (lines, hours, the
//! policy's address). Every response (errors too: `server::router` sets it on all) forbids
//! caching and referrers and sets no cookie.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::server::App;

const PAGE: &str = include_str!("../assets/chat.html");
const SCRIPT: &str = include_str!("../assets/widget.js");
const STYLE: &str = include_str!("../assets/widget.css");

/// Scripts and styles from the gateway only, WebSocket back to it, nothing framed, nothing sent
/// elsewhere. `data:` images for the page's empty icon, which stops the browser asking for
/// `/favicon.ico` and keeping an icon beside the page's address.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn with_headers(content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

/// Nothing of the visit stays in the browser's cache, and no address leaks to another site:
/// set on every response the gateway sends, its errors and refusals included.
pub async fn private_response(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

pub async fn page(State(app): State<App>) -> Response {
    let title = escape_html(&app.hub.config.page_title);
    let mut r = with_headers("text/html; charset=utf-8", PAGE.replace("{{title}}", &title));
    r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    r
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn script() -> Response {
    with_headers("text/javascript; charset=utf-8", SCRIPT)
}

pub async fn style() -> Response {
    with_headers("text/css; charset=utf-8", STYLE)
}

#[derive(Serialize)]
struct PublicLine<'a> {
    id: &'a str,
    name: &'a str,
    hours: &'a str,
}

#[derive(Serialize)]
struct PublicInfo<'a> {
    lines: Vec<PublicLine<'a>>,
    policy_url: &'a str,
    quick_exit_url: &'a str,
}

/// What the widget shows before a chat starts. Readable by the allowed origins' pages (CORS),
/// without credentials.
pub async fn info(State(app): State<App>, headers: HeaderMap) -> Response {
    let c = &app.hub.config;
    let body = PublicInfo {
        lines: c.lines.iter().map(|l| PublicLine { id: &l.id, name: &l.name, hours: &l.hours }).collect(),
        policy_url: &c.policy_url,
        quick_exit_url: &c.quick_exit_url,
    };
    let mut r = serde_json::to_string(&body).expect("public info serialises").into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(origin) =
        headers.get(header::ORIGIN).filter(|o| o.to_str().is_ok_and(|o| c.allowed_origins.iter().any(|a| a == o)))
    {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}
