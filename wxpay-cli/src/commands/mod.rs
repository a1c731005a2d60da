//! One module per subcommand, plus the few helpers they share.

pub mod bill;
pub mod bill_read;
pub mod certificates;
pub mod doctor;
pub mod notify;
pub mod paysign;
pub mod request;
pub mod sensitive;

use std::io::{Read, Write};

use crate::error::CliError;

/// The most read from stdin or a body file.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Writes `value` to stdout as pretty JSON and a newline.
pub fn print_json(value: &serde_json::Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Io(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Reads all of `reader`, refusing more than [`MAX_INPUT_BYTES`].
pub fn read_bounded(reader: impl Read, what: &str) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Io(format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(CliError::Usage(format!(
            "{what} is larger than {MAX_INPUT_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

/// Reads a file, or stdin for `-`.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    if path.as_os_str() == "-" {
        read_bounded(std::io::stdin().lock(), "stdin")
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
        read_bounded(file, &path.display().to_string())
    }
}

/// `NAME=VALUE` split at the first `=`.
pub fn pair<'a>(text: &'a str, flag: &str) -> Result<(&'a str, &'a str), CliError> {
    text.split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| CliError::Usage(format!("{flag} {text:?}: expected NAME=VALUE")))
}

/// Unix seconds as RFC 3339 UTC (`2023-11-14T22:13:20Z`).
pub fn rfc3339(secs: i64) -> String {
    u64::try_from(secs)
        .ok()
        .and_then(|s| der::DateTime::from_unix_duration(std::time::Duration::from_secs(s)).ok())
        .map(|t| t.to_string())
        .unwrap_or_else(|| format!("unix {secs}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn validity_times_are_rfc3339_utc() {
        assert_eq!(super::rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(super::rfc3339(-1), "unix -1");
    }
}
