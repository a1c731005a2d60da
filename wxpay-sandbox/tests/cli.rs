//! The `wxpay-sandbox` binary as a process: what it does when nobody reads
//! its output (`wxpay-sandbox --help | head -1`), a pipe whose reading end
//! is closed, so that every write fails with `EPIPE`.

use std::process::{Command, Output, Stdio};

/// The writing end of a pipe nobody reads.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

fn sandbox(args: &[&str], stdout: Stdio, stderr: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wxpay-sandbox"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("the binary runs")
}

/// A Rust panic exits with 101 and says so on stderr.
fn assert_no_panic(what: &str, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && output.status.code() != Some(101),
        "{what}: {:?}\n{stderr}",
        output.status
    );
}

#[test]
fn help_to_a_closed_stdout_exits_quietly() {
    for flag in ["--help", "-h"] {
        let output = sandbox(&[flag], closed_pipe().into(), Stdio::piped());
        assert_no_panic(flag, &output);
        assert!(output.status.success(), "{flag}: {:?}", output.status);
        assert!(output.stderr.is_empty(), "{flag}: nothing to say on stderr");
    }
}

#[test]
fn an_error_to_a_closed_stderr_keeps_its_exit_code() {
    // A flag it does not know: usage on stderr, exit 2, even when nobody reads.
    let output = sandbox(&["--no-such-flag"], Stdio::piped(), closed_pipe().into());
    assert_no_panic("--no-such-flag", &output);
    assert_eq!(output.status.code(), Some(2));
    // And a steering command whose sandbox is not running: exit 1.
    let dir = std::env::temp_dir().join(format!("wxpay-sandbox-cli-{}", std::process::id()));
    let output = sandbox(
        &["merchants", "--out", dir.to_str().expect("utf-8 path")],
        closed_pipe().into(),
        closed_pipe().into(),
    );
    assert_no_panic("merchants", &output);
    assert_eq!(output.status.code(), Some(1));
}
