//! The checks against the hosts: one signed `GET v3/certificates` per host
//! (and per kind of key to check), sent the way every command sends, through
//! the configured proxy. Its answer says whether the host is reachable,
//! what time WeChat Pay signed it at, whether the request signature was
//! accepted, whether the answer verifies with the configured keys, and, in
//! certificate mode, whether the APIv3 key decrypts the listing
//! ([`answers`](super::answers)). How a probe is sent: [`probe`](super::probe).

use wxpay_core::{Error, BACKUP_BASE_URL, DEFAULT_BASE_URL};

use super::answers::{answer_signature, listing};
use super::local::Loaded;
use super::probe::{route, send, Probe};
use super::{Class, Report};
use crate::commands::rfc3339;
use crate::config::Resolved;

/// WeChat Pay refuses requests (and the SDK answers) further apart than this.
const WINDOW_SECS: i64 = 300;

/// A clock further off than this is warned about, though still accepted.
const DRIFT_WARNING_SECS: i64 = 60;

/// Runs the checks against every host.
pub async fn check(config: &Resolved, loaded: &Loaded, report: &mut Report) {
    let (Some(_), Some(serial), Some(_)) = (&loaded.mchid, &loaded.serial, &loaded.private_key)
    else {
        report.skip(
            "hosts",
            "no request can be signed without the merchant id, serial and private key",
        );
        return;
    };
    let hosts: Vec<String> = match config.base_url() {
        Some(url) => vec![url.to_owned()],
        None => vec![DEFAULT_BASE_URL.to_owned(), BACKUP_BASE_URL.to_owned()],
    };
    // Which key each request asks WeChat Pay to sign with: the public key,
    // and the platform certificates (the first configured, else WeChat Pay's
    // choice, which the listing's own certificates then verify).
    let mut kinds: Vec<Option<String>> = Vec::new();
    if let Some((id, _)) = &loaded.public_key {
        kinds.push(Some(id.clone()));
    }
    let certificate_mode = !config.platform_certificate_paths().is_empty()
        || (loaded.public_key.is_none() && config.public_key_setting().0.is_none());
    if certificate_mode {
        kinds.push(
            loaded
                .platform_certificates
                .first()
                .map(|c| c.serial().to_owned()),
        );
    }
    if kinds.is_empty() {
        kinds.push(None);
    }

    let mut examined = false;
    for host in &hosts {
        let probe = match send(config, serial, host, kinds[0].clone()).await {
            Ok(probe) => probe,
            Err(e) => {
                report.fail(
                    Class::Settings,
                    "host",
                    format!("{host}: {e}"),
                    "correct the base URL, the proxy or the key settings named",
                );
                continue;
            }
        };
        if !reachability(config, &probe, report) {
            continue;
        }
        clock(&probe, report);
        if examined {
            continue;
        }
        examined = true;
        let mut probes = vec![probe];
        for named in kinds.iter().skip(1) {
            match send(config, serial, host, named.clone()).await {
                Ok(probe) if probe.reached() => probes.push(probe),
                _ => {}
            }
        }
        request_signature(loaded, &probes[0], report);
        let listed = listing(loaded, &probes, certificate_mode, report);
        // Without configured keys, the listing's own certificates verify it
        // (as the first download does); configured keys are judged alone.
        let bootstrap = loaded.public_key.is_none()
            && config.platform_certificate_paths().is_empty()
            && config.public_key_setting().0.is_none();
        let trusted = if bootstrap { listed.as_slice() } else { &[] };
        for probe in &probes {
            answer_signature(loaded, probe, trusted, report);
        }
    }
}

