//! CPU time per group of threads, read from `/proc/self/task/*`.
//!
//! The load generator runs the sandbox and the client in two tokio runtimes
//! whose threads carry different names (`wxpay-server`, `wxpay-client`), in
//! one process. Summing each thread's CPU time by name before and after the
//! measured window splits the cost between the two sides without a second
//! process, signals or `unsafe`: a thread's name is its `comm`, and its time
//! on CPU is the first field of its `schedstat` (nanoseconds), or `utime +
//! stime` of its `stat` (clock ticks) where the kernel has no schedstat.
//!
//! A thread that exits inside the window takes its time with it; the
//! runtimes' worker threads live as long as the runtimes, and nothing in the
//! measured path uses tokio's blocking pool (the sandbox's address is an IP
//! literal, so no DNS lookup), so nothing is lost in practice.

use std::collections::HashMap;
use std::fs;
use std::time::Duration;

/// Linux reports `stat` times in USER_HZ ticks, which is 100 on every
/// architecture Linux supports today (the value is part of its ABI).
const USER_HZ: u64 = 100;

/// The CPU time of every live thread of this process at one instant.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    threads: HashMap<u32, ThreadTime>,
}

#[derive(Debug, Clone)]
struct ThreadTime {
    name: String,
    cpu: Duration,
}

impl Snapshot {
    /// Reads every thread of this process; `None` where `/proc` is not
    /// available (not Linux).
    pub fn take() -> Option<Self> {
        let mut threads = HashMap::new();
        for entry in fs::read_dir("/proc/self/task").ok()? {
            let Ok(entry) = entry else { continue };
            let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let dir = entry.path();
            // A thread may exit between listing and reading: skip it.
            let Ok(name) = fs::read_to_string(dir.join("comm")) else {
                continue;
            };
            let Some(cpu) = thread_cpu(&dir) else {
                continue;
            };
            threads.insert(
                tid,
                ThreadTime {
                    name: name.trim_end().to_owned(),
                    cpu,
                },
            );
        }
        Some(Self { threads })
    }

    /// CPU time spent since `earlier` by threads whose name starts with
    /// `prefix` (threads born since count from zero).
    pub fn since(&self, earlier: &Snapshot, prefix: &str) -> Duration {
        self.threads
            .iter()
            .filter(|(_, t)| t.name.starts_with(prefix))
            .map(|(tid, t)| {
                let before = earlier.threads.get(tid).map_or(Duration::ZERO, |b| b.cpu);
                t.cpu.saturating_sub(before)
            })
            .sum()
    }

    /// CPU time spent since `earlier` by all threads.
    pub fn total_since(&self, earlier: &Snapshot) -> Duration {
        self.since(earlier, "")
    }
}

fn thread_cpu(dir: &std::path::Path) -> Option<Duration> {
    if let Ok(schedstat) = fs::read_to_string(dir.join("schedstat")) {
        if let Some(ns) = schedstat
            .split_whitespace()
            .next()
            .and_then(|f| f.parse().ok())
        {
            return Some(Duration::from_nanos(ns));
        }
    }
    parse_stat_ticks(&fs::read_to_string(dir.join("stat")).ok()?)
        .map(|ticks| Duration::from_millis(ticks * 1000 / USER_HZ))
}

/// `utime + stime` from a `stat` line. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from its closing `)`.
fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // After `)`: state is field 3, utime field 14, stime field 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let stat = "4242 (odd) name) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 1 0";
        assert_eq!(parse_stat_ticks(stat), Some(325));
        assert_eq!(parse_stat_ticks("garbage"), None);
    }

    #[test]
    fn a_busy_thread_is_attributed_by_name() {
        let Some(before) = Snapshot::take() else {
            return; // not Linux
        };
        // Spin until the accounting shows 100 ms for this thread's name (not
        // for a fixed wall time, so a busy machine only makes it take longer).
        let worker = std::thread::Builder::new()
            .name("cpu-test-busy".into())
            .spawn(move || {
                let deadline = std::time::Instant::now() + Duration::from_secs(20);
                let mut x = 0u64;
                loop {
                    for _ in 0..100_000 {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    }
                    std::hint::black_box(x);
                    let now = Snapshot::take().unwrap();
                    if now.since(&before, "cpu-test-busy") >= Duration::from_millis(100)
                        || std::time::Instant::now() > deadline
                    {
                        return (before, now);
                    }
                }
            })
            .unwrap();
        let (before, after) = worker.join().unwrap();
        let busy = after.since(&before, "cpu-test-busy");
        assert!(busy >= Duration::from_millis(100), "{busy:?}");
        assert!(after.total_since(&before) >= busy);
        assert_eq!(after.since(&before, "no-such-thread"), Duration::ZERO);
    }
}
