//! A throwaway `redis-server` on 127.0.0.1 for tests and benchmarks: its own
//! port and directory, append-only file fsynced on every write (so a kill
//! and a restart lose nothing), stopped and removed when dropped.
//!
//! Shared by `wxpay-redis`'s tests, the fleet example's test and the fleet
//! benchmark (`#[path]`-included there). When `redis-server` is not on the
//! PATH (or `WXPAY_REDIS_SERVER`), it is installed once with
//! `apt-get install -y redis-server` (as root); only if that is impossible
//! does `start` fail, and the tests fail with it (unless WXPAY_SKIP_REDIS
//! is set: then they skip, loudly).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A running (or stopped) Redis of one test.
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// How long a started server has to answer PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);

impl RedisServer {
    /// Starts a fresh server (installing `redis-server` first if needed).
    pub fn start() -> Result<Self, String> {
        let binary = binary()?;
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("wxpay-redis-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut server = Self {
            binary,
            port,
            dir,
            child: None,
        };
        server.run()?;
        Ok(server)
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once, as a crash would (its append-only file
    /// keeps every write it acknowledged).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill();
        self.run()
    }

    /// Sends one command (inline protocol) and returns the raw answer.
    pub fn command(&self, line: &str) -> Result<String, String> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))
            .map_err(|e| format!("cannot reach redis on {}: {e}", self.port))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
        stream
            .write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| e.to_string())?;
        let mut answer = [0u8; 65536];
        let n = stream.read(&mut answer).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&answer[..n]).into_owned())
    }

    fn run(&mut self) -> Result<(), String> {
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--dir", &self.dir.display().to_string()])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .args(["--save", ""])
            .args(["--protected-mode", "yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.binary.display()))?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if self.command("PING").is_ok_and(|a| a.starts_with("+PONG")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        Err(format!(
            "redis-server on port {} did not answer in {START_TIMEOUT:?}",
            self.port
        ))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a server, or says loudly why these tests cannot run here.
pub fn start_or_explain() -> Option<RedisServer> {
    match RedisServer::start() {
        Ok(server) => Some(server),
        // Skipped only when asked to: a test that passes without running is
        // a test that cannot fail.
        Err(e) if std::env::var_os("WXPAY_SKIP_REDIS").is_some() => {
            eprintln!(
                "\n************************************************************\n\
                 SKIPPED (WXPAY_SKIP_REDIS is set): no Redis for this test: {e}\n\
                 ************************************************************\n"
            );
            None
        }
        Err(e) => panic!(
            "no Redis for this test: {e}. Install it (`apt-get install -y redis-server`; \
             ./scripts/test does), point WXPAY_REDIS_SERVER at a redis-server binary, \
             or set WXPAY_SKIP_REDIS=1 to skip the Redis tests knowingly"
        ),
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// The `redis-server` to run, installed with apt-get once per process when absent.
fn binary() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    if let Some(path) = std::env::var_os("WXPAY_REDIS_SERVER") {
        return Ok(path.into());
    }
    let _once = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = on_path("redis-server") {
        return Ok(found);
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        return Err("redis-server is not installed and this is not root (no apt-get)".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !apt(&["install", "-y", "redis-server"]) {
        apt(&["update"]);
        apt(&["install", "-y", "redis-server"]);
    }
    on_path("redis-server").ok_or_else(|| "apt-get could not install redis-server".to_owned())
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}
