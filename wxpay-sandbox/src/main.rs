//! `wxpay-sandbox`: run the WeChat Pay APIv3 sandbox as a standalone server.

fn main() -> std::process::ExitCode {
    wxpay_sandbox::unstable::cli_main(std::env::args().skip(1))
}
