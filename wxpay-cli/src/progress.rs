//! A byte counter on stderr for long transfers: shown on a terminal, silent
//! when stderr is piped (unless asked for).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::args::Progress;

/// How often the line is redrawn.
const REDRAW: Duration = Duration::from_millis(200);

/// Progress of one transfer.
pub struct Meter {
    label: String,
    shown: bool,
    bytes: u64,
    last: Option<Instant>,
}

impl Meter {
    /// A meter that draws according to `when`.
    pub fn new(label: impl Into<String>, when: Progress) -> Self {
        let shown = match when {
            Progress::Always => true,
            Progress::Never => false,
            Progress::Auto => std::io::stderr().is_terminal(),
        };
        Meter {
            label: label.into(),
            shown,
            bytes: 0,
            last: None,
        }
    }

    /// Sets the count to `bytes`, redrawing at most every 200 ms.
    pub fn set(&mut self, bytes: u64) {
        self.bytes = bytes;
        if !self.shown || self.last.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last = Some(Instant::now());
        self.draw("");
    }

    /// Draws the final count and ends the line.
    pub fn finish(&mut self, outcome: &str) {
        if self.shown {
            self.draw(outcome);
            eprintln!();
        }
    }

    fn draw(&self, suffix: &str) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}: {}{suffix}", self.label, human(self.bytes));
        let _ = err.flush();
    }
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
