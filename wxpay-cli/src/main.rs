//! `wxpay`: WeChat Pay APIv3 from the command line.
//!
//! `wxpay request GET v3/certificates` sends any request signed and prints the
//! verified answer; `certificates`, `notify`, `encrypt`/`decrypt`, `paysign`,
//! `bill`, `doctor`, `sandbox` and `completions` cover the rest. See `wxpay --help`.
#![forbid(unsafe_code)]
// The argument docs are also the `--help` text (pinned by snapshots), where
// a bare URL is what a terminal reader wants.
#![allow(rustdoc::bare_urls)]

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

mod args;
mod commands;
mod config;
mod error;
mod progress;

use args::{Cli, Command};
use config::Resolved;
use error::CliError;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    // The sandbox parses its own flags (some share names with ours), so
    // `wxpay sandbox ...` hands everything after `sandbox` over untouched.
    if argv.get(1).map(String::as_str) == Some("sandbox") {
        return sandbox(argv[2..].to_vec());
    }
    let cli = Cli::parse_from(&argv);
    match cli.command {
        Command::Sandbox(_) => {
            eprintln!(
                "wxpay: put `sandbox` first: wxpay sandbox [FLAGS] (see wxpay sandbox --help)"
            );
            ExitCode::from(error::exit::USAGE)
        }
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "wxpay", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        command => {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("wxpay: cannot start the runtime: {e}");
                    return ExitCode::from(error::exit::OTHER);
                }
            };
            if let Command::Doctor(args) = &command {
                // The doctor reports every finding itself, with exit statuses of its own.
                return ExitCode::from(
                    runtime.block_on(commands::doctor::run(&cli.settings, args)),
                );
            }
            match runtime.block_on(run(&cli.settings, command)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = std::io::stdout().flush();
                    eprint!("{}", e.report());
                    e.exit_code()
                }
            }
        }
    }
}

async fn run(settings: &args::Settings, command: Command) -> Result<(), CliError> {
    // Reading a saved bill needs no merchant settings.
    let command = match command {
        Command::Bill(args::Bill::Parse(args)) => return commands::bill_read::parse(&args),
        Command::Bill(args::Bill::Reconcile(args)) => return commands::bill_read::reconcile(&args),
        other => other,
    };
    let config = Resolved::from_settings(settings)?;
    match command {
        Command::Request(args) => commands::request::run(&config, args).await,
        Command::Certificates(args) => commands::certificates::run(&config, args).await,
        Command::Notify(args) => commands::notify::run(&config, args).await,
        Command::Encrypt(args) => commands::sensitive::encrypt(&config, args).await,
        Command::Decrypt(args) => commands::sensitive::decrypt(&config, args),
        Command::Paysign(which) => commands::paysign::run(&config, which).await,
        Command::Bill(which) => commands::bill::run(&config, which).await,
        Command::Sandbox(_) | Command::Completions(_) | Command::Doctor(_) => Ok(()),
    }
}

#[cfg(feature = "sandbox")]
fn sandbox(args: Vec<String>) -> ExitCode {
    wxpay_sandbox::unstable::cli_main(args)
}

#[cfg(not(feature = "sandbox"))]
fn sandbox(_: Vec<String>) -> ExitCode {
    eprintln!("wxpay: this build has no sandbox (built without the `sandbox` feature)");
    ExitCode::from(error::exit::USAGE)
}
