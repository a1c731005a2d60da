//! `bill trade|fundflow|parse|reconcile` against a sandbox of their own,
//! whose clock starts at noon China time and moves to the next morning,
//! when WeChat Pay has the day's bill.

use std::sync::OnceLock;

use crate::support::*;

struct Day {
    sandbox: Sandbox,
    config: PathBuf,
    date: String,
    dir: PathBuf,
}

/// A sandbox with a day of business (two paid orders, one refund), its
/// clock at 10:00 the next morning, and the day's ALL bill saved.
fn day() -> &'static Day {
    static DAY: OnceLock<Day> = OnceLock::new();
    DAY.get_or_init(|| {
        let noon = wxpay_core::bills::BillDate::today_in_china()
            .at(12, 0, 0)
            .unwrap()
            .to_system_time();
        let (sandbox, dir) = start_with(
            &shared().runtime,
            Sandbox::builder().start_clock_at(noon),
            "bill-day",
        );
        let config = dir.join(CLI_CONFIG_FILE);
        let mchid = sandbox.merchant().mchid.clone();
        let date = sandbox.today();
        let at = |args: &[&str]| {
            let mut all = vec!["--config", config.to_str().unwrap()];
            all.extend_from_slice(args);
            run_with(&all, &[], b"")
        };
        for (no, total) in [("CLI-BILL-1", 100), ("CLI-BILL-2", 250)] {
            let order = json!({"appid": APPID, "mchid": mchid, "description": "账单测试",
                "out_trade_no": no, "notify_url": "http://127.0.0.1:9/n",
                "amount": {"total": total}, "payer": {"openid": OPENID}})
            .to_string();
            expect_ok(&at(&[
                "request",
                "POST",
                "v3/pay/transactions/jsapi",
                "--json",
                &order,
            ]));
            let _runtime = shared().runtime.enter();
            sandbox.pay_order(&mchid, no).unwrap();
        }
        let refund = json!({"out_trade_no": "CLI-BILL-2", "out_refund_no": "CLI-REFUND-1",
            "amount": {"refund": 50, "total": 250, "currency": "CNY"}})
        .to_string();
        expect_ok(&at(&[
            "request",
            "POST",
            "v3/refund/domestic/refunds",
            "--json",
            &refund,
        ]));

        // Today's bill does not exist yet: exit 1, with when to ask again.
        let early = at(&[
            "bill",
            "trade",
            "--date",
            &date,
            "--out",
            "/nonexistent/x.csv",
        ]);
        let err = expect_exit(&early, 1);
        assert!(err.contains("NO_STATEMENT_EXIST"), "{err}");
        assert!(err.contains("ask again after"), "{err}");

        assert_eq!(sandbox.advance_to_bill_time(), date);
        let dir = temp("bill-files");
        Day {
            sandbox,
            config,
            date,
            dir,
        }
    })
}

fn wxpay_day(args: &[&str]) -> Output {
    let mut all = vec!["--config", day().config.to_str().unwrap()];
    all.extend_from_slice(args);
    run_with(&all, &[], b"")
}

/// The day's bill, downloaded once however many tests ask at the same time.
fn saved_bill() -> PathBuf {
    static SAVED: OnceLock<PathBuf> = OnceLock::new();
    SAVED.get_or_init(download_bill).clone()
}

fn download_bill() -> PathBuf {
    let file = day().dir.join("trade.csv");
    let out = wxpay_day(&[
        "bill",
        "trade",
        "--date",
        &day().date,
        "--out",
        file.to_str().unwrap(),
    ]);
    let printed = expect_ok(&out);
    assert!(
        printed.starts_with("saved ") && printed.contains("verified"),
        "{printed}"
    );
    assert!(
        out.stderr.is_empty(),
        "no progress when piped: {}",
        stderr(&out)
    );
    assert!(!day().dir.join("trade.csv.partial").exists());
    file
}

