//! Generated bills parse back to what generated them: a property test over
//! seeded random bills (layouts, amounts, fees, times, Chinese and ASCII
//! text with commas, empty values, BOM or not, CRLF or LF, summary number
//! formats), read a random number of bytes at a time, sync and async.
//! A small seeded generator instead of a property-testing crate: no build
//! cost, and a failing seed is printed to replay.

use wxpay_core::bills::{
    fen_to_yuan, AsyncTradeBillReader, BillError, ChinaTime, Fee, FundFlowBillReader,
    TradeBillReader, TradeRecord,
};

use super::Trickle;

/// xorshift64*: deterministic, good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn text(&mut self, max: u64) -> String {
        const PIECES: [&str; 10] = [
            "咖啡",
            "Image形象店",
            "QQ公仔",
            "a",
            "Z9",
            ", ",
            "大杯",
            "-",
            "_x",
            "退款",
        ];
        (0..self.below(max + 1))
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    time: i64,
    sub_mchid: Option<String>,
    device: String,
    transaction_id: String,
    out_trade_no: String,
    trade_type: String,
    state: String,
    settlement: i64,
    coupon: i64,
    refund: Option<(String, String, i64, String, i64)>,
    product: String,
    attach: String,
    fee: i64,
    order_total: i64,
}

fn yuan5(milli: i64) -> String {
    Fee::from_milli_fen(milli).to_string()
}

fn generate(rng: &mut Rng, layout: u64) -> (String, Vec<Row>) {
    let refund_layout = layout == 2;
    let has_refunds = layout != 1;
    let day_start = 1_709_222_400 - 8 * 3600; // 2024-03-01 00:00 China time
    let rows: Vec<Row> = (0..rng.below(40))
        .map(|i| {
            let is_refund = has_refunds && (refund_layout || rng.chance(30));
            let amount = match rng.below(4) {
                0 => 1,
                1 => rng.below(100_000) as i64,
                2 => rng.below(10_000_000_000) as i64,
                _ => 0,
            };
            let fee = rng.below(2_000_000) as i64 - 1_000_000;
            Row {
                time: day_start + rng.below(86_400) as i64,
                sub_mchid: rng.chance(50).then(|| rng.digits(10)),
                device: if rng.chance(50) {
                    String::new()
                } else {
                    rng.text(2)
                },
                transaction_id: format!("42{}", rng.digits(26)),
                out_trade_no: format!("G-{i}-{}", rng.digits(6)),
                trade_type: ["JSAPI", "NATIVE", "APP", "MWEB", "NEWTYPE"][rng.below(5) as usize]
                    .into(),
                state: if is_refund {
                    "REFUND".into()
                } else {
                    "SUCCESS".into()
                },
                settlement: if is_refund { 0 } else { amount },
                coupon: if is_refund { 0 } else { rng.below(100) as i64 },
                refund: is_refund.then(|| {
                    (
                        format!("50{}", rng.digits(27)),
                        format!("R-{i}"),
                        amount,
                        ["SUCCESS", "PROCESSING", "ABNORMAL"][rng.below(3) as usize].into(),
                        amount + rng.below(2) as i64,
                    )
                }),
                product: rng.text(6),
                attach: if rng.chance(30) {
                    rng.text(3)
                } else {
                    String::new()
                },
                fee,
                order_total: if is_refund {
                    0
                } else {
                    amount + rng.below(3) as i64
                },
            }
        })
        .collect();

    let mut header: Vec<&str> = vec![
        "交易时间",
        "公众账号ID",
        "商户号",
        "特约商户号",
        "设备号",
        "微信订单号",
        "商户订单号",
        "用户标识",
        "交易类型",
        "交易状态",
        "付款银行",
        "货币种类",
        "应结订单金额",
        "代金券金额",
    ];
    if refund_layout {
        header.extend(["退款申请时间", "退款成功时间"]);
    }
    if has_refunds {
        header.extend([
            "微信退款单号",
            "商户退款单号",
            "退款金额",
            "充值券退款金额",
            "退款类型",
            "退款状态",
        ]);
    }
    header.extend(["商品名称", "商户数据包", "手续费", "费率", "订单金额"]);
    if has_refunds {
        header.push("申请退款金额");
    }
    header.push("费率备注");

    let eol = if rng.chance(50) { "\r\n" } else { "\n" };
    let mut text = if rng.chance(70) {
        "\u{feff}".to_owned()
    } else {
        String::new()
    };
    text.push_str(&header.join(","));
    text.push_str(eol);
    for r in &rows {
        let t = ChinaTime::from_unix_seconds(r.time).to_string();
        let mut v: Vec<String> = vec![
            t.clone(),
            "wxd678efh567hg6787".into(),
            "1900009191".into(),
            r.sub_mchid.clone().unwrap_or_else(|| "0".into()),
            r.device.clone(),
            r.transaction_id.clone(),
            r.out_trade_no.clone(),
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            r.trade_type.clone(),
            r.state.clone(),
            "OTHERS".into(),
            "CNY".into(),
            fen_to_yuan(r.settlement),
            fen_to_yuan(r.coupon),
        ];
        if refund_layout {
            v.extend([t.clone(), String::new()]);
        }
        if has_refunds {
            match &r.refund {
                Some((id, no, amount, status, _)) => v.extend([
                    id.clone(),
                    no.clone(),
                    fen_to_yuan(*amount),
                    fen_to_yuan(0),
                    "ORIGINAL".into(),
                    status.clone(),
                ]),
                None => v.extend([
                    "0".into(),
                    "0".into(),
                    fen_to_yuan(0),
                    fen_to_yuan(0),
                    String::new(),
                    String::new(),
                ]),
            }
        }
        v.extend([
            r.product.clone(),
            r.attach.clone(),
            yuan5(r.fee),
            "0.60%".into(),
            fen_to_yuan(r.order_total),
        ]);
        if has_refunds {
            v.push(fen_to_yuan(r.refund.as_ref().map_or(0, |x| x.4)));
        }
        v.push(String::new());
        text.push('`');
        text.push_str(&v.join(",`"));
        text.push_str(eol);
    }
    let count = if rng.chance(50) {
        format!("{}.0", rows.len())
    } else {
        rows.len().to_string()
    };
    let settlement: i64 = rows.iter().map(|r| r.settlement).sum();
    let refunded: i64 = rows
        .iter()
        .filter_map(|r| r.refund.as_ref())
        .map(|x| x.2)
        .sum();
    let asked: i64 = rows
        .iter()
        .filter_map(|r| r.refund.as_ref())
        .map(|x| x.4)
        .sum();
    let fees: i64 = rows.iter().map(|r| r.fee).sum();
    let ordered: i64 = rows.iter().map(|r| r.order_total).sum();
    let (summary_header, summary) = if has_refunds {
        (
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
            vec![count, fen_to_yuan(settlement), fen_to_yuan(refunded), "0.0".into(), yuan5(fees), fen_to_yuan(ordered), fen_to_yuan(asked)],
        )
    } else {
        (
            "总交易单数,应结订单总金额,手续费总金额,订单总金额",
            vec![
                count,
                fen_to_yuan(settlement),
                yuan5(fees),
                fen_to_yuan(ordered),
            ],
        )
    };
    text.push_str(summary_header);
    text.push_str(eol);
    text.push('`');
    text.push_str(&summary.join(",`"));
    if rng.chance(80) {
        text.push_str(eol);
    }
    (text, rows)
}

