//! The command line as clap sees it: every flag, its help text, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "wxpay",
    version,
    about = "WeChat Pay APIv3 from the command line: signed requests, platform certificates, callbacks, bills and the local sandbox",
    after_help = "\
Settings come from flags, then the environment (WXPAY_MCHID, WXPAY_MERCHANT_CERTIFICATE,
WXPAY_MERCHANT_SERIAL, WXPAY_PRIVATE_KEY, WXPAY_PUBLIC_KEY_ID, WXPAY_PUBLIC_KEY,
WXPAY_PLATFORM_CERTIFICATE, WXPAY_APIV3_KEY, WXPAY_BASE_URL, WXPAY_PROXY, WXPAY_CONFIG,
WXPAY_PROFILE), then the profile file. Key settings name files; secrets are never printed.
`wxpay doctor` checks them all, the way WeChat Pay will.

Exit status: 0 success, 1 WeChat Pay answered an error, 2 usage or configuration
(a wrong APIv3 key included), 3 a signature, certificate or hash did not verify or a
bill does not add up, 4 network or timeout, 5 other, 6 a bill and your records differ
(bill reconcile); `wxpay doctor` has its own (see wxpay doctor --help)."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

/// Who is calling and whom to trust; any subcommand takes these.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Settings")]
pub struct Settings {
    /// TOML profile file [env: WXPAY_CONFIG]; paths in it are relative to the file
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Table of the profile file to use [env: WXPAY_PROFILE] [default: default]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Merchant id [env: WXPAY_MCHID]
    #[arg(long, global = true, value_name = "ID")]
    pub mchid: Option<String>,
    /// Merchant API certificate, PEM (apiclient_cert.pem): gives the serial and is
    /// checked against the private key [env: WXPAY_MERCHANT_CERTIFICATE]
    #[arg(long, global = true, value_name = "FILE")]
    pub merchant_certificate: Option<PathBuf>,
    /// Serial of the merchant API certificate, if the certificate is not given
    /// [env: WXPAY_MERCHANT_SERIAL]
    #[arg(long, global = true, value_name = "SERIAL")]
    pub merchant_serial: Option<String>,
    /// Merchant API private key, PEM (apiclient_key.pem) [env: WXPAY_PRIVATE_KEY]
    #[arg(long, global = true, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// WeChat Pay public key id, PUB_KEY_ID_... [env: WXPAY_PUBLIC_KEY_ID]
    #[arg(long, global = true, value_name = "ID")]
    pub public_key_id: Option<String>,
    /// WeChat Pay public key, PEM [env: WXPAY_PUBLIC_KEY]
    #[arg(long, global = true, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// A trusted platform certificate, PEM [env: WXPAY_PLATFORM_CERTIFICATE]
    #[arg(long, global = true, value_name = "FILE")]
    pub platform_certificate: Vec<PathBuf>,
    /// Read the APIv3 key from FILE (else WXPAY_APIV3_KEY, else the profile)
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "apiv3_key_prompt"
    )]
    pub apiv3_key_file: Option<PathBuf>,
    /// Ask for the APIv3 key on the terminal, without echo
    #[arg(long, global = true)]
    pub apiv3_key_prompt: bool,
    /// API base URL [env: WXPAY_BASE_URL] [default: https://api.mch.weixin.qq.com/, then https://api2.wechatpay.cn/]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Proxy for every request, or `none` [env: WXPAY_PROXY] [default: HTTPS_PROXY, ALL_PROXY]
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
    /// Give up on a request after this many seconds [default: 30]
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<u64>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send any APIv3 request, signed; verify the answer and print its JSON
    Request(RequestArgs),
    /// Download, verify and decrypt the platform certificates; print serials and validity
    Certificates(CertificatesArgs),
    /// Verify and decrypt a captured callback (notification); print the event
    Notify(NotifyArgs),
    /// Encrypt a sensitive field for WeChat Pay (RSA-OAEP with the platform key)
    Encrypt(CryptArgs),
    /// Decrypt a sensitive field WeChat Pay returned (with the merchant private key)
    Decrypt(CryptArgs),
    /// Sign client-side payment parameters for a prepay_id
    #[command(subcommand)]
    Paysign(Paysign),
    /// Bills: download one (SHA-1 checked), read one as JSON lines, reconcile one
    #[command(subcommand)]
    Bill(Bill),
    /// Check the settings the way WeChat Pay will: keys, certificates, serial, APIv3 key, clock, hosts
    Doctor(DoctorArgs),
    /// Serve the local WeChat Pay simulator (the flags of `wxpay-sandbox`; see `wxpay sandbox --help`)
    #[command(disable_help_flag = true)]
    Sandbox(SandboxArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// `wxpay request`.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  wxpay request GET 'v3/ecommerce/refunds/{refund_id}/return-advance' \\
      --path refund_id=50000000382019052709732678859 --query sub_mchid=1900000109")]
pub struct RequestArgs {
    /// GET, POST, PUT, PATCH or DELETE
    pub method: String,
    /// Path template, e.g. 'v3/pay/transactions/out-trade-no/{out_trade_no}'
    pub template: String,
    /// Path parameter {NAME} (percent-encoded as one segment)
    #[arg(long = "path", value_name = "NAME=VALUE")]
    pub path: Vec<String>,
    /// Query parameter, in the order given
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// JSON body, or @FILE to read it from FILE (@- for stdin)
    #[arg(long, value_name = "JSON|@FILE")]
    pub json: Option<String>,
    /// Extra request header (e.g. Wechatpay-Serial=...)
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub header: Vec<String>,
    /// Print the body exactly as received instead of pretty JSON
    #[arg(long)]
    pub raw: bool,
    /// Print the status, Request-ID and headers before the body
    #[arg(short = 'i', long = "include")]
    pub include: bool,
}

/// `wxpay certificates`.
#[derive(Debug, Args)]
pub struct CertificatesArgs {
    /// Save each certificate as DIR/wechatpay_SERIAL.pem
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also print the PEMs
    #[arg(long)]
    pub pem: bool,
}

/// `wxpay notify`.
#[derive(Debug, Args)]
#[command(after_help = "\
The headers file holds `Name: Value` lines (a raw HTTP request head works; other
lines are skipped) or a JSON object of names to values.")]
pub struct NotifyArgs {
    /// File with the callback's headers
    #[arg(long, value_name = "FILE", required_unless_present = "header")]
    pub headers: Option<PathBuf>,
    /// One header as `Name: Value` (repeatable; added to --headers)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// File with the exact body bytes [default: stdin]
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,
    /// Accept a signature older than WeChat's 300 s window (for captures); the age is printed
    #[arg(long)]
    pub allow_stale: bool,
}

/// `wxpay doctor`.
#[derive(Debug, Args)]
#[command(after_help = "\
Checks, offline first: the key files are readable by their owner only; the private key
belongs to the merchant certificate (--merchant-certificate) and the serial is its serial;
the platform certificates and the WeChat Pay public key are WeChat Pay's (not the merchant's
own) and valid; the APIv3 key is 32 characters. Then against each host (the base URL, else
WeChat Pay's two), through the configured proxy: it answers; the local clock agrees with its
signed Wechatpay-Timestamp; it accepts the request signature; its answer verifies with the
configured keys (public key id and key, platform certificates); the APIv3 key decrypts its
certificate listing (certificate mode). Each failure says how to fix it. Nothing secret is
printed.

Exit status: 0 every check passed (warnings allowed); else the lowest of the failed classes:
   2  settings missing or unreadable
  10  a key file readable by its group or others
  11  the merchant's private key, certificate or serial (WeChat Pay answers SIGN_ERROR)
  12  WeChat Pay's keys: the public key id or key, the platform certificates
  13  the APIv3 key
  14  the local clock (more than 300 s from WeChat Pay's)
  15  a host unreachable (network, DNS, proxy, TLS)")]
pub struct DoctorArgs {
    /// Only the checks that need no network
    #[arg(long)]
    pub offline: bool,
}

/// `wxpay encrypt` / `wxpay decrypt`.
#[derive(Debug, Args)]
pub struct CryptArgs {
    /// The value [default: one line from stdin]; prefer stdin for personal data
    pub value: Option<String>,
}

/// `wxpay paysign`.
#[derive(Debug, Subcommand)]
pub enum Paysign {
    /// Parameters for wx.requestPayment / WeixinJSBridge (JSAPI, mini-program)
    Jsapi(PaysignArgs),
    /// Parameters for the APP SDK's PayReq
    App(PaysignArgs),
}

/// The arguments of both `paysign` forms.
#[derive(Debug, Args)]
pub struct PaysignArgs {
    /// The AppID the order was created for
    #[arg(long, value_name = "APPID")]
    pub appid: String,
    /// The prepay_id the order returned
    #[arg(long, value_name = "ID")]
    pub prepay_id: String,
    /// Fixed unix timestamp (for reproducible output) [default: now]
    #[arg(long, value_name = "SECS")]
    pub timestamp: Option<i64>,
    /// Fixed nonce (for reproducible output) [default: random]
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
}

/// `wxpay bill`.
#[derive(Debug, Subcommand)]
pub enum Bill {
    /// Download a day's trade bill (v3/bill/tradebill), check its SHA-1 and save it
    Trade(BillDownloadArgs),
    /// Download a day's fund-flow bill (v3/bill/fundflowbill), check its SHA-1 and save it
    Fundflow(BillDownloadArgs),
    /// Read a saved bill: each row as a JSON line (amounts in fen), then the checked summary
    Parse(BillParseArgs),
    /// Reconcile a day's trade bill against a CSV of your orders (and refunds)
    Reconcile(BillReconcileArgs),
}

/// `wxpay bill trade|fundflow`.
#[derive(Debug, Args)]
#[command(after_help = "\
A day's bill exists from 10:00 China time the next day (WeChat Pay generates it from
09:00); before that WeChat Pay answers NO_STATEMENT_EXIST or STATEMENT_CREATING.")]
pub struct BillDownloadArgs {
    /// The day (China calendar), YYYY-MM-DD [default: yesterday in China]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// bill_type (trade: ALL, SUCCESS, REFUND) or account_type (fundflow: BASIC, OPERATION, FEES)
    #[arg(long = "type", value_name = "TYPE")]
    pub bill_type: Option<String>,
    /// Where to save the bill (written only once its SHA-1 matched)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Then print its rows as JSON lines, as `wxpay bill parse` does
    #[arg(long)]
    pub parse: bool,
    /// Progress on stderr: auto (only on a terminal), always or never
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub progress: Progress,
}

/// `wxpay bill parse`.
#[derive(Debug, Args)]
#[command(after_help = "\
Trade and fund-flow bills (APIv3 or APIv2 layout) are told apart by their header.
Rows print as {\"record\":\"payment\"|\"refund\"|\"fund_flow\", ...} with amounts in fen
(fees in thousandths of a fen, fee_milli_fen) and times in RFC 3339 (+08:00); the
last line is {\"summary\": ...}. A bill whose rows do not add up to its summary
exits 3, naming the total.")]
pub struct BillParseArgs {
    /// The bill file (- for stdin)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `wxpay bill reconcile`.
#[derive(Debug, Args)]
#[command(after_help = "\
ORDERS is a CSV with a header row naming at least: out_trade_no, total (fen),
state (PAID, UNPAID or CLOSED) and paid_at (China time 2024-03-01 12:00:00 or
RFC 3339; empty if unpaid). REFUNDS names out_refund_no, out_trade_no, amount (fen),
state (PROCESSING, SUCCEEDED or FAILED) and requested_at. Values are not quoted.

Each difference prints as a JSON line ({\"kind\": ..., ids, amounts}); the last line
is {\"reconciliation\": ...}. Exit 0 when bill and records agree, 6 when they differ.")]
pub struct BillReconcileArgs {
    /// The day's trade bill (ALL), as saved by `wxpay bill trade`
    #[arg(value_name = "BILL")]
    pub bill: PathBuf,
    /// The bill's day (China calendar), YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Your orders, CSV
    #[arg(long, value_name = "FILE")]
    pub orders: PathBuf,
    /// Your refunds, CSV
    #[arg(long, value_name = "FILE")]
    pub refunds: Option<PathBuf>,
}

/// When to show progress.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Progress {
    /// Only when stderr is a terminal
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// `wxpay sandbox`: everything is handed to the sandbox's own parser.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Flags of wxpay-sandbox (see `wxpay sandbox --help`)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

/// `wxpay completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: clap_complete::Shell,
}
