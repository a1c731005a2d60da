//! The `wxpay-sandbox` command line (serve the sandbox, or steer a running
//! one), as a library function so that other binaries (`wxpay sandbox`)
//! offer the same flags without a second copy of the parser.
//!
//! - `args`: the usage text and the flags of serving;
//! - `serve`: the sandbox they build, started and announced;
//! - `crate::commands`: the steering commands (`pay`, `order`, ...).

use std::io::Write;
use std::process::ExitCode;

use crate::commands;

mod args;
mod serve;

use args::{parse_args, USAGE};

/// Runs the `wxpay-sandbox` command line on `args` (without the program
/// name): serves until Ctrl-C or `--run-for`, or runs one steering command,
/// printing to stdout/stderr as the binary does. Blocks; call it outside any
/// async runtime (it starts its own).
///
/// ```no_run
/// let code = wxpay_sandbox::unstable::cli_main(["--listen".to_owned(), "127.0.0.1:8080".to_owned()]);
/// # let _ = code;
/// ```
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let mut argv = args.into_iter().peekable();
    let command = argv
        .peek()
        .filter(|c| commands::COMMANDS.contains(&c.as_str()))
        .cloned();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            say_err(&format!("wxpay-sandbox: cannot start the runtime: {e}\n"));
            return ExitCode::FAILURE;
        }
    };
    if let Some(command) = command {
        argv.next();
        return match runtime.block_on(commands::run(&command, argv)) {
            Ok(answer) => {
                say(&format!("{answer}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                say_err(&format!("wxpay-sandbox {command}: {e}\n"));
                ExitCode::FAILURE
            }
        };
    }
    let args = match parse_args(argv) {
        Ok(Some(args)) => args,
        Ok(None) => {
            say(&format!("{USAGE}\n{}", commands::USAGE));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            say_err(&format!(
                "wxpay-sandbox: {e}\n\n{USAGE}\n{}",
                commands::USAGE
            ));
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(serve::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_err(&format!("wxpay-sandbox: {e}\n"));
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` to stdout; `false` if nobody reads it any more (a closed
/// pipe: `wxpay-sandbox --help | head -1`). `println!` would panic there;
/// the command line says nothing more instead, and its exit code stands.
pub(super) fn say(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// Writes `text` to stderr, quietly giving up if it is closed (as [`say`]).
fn say_err(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}