fn check(record: &TradeRecord, row: &Row, seed: u64) {
    let ctx = format!("seed {seed}, {}", row.out_trade_no);
    assert_eq!(record.out_trade_no(), row.out_trade_no, "{ctx}");
    assert_eq!(record.transaction_id(), row.transaction_id, "{ctx}");
    assert_eq!(record.time().unix_seconds(), row.time, "{ctx}");
    match (record, &row.refund) {
        (TradeRecord::Payment(p), None) => {
            assert_eq!(p.sub_mchid(), row.sub_mchid.as_deref(), "{ctx}");
            assert_eq!(p.device_info(), row.device, "{ctx}");
            assert_eq!(p.trade_type().as_str(), row.trade_type, "{ctx}");
            assert_eq!(p.trade_state().as_str(), row.state, "{ctx}");
            assert_eq!(
                (p.settlement_total(), p.coupon(), p.order_total()),
                (row.settlement, row.coupon, row.order_total),
                "{ctx}"
            );
            assert_eq!(
                (p.product(), p.attach()),
                (&*row.product, &*row.attach),
                "{ctx}"
            );
            assert_eq!(p.fee().milli_fen(), row.fee, "{ctx}");
        }
        (TradeRecord::Refund(r), Some((id, no, amount, status, asked))) => {
            assert_eq!((r.refund_id(), r.out_refund_no()), (&**id, &**no), "{ctx}");
            assert_eq!(
                (r.refund(), r.requested_refund()),
                (*amount, *asked),
                "{ctx}"
            );
            assert_eq!(
                r.refund_status().map(|s| s.as_str()),
                Some(&**status),
                "{ctx}"
            );
            assert_eq!(r.fee().milli_fen(), row.fee, "{ctx}");
            assert_eq!(r.product(), row.product, "{ctx}");
        }
        (other, _) => panic!("{ctx}: read {other:?}"),
    }
}