/// The saved ALL bill of the day and its date (for `exit_codes`).
pub fn saved_bill_and_date() -> (PathBuf, String) {
    (saved_bill(), day().date.clone())
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn bill_is_downloaded_hash_checked_and_parsed() {
    let file = saved_bill();
    let content = std::fs::read_to_string(&file).unwrap();
    assert!(content.contains("CLI-BILL-1"), "{content}");

    // `bill parse`: rows as JSON lines, amounts in fen, then the summary.
    let rows = json_lines(&expect_ok(&run_with(
        &["bill", "parse", file.to_str().unwrap()],
        &[],
        b"",
    )));
    assert_eq!(rows.len(), 4, "{rows:?}");
    let paid = rows
        .iter()
        .find(|r| r["out_trade_no"] == "CLI-BILL-1")
        .unwrap();
    assert_eq!(paid["record"], "payment");
    assert_eq!(paid["order_total"], 100);
    assert_eq!(paid["fee_milli_fen"], 1000);
    assert_eq!(paid["product"], "账单测试");
    let refund = rows.iter().find(|r| r["record"] == "refund").unwrap();
    assert_eq!(
        (refund["out_refund_no"].as_str(), refund["refund"].as_i64()),
        (Some("CLI-REFUND-1"), Some(50))
    );
    assert_eq!(rows[3]["summary"]["count"], 3);
    assert_eq!(rows[3]["layout"], "ALL");

    // Downloading with --parse prints the same rows; the note goes to stderr.
    let again = day().dir.join("fund.csv");
    let out = wxpay_day(&[
        "bill",
        "fundflow",
        "--date",
        &day().date,
        "--out",
        again.to_str().unwrap(),
        "--parse",
        "--progress",
        "always",
    ]);
    let fund = json_lines(&expect_ok(&out));
    assert_eq!(fund[0]["record"], "fund_flow");
    assert_eq!(fund[0]["direction"], "收入");
    assert!(fund.last().unwrap()["summary"]["income_count"].as_u64() == Some(2));
    assert!(
        stderr(&out).contains("downloading") && stderr(&out).contains("saved"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bill_that_does_not_add_up_exits_3_naming_the_total() {
    let text = std::fs::read_to_string(saved_bill()).unwrap();
    let (head, last) = text.trim_end().rsplit_once("\r\n").unwrap();
    let tampered = format!("{head}\r\n{}\r\n", last.replacen("`3,", "`4,", 1));
    let file = day().dir.join("tampered.csv");
    std::fs::write(&file, tampered).unwrap();
    let err = expect_exit(
        &run_with(&["bill", "parse", file.to_str().unwrap()], &[], b""),
        3,
    );
    assert!(
        err.contains("总交易单数 is 4, its rows add up to 3"),
        "{err}"
    );
    let junk = day().dir.join("junk.csv");
    std::fs::write(&junk, "name,amount\n").unwrap();
    let err = expect_exit(
        &run_with(&["bill", "parse", junk.to_str().unwrap()], &[], b""),
        2,
    );
    assert!(err.contains("neither a trade bill"), "{err}");
}

#[test]
fn reconcile_reports_differences_and_exits_6() {
    let bill = saved_bill();
    let noon = format!("{} 12:00:00", day().date);
    let orders = day().dir.join("orders.csv");
    let refunds = day().dir.join("refunds.csv");
    std::fs::write(
        &orders,
        format!("out_trade_no,total,state,paid_at\nCLI-BILL-1,100,PAID,{noon}\nCLI-BILL-2,250,PAID,{noon}\n"),
    )
    .unwrap();
    std::fs::write(
        &refunds,
        format!("out_refund_no,out_trade_no,amount,state,requested_at\nCLI-REFUND-1,CLI-BILL-2,50,SUCCEEDED,{noon}\n"),
    )
    .unwrap();
    let args = |orders: &Path| {
        vec![
            "bill".to_owned(),
            "reconcile".into(),
            bill.to_str().unwrap().into(),
            "--date".into(),
            day().date.clone(),
            "--orders".into(),
            orders.to_str().unwrap().into(),
            "--refunds".into(),
            refunds.to_str().unwrap().into(),
        ]
    };
    let run =
        |a: Vec<String>| run_with(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[], b"");
    let clean = json_lines(&expect_ok(&run(args(&orders))));
    assert_eq!(clean.len(), 1, "{clean:?}");
    assert_eq!(clean[0]["reconciliation"]["matched"], 3);

    // A missed payment, a wrong amount, an unpaid order the bill says is paid.
    let off = day().dir.join("orders-off.csv");
    std::fs::write(
        &off,
        format!("paid_at,state,total,out_trade_no\n{noon},PAID,101,CLI-BILL-1\n,UNPAID,250,CLI-BILL-2\n{noon},PAID,7,LOST-1\n"),
    )
    .unwrap();
    let out = run(args(&off));
    let err = expect_exit(&out, 6);
    let found = json_lines(&stdout(&out));
    // In bill order (by payment time), then what the bill lacks.
    let mut kinds: Vec<&str> = found[..2]
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["amount_mismatch", "state_mismatch"]);
    assert_eq!(found[2]["kind"], "missing_from_bill");
    assert_eq!(found[2]["out_trade_no"], "LOST-1");
    assert!(
        err.contains("order LOST-1 is paid in your records but not in the bill"),
        "{err}"
    );

    let bad = day().dir.join("orders-bad.csv");
    std::fs::write(&bad, "out_trade_no,total\nX,1\n").unwrap();
    let err = expect_exit(&run(args(&bad)), 2);
    assert!(err.contains("has no column state"), "{err}");
}

#[test]
fn bill_for_a_bad_date_exits_2_and_writes_nothing() {
    let file = day().dir.join("bad.csv");
    let err = expect_exit(
        &wxpay_day(&[
            "bill",
            "trade",
            "--date",
            "2020-13-45",
            "--out",
            file.to_str().unwrap(),
        ]),
        2,
    );
    assert!(err.contains("--date"), "{err}");
    assert!(!file.exists());
    let _ = &day().sandbox;
}
