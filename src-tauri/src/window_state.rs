//! The window opens where and as large as it was last left. Saved shortly after each move or
//! resize rather than on close, because helpline desktops are often switched off or the app
//! killed without a clean close. The file holds geometry only (no content).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, Window};

const FILE: &str = "window.json";
/// Moves and resizes arrive in bursts while someone drags; one write after they stop.
const SETTLE: Duration = Duration::from_millis(400);
/// The smallest window the layout works in (as in tauri.conf.json).
const MIN: (u32, u32) = (800, 500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

/// A screen's area, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Area {
    fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x
            && y >= self.y
            && i64::from(x) < i64::from(self.x) + i64::from(self.width)
            && i64::from(y) < i64::from(self.y) + i64::from(self.height)
    }
}

/// Where a saved geometry may go on the screens there are now: its size no larger than the
/// screen it lands on and no smaller than the layout needs, and its position kept only if its
/// title bar would be on a screen (a monitor unplugged since must not hide the window).
/// `None` for the position means "leave it where the system puts it".
pub fn fit(saved: Geometry, screens: &[Area]) -> (Option<(i32, i32)>, (u32, u32), bool) {
    // The title bar's middle, a little below the top edge: what a person needs to grab.
    let grab = (saved.x.saturating_add((saved.width / 2) as i32), saved.y.saturating_add(16));
    let on = screens.iter().find(|s| s.contains(grab.0, grab.1));
    let bound = on.or(screens.first());
    let (mut w, mut h) = (saved.width.max(MIN.0), saved.height.max(MIN.1));
    if let Some(b) = bound {
        w = w.min(b.width.max(MIN.0));
        h = h.min(b.height.max(MIN.1));
    }
    (on.map(|_| (saved.x, saved.y)), (w, h), saved.maximized)
}

/// In the configuration folder, not the data folder: geometry is no one's data, and a desktop
/// whose keyring refuses the store must be left with no data folder at all.
fn path() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("confide").join(FILE)
}

fn load() -> Option<Geometry> {
    let text = std::fs::read_to_string(path()).ok()?;
    match serde_json::from_str(&text) {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!("the saved window size could not be read, so the default is used: {e}");
            None
        }
    }
}

fn save(g: &Geometry) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let target = path();
    let Some(dir) = target.parent() else { return Ok(()) };
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{FILE}.tmp"));
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(serde_json::to_string(g).map_err(std::io::Error::other)?.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(tmp, target)
}

/// Puts the main window back as it was saved, if it was.
pub fn restore<R: Runtime>(window: &WebviewWindow<R>) {
    let Some(saved) = load() else { return };
    let screens: Vec<Area> = window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| Area { x: m.position().x, y: m.position().y, width: m.size().width, height: m.size().height })
        .collect();
    let (position, (w, h), maximized) = fit(saved, &screens);
    let _ = window.set_size(PhysicalSize::new(w, h));
    if let Some((x, y)) = position {
        let _ = window.set_position(PhysicalPosition::new(x, y));
    }
    if maximized {
        let _ = window.maximize();
    }
}

/// Remembers the window's geometry after it moves or is resized: the events go to a writer
/// thread that saves once they settle.
pub struct Tracker {
    tx: mpsc::Sender<Geometry>,
    /// The last geometry that was not maximised: what a maximised window comes back to. Kept
    /// here rather than read back from the file on every resize event (the file lags by the
    /// settle time).
    normal: std::sync::Mutex<Option<Geometry>>,
}

impl Tracker {
    pub fn start() -> Self {
        let (tx, rx) = mpsc::channel::<Geometry>();
        let writer = std::thread::Builder::new().name("window-state".into()).spawn(move || {
            while let Ok(mut latest) = rx.recv() {
                while let Ok(newer) = rx.recv_timeout(SETTLE) {
                    latest = newer;
                }
                if let Err(e) = save(&latest) {
                    tracing::warn!("the window size could not be remembered: {e}");
                }
            }
        });
        // Without the writer the window still works; its size is just not remembered.
        if let Err(e) = writer {
            tracing::warn!("the window size will not be remembered: {e}");
        }
        Tracker { tx, normal: std::sync::Mutex::new(load().map(|g| Geometry { maximized: false, ..g })) }
    }

    /// Called on every move and resize of the main window.
    pub fn changed<R: Runtime>(&self, window: &Window<R>) {
        if window.label() != "main" || window.is_minimized().unwrap_or(false) {
            return;
        }
        let maximized = window.is_maximized().unwrap_or(false);
        let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else { return };
        // Maximised, the size to come back to is the one before: only the flag changes.
        let now = Geometry { x: pos.x, y: pos.y, width: size.width, height: size.height, maximized };
        let mut normal = self.normal.lock().unwrap_or_else(|e| e.into_inner());
        let geometry = if maximized {
            Geometry { maximized: true, ..normal.unwrap_or(now) }
        } else {
            *normal = Some(now);
            now
        };
        let _ = self.tx.send(geometry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = Area { x: 0, y: 0, width: 1920, height: 1080 };

    fn g(x: i32, y: i32, width: u32, height: u32) -> Geometry {
        Geometry { x, y, width, height, maximized: false }
    }

    #[test]
    fn a_window_on_screen_comes_back_where_it_was() {
        assert_eq!(fit(g(100, 50, 1000, 700), &[SCREEN]), (Some((100, 50)), (1000, 700), false));
    }

    #[test]
    fn a_window_left_on_an_unplugged_monitor_comes_back_on_this_one() {
        let (position, size, _) = fit(g(2500, 100, 1000, 700), &[SCREEN]);
        assert_eq!(position, None, "the position is the system's to choose");
        assert_eq!(size, (1000, 700));
    }

    #[test]
    fn a_window_larger_than_the_screen_is_shrunk_to_it_but_never_below_the_layouts_minimum() {
        assert_eq!(fit(g(0, 0, 3000, 2000), &[SCREEN]).1, (1920, 1080));
        assert_eq!(fit(g(0, 0, 200, 100), &[SCREEN]).1, MIN);
    }

    #[test]
    fn the_second_monitor_counts_when_it_is_there() {
        let right = Area { x: 1920, y: 0, width: 1280, height: 1024 };
        assert_eq!(fit(g(2000, 20, 1200, 900), &[SCREEN, right]).0, Some((2000, 20)));
    }

    #[test]
    fn maximised_is_remembered() {
        assert!(fit(Geometry { maximized: true, ..g(0, 0, 1000, 700) }, &[SCREEN]).2);
    }
}