#[test]
fn generated_trade_bills_parse_back_to_what_generated_them() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let layout = rng.below(3);
        let (text, rows) = generate(&mut rng, layout);
        let step = 1 + rng.below(97) as usize;
        let mut reader = TradeBillReader::new(Trickle {
            data: text.as_bytes(),
            step,
        });
        let mut n = 0;
        for (record, row) in (&mut reader).zip(&rows) {
            let record = record.unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
            check(&record, row, seed);
            n += 1;
        }
        assert_eq!(n, rows.len(), "seed {seed}");
        assert!(
            reader.next().is_none(),
            "seed {seed}: nothing after the rows"
        );
        let summary = reader
            .summary()
            .unwrap_or_else(|| panic!("seed {seed}: summary"));
        assert_eq!(summary.count, rows.len() as u64);
        assert_eq!(
            summary.fee_total.milli_fen(),
            rows.iter().map(|r| r.fee).sum::<i64>()
        );

        // One fen more in a total is caught, and named.
        if let Some(last) = text.trim_end().rsplit_once(",`") {
            let (head, tail) = last;
            let bumped = format!("{head},`{}", fen_to_yuan(wxpay_core_parse_fen(tail) + 1));
            let error = TradeBillReader::new(bumped.as_bytes())
                .find_map(Result::err)
                .unwrap_or_else(|| panic!("seed {seed}: a bumped total must fail"));
            assert!(
                matches!(error, BillError::SummaryMismatch { .. }),
                "seed {seed}: {error}"
            );
        }
    }
}

/// Yuan text to fen, for the test's own arithmetic (`12.50` → 1250).
fn wxpay_core_parse_fen(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let negative = whole.starts_with('-');
    let fen = whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + format!("{fraction:0<2}")[..2].parse::<i64>().unwrap();
    if negative {
        -fen
    } else {
        fen
    }
}

#[tokio::test]
async fn the_async_reader_reads_what_the_sync_reader_reads() {
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
        let layout = rng.below(3);
        let (text, _) = generate(&mut rng, layout);
        let sync: Vec<TradeRecord> = TradeBillReader::new(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        let mut reader = AsyncTradeBillReader::new(text.as_bytes());
        let mut streamed = Vec::new();
        while let Some(row) = reader.next().await {
            streamed.push(row.unwrap());
        }
        assert_eq!(sync, streamed, "seed {seed}");
        assert!(reader.summary().is_some());
    }
}

#[test]
fn generated_fund_flow_bills_parse_back() {
    for seed in 1..=100u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
        let moves: Vec<(bool, i64, String)> = (0..rng.below(30))
            .map(|_| (rng.chance(50), rng.below(1_000_000_000) as i64, rng.text(4)))
            .collect();
        let header = if rng.chance(50) {
            "收支金额(元),账户结余(元)"
        } else {
            "收支金额（元）,账户结余（元）"
        };
        let mut text = format!("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,{header},资金变更提交申请人,备注,业务凭证号\n");
        let mut balance = 0i64;
        for (i, (income, fen, note)) in moves.iter().enumerate() {
            balance += if *income { *fen } else { -fen };
            text.push_str(&format!(
                "`2024-03-01 10:00:{:02},`42{i},`19{i},`交易,`交易,`{},`{},`{},`system,`{note},`42{i}\n",
                i % 60,
                if *income { "收入" } else { "支出" },
                fen_to_yuan(*fen),
                fen_to_yuan(balance),
            ));
        }
        let (ins, outs): (Vec<_>, Vec<_>) = moves.iter().partition(|m| m.0);
        text.push_str("资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\n");
        text.push_str(&format!(
            "`{},`{},`{},`{},`{}\n",
            moves.len(),
            ins.len(),
            fen_to_yuan(ins.iter().map(|m| m.1).sum()),
            outs.len(),
            fen_to_yuan(outs.iter().map(|m| m.1).sum()),
        ));
        let step = 1 + rng.below(50) as usize;
        let mut reader = FundFlowBillReader::new(Trickle {
            data: text.as_bytes(),
            step,
        });
        let mut running = 0;
        for ((record, (income, fen, note)), i) in (&mut reader).zip(&moves).zip(0..) {
            let record = record.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            running += record.signed_amount();
            assert_eq!(record.amount(), *fen, "seed {seed}");
            assert_eq!(
                record.signed_amount() > 0 || *fen == 0,
                *income || *fen == 0
            );
            assert_eq!(record.balance(), running, "seed {seed}");
            assert_eq!(record.note(), note, "seed {seed}");
            assert_eq!(record.business_no(), format!("42{i}"));
        }
        assert!(reader.next().is_none());
        assert_eq!(
            reader.summary().unwrap().count,
            moves.len() as u64,
            "seed {seed}"
        );
    }
}