fn reachability(config: &Resolved, probe: &Probe, report: &mut Report) -> bool {
    let route = route(config, &probe.host);
    let host = &probe.host;
    match &probe.outcome {
        Err(e @ (Error::Transport(_) | Error::Timeout)) => {
            report.fail(
                Class::Network,
                "host",
                format!("{host} cannot be reached ({route}): {}", e),
                "check the host name (base_url), DNS, the firewall (outbound HTTPS to it) \
                 and the proxy (--proxy, WXPAY_PROXY, HTTPS_PROXY, NO_PROXY)",
            );
            false
        }
        Err(Error::Config(message)) => {
            report.fail(
                Class::Settings,
                "host",
                format!("{host}: {message}"),
                "correct the base URL (https://api.mch.weixin.qq.com/ unless told otherwise)",
            );
            false
        }
        Err(Error::UnexpectedStatus { status, .. }) => {
            report.fail(
                Class::Network,
                "host",
                format!("{host} answered HTTP {status} ({route}): not WeChat Pay's API (a captive portal, a proxy's page?)"),
                "check the base URL and the proxy",
            );
            false
        }
        _ => {
            let status = probe
                .status()
                .map_or_else(String::new, |s| format!(" HTTP {s}"));
            report.ok(
                "host",
                format!(
                    "{host} answered{status} in {} ms ({route})",
                    probe.elapsed.as_millis()
                ),
            );
            true
        }
    }
}

fn clock(probe: &Probe, report: &mut Report) {
    let Some((wechat, source)) = probe.wechat_time() else {
        report.skip(
            "clock",
            format!(
                "{}: the answer carried no signed time (Wechatpay-Timestamp) or Date",
                probe.host
            ),
        );
        return;
    };
    let skew = wechat - probe.local_now;
    let direction = if skew > 0 { "behind" } else { "ahead of" };
    let detail = format!(
        "this machine's clock is {} s {direction} {}'s ({source} {}, here {})",
        skew.abs(),
        probe.host,
        rfc3339(wechat),
        rfc3339(probe.local_now)
    );
    let fix = "synchronise the clock with NTP (timedatectl set-ntp true, or chronyc makestep) \
               and keep it synchronised";
    if skew.abs() > WINDOW_SECS {
        report.fail(
            Class::Clock,
            "clock",
            format!("{detail}: WeChat Pay refuses requests, and the SDK its answers, more than {WINDOW_SECS} s apart"),
            fix,
        );
    } else if skew.abs() > DRIFT_WARNING_SECS {
        report.warn(
            "clock",
            format!("{detail}, inside the {WINDOW_SECS} s allowed"),
            fix,
        );
    } else {
        report.ok(
            "clock",
            format!("within {} s of {}'s ({source})", skew.abs(), probe.host),
        );
    }
}

fn request_signature(loaded: &Loaded, probe: &Probe, report: &mut Report) {
    let mchid = loaded.mchid.as_deref().unwrap_or_default();
    let serial = loaded.serial.as_deref().unwrap_or_default();
    if probe.skewed() {
        report.skip(
            "request signature",
            "cannot be judged while the clocks disagree (fix the clock first)",
        );
        return;
    }
    match &probe.outcome {
        Err(Error::Api(e)) if e.status == 401 => {
            let fix = if report.failed(Class::Merchant) {
                "see the merchant certificate checks above".to_owned()
            } else if loaded.identity_checked {
                format!(
                    "the key, certificate and serial agree, but WeChat Pay does not accept them \
                     for mchid {mchid}: check the merchant id, and that this API certificate is \
                     the merchant's current one (商户平台 → 账户中心 → API安全 → API证书)"
                )
            } else {
                "check that merchant_serial is the serial of the merchant API certificate \
                 (apiclient_cert.pem) and private_key its key (apiclient_key.pem); give \
                 --merchant-certificate apiclient_cert.pem and doctor compares them"
                    .to_owned()
            };
            report.fail(
                Class::Merchant,
                "request signature",
                format!(
                    "WeChat Pay refused the signature of mchid {mchid}, serial {serial}: {} {}",
                    e.code, e.message
                ),
                fix,
            );
        }
        Err(Error::Api(e)) if e.status != 404 => report.warn(
            "request signature",
            format!("v3/certificates answered {e}"),
            "quote the Request-ID to WeChat Pay support if it persists",
        ),
        _ => report.ok(
            "request signature",
            format!("accepted for mchid {mchid}, serial {serial}"),
        ),
    }
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as unix seconds.
pub fn http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: i64 = day.parse().ok()?;
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let year: i64 = year.parse().ok()?;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::http_date;

    #[test]
    fn http_dates_are_read() {
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date("Tue, 14 Nov 2023 22:13:20 GMT"),
            Some(1_700_000_000)
        );
        assert_eq!(http_date("Tue, 14 Foo 2023 22:13:20 GMT"), None);
        assert_eq!(http_date("soon"), None);
    }
}
