//! This thread's CPU time, the clock the benchmarks divide by.
//!
//! The machines these run on are shared (CI, a developer's laptop compiling
//! in the background). Wall-clock time then measures the neighbours as much
//! as the code; the CPU time of the benchmarking thread does not, and on an
//! idle machine the two agree for single-threaded, CPU-bound work like RSA.
//! It is also what `openssl speed` divides by (user CPU time, unless `-elapsed`).

use std::time::Duration;

/// `CLOCK_THREAD_CPUTIME_ID`: CPU time consumed by the calling thread, exact
/// to the nanosecond (the kernel accounts the running slice on read). `None`
/// where the platform has no such clock; callers fall back to wall time.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
pub fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant
    // the platform defines; clock_gettime writes nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// No per-thread CPU clock here: callers fall back to wall time.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}
