//! The APIv2 operations the sandbox answers: micropay, order query, reverse,
//! refund, refund query. Each request's `sign` is checked (MD5 or
//! HMAC-SHA256, as its `sign_type` says), certificate operations need the
//! merchant's client certificate, and answers are signed like WeChat's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use zeroize::Zeroizing;

use crate::wire::v2::sign::{sign, verify, SignType};
use crate::wire::v2::xml;

/// The largest request body read.
const MAX_BODY: usize = 64 * 1024;

type Fields = BTreeMap<String, String>;

/// An order paid by micropay.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) appid: String,
    pub(crate) transaction_id: String,
    pub(crate) total_fee: u64,
    pub(crate) refunded: u64,
    /// `SUCCESS`, `REVOKED` or `REFUND`.
    pub(crate) trade_state: &'static str,
}

/// A refund of an order.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) out_trade_no: String,
    pub(crate) refund_id: String,
    pub(crate) refund_fee: u64,
}

/// What the APIv2 sandbox knows.
pub(crate) struct State {
    pub(crate) mchid: String,
    /// The APIv2 key; never printed.
    pub(crate) key: Zeroizing<String>,
    pub(crate) orders: Mutex<HashMap<String, Order>>,
    pub(crate) refunds: Mutex<HashMap<String, Refund>>,
}

/// One business answer: fields on success, `(err_code, err_code_des)` on failure.
type Outcome = Result<Fields, (&'static str, String)>;

pub(crate) async fn handle(
    state: &State,
    client_certificate: bool,
    request: http::Request<hyper::body::Incoming>,
) -> http::Response<Full<Bytes>> {
    let path = request.uri().path().trim_start_matches('/').to_owned();
    let path = path.strip_prefix("v2/").unwrap_or(&path).to_owned();
    if request.method() != http::Method::POST {
        return reply(http::StatusCode::METHOD_NOT_ALLOWED, String::new());
    }
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return fail("请求体过大或读取失败"),
    };
    let Ok(fields) = xml::read(&body) else {
        return fail("XML格式错误");
    };
    let Some(documented) = crate::wire::v2::operation(&path) else {
        return reply(http::StatusCode::NOT_FOUND, String::new());
    };
    let operation: fn(&State, &Fields) -> Outcome = match documented.path {
        "pay/micropay" => micropay,
        "pay/orderquery" => orderquery,
        "secapi/pay/reverse" => reverse,
        "secapi/pay/refund" => refund,
        _ => refundquery,
    };
    if documented.certificate && !client_certificate {
        return fail("证书错误: this operation needs the merchant API certificate (mutual TLS)");
    }
    if fields.get("mch_id") != Some(&state.mchid) {
        return fail("mch_id参数错误");
    }
    let Some(sign_type) = SignType::from_field(fields.get("sign_type").map(String::as_str)) else {
        return fail("sign_type参数错误");
    };
    let received = fields.get("sign").map(String::as_str).unwrap_or_default();
    if !verify(&fields, &state.key, sign_type, received) {
        return fail("签名错误");
    }
    if fields
        .get("nonce_str")
        .is_none_or(|n| n.is_empty() || n.len() > 32)
    {
        return fail("nonce_str参数错误");
    }
    let mut answer = Fields::new();
    answer.insert("return_code".into(), "SUCCESS".into());
    answer.insert("return_msg".into(), "OK".into());
    answer.insert("mch_id".into(), state.mchid.clone());
    if let Some(appid) = fields.get("appid") {
        answer.insert("appid".into(), appid.clone());
    }
    answer.insert("nonce_str".into(), nonce());
    match operation(state, &fields) {
        Ok(more) => {
            answer.insert("result_code".into(), "SUCCESS".into());
            answer.extend(more);
        }
        Err((code, description)) => {
            answer.insert("result_code".into(), "FAIL".into());
            answer.insert("err_code".into(), code.into());
            answer.insert("err_code_des".into(), description);
        }
    }
    let signature = sign(&answer, &state.key, sign_type);
    answer.insert("sign".into(), signature);
    reply(http::StatusCode::OK, xml::write("xml", &answer))
}

fn micropay(state: &State, f: &Fields) -> Outcome {
    let out_trade_no = required(f, "out_trade_no")?;
    let total_fee = amount(f, "total_fee")?;
    let auth_code = required(f, "auth_code")?;
    required(f, "body")?;
    let appid = required(f, "appid")?;
    if auth_code.len() != 18 || !auth_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("AUTH_CODE_INVALID", "付款码无效，请重新扫码".into()));
    }
    let mut orders = lock(&state.orders);
    if orders.contains_key(out_trade_no) {
        return Err(("ORDERPAID", "该订单已支付".into()));
    }
    // A code starting `14` asks for the password first: the caller queries
    // (the next query finds it paid) or reverses.
    let waits = auth_code.starts_with("14");
    let order = Order {
        appid: appid.to_owned(),
        transaction_id: format!("42000{}", digits(23)),
        total_fee,
        refunded: 0,
        trade_state: if waits { "USERPAYING" } else { "SUCCESS" },
    };
    let answer = paid_fields(out_trade_no, &order);
    orders.insert(out_trade_no.to_owned(), order);
    if waits {
        return Err(("USERPAYING", "需要用户输入支付密码".into()));
    }
    Ok(answer)
}

fn orderquery(state: &State, f: &Fields) -> Outcome {
    let mut orders = lock(&state.orders);
    let out_trade_no = find_order(&orders, f)?.0.to_owned();
    let Some(order) = orders.get_mut(&out_trade_no) else {
        return Err(("ORDERNOTEXIST", "此交易订单号不存在".into()));
    };
    let mut answer = paid_fields(&out_trade_no, order);
    answer.insert("trade_state".into(), order.trade_state.into());
    if order.trade_state == "USERPAYING" {
        // The user enters the password while the merchant waits.
        order.trade_state = "SUCCESS";
    }
    Ok(answer)
}

fn reverse(state: &State, f: &Fields) -> Outcome {
    let mut orders = lock(&state.orders);
    let out_trade_no = find_order(&orders, f)?.0.to_owned();
    let Some(order) = orders.get_mut(&out_trade_no) else {
        return Err(("ORDERNOTEXIST", "订单不存在".into()));
    };
    if order.refunded > 0 || order.trade_state == "REFUND" {
        return Err(("REVERSE_EXPIRE", "订单已退款，不能撤销".into()));
    }
    order.trade_state = "REVOKED";
    Ok(Fields::from([("recall".to_owned(), "N".to_owned())]))
}

fn refund(state: &State, f: &Fields) -> Outcome {
    let out_refund_no = required(f, "out_refund_no")?;
    let total_fee = amount(f, "total_fee")?;
    let refund_fee = amount(f, "refund_fee")?;
    let mut orders = lock(&state.orders);
    let out_trade_no = find_order(&orders, f)?.0.to_owned();
    let mut refunds = lock(&state.refunds);
    let Some(order) = orders.get_mut(&out_trade_no) else {
        return Err(("ORDERNOTEXIST", "订单不存在".into()));
    };
    if let Some(existing) = refunds.get(out_refund_no) {
        // The same out_refund_no again: the same refund, as WeChat answers.
        if existing.out_trade_no != out_trade_no || existing.refund_fee != refund_fee {
            return Err(("INVALID_REQUEST", "out_refund_no 已用于另一笔退款".into()));
        }
        return Ok(refund_fields(&out_trade_no, out_refund_no, existing, order));
    }
    if matches!(order.trade_state, "REVOKED" | "USERPAYING") {
        return Err(("TRADE_STATE_ERROR", "订单未支付或已撤销".into()));
    }
    if total_fee != order.total_fee {
        return Err(("INVALID_REQUEST", "订单金额不一致".into()));
    }
    if refund_fee == 0 || refund_fee > order.total_fee - order.refunded {
        return Err(("NOTENOUGH", "可退金额不足".into()));
    }
    order.refunded += refund_fee;
    order.trade_state = "REFUND";
    let refund = Refund {
        out_trade_no: out_trade_no.clone(),
        refund_id: format!("50000{}", digits(24)),
        refund_fee,
    };
    let answer = refund_fields(&out_trade_no, out_refund_no, &refund, order);
    refunds.insert(out_refund_no.to_owned(), refund);
    Ok(answer)
}

fn refundquery(state: &State, f: &Fields) -> Outcome {
    let refunds = lock(&state.refunds);
    let orders = lock(&state.orders);
    let mut found: Vec<(&String, &Refund)> = match f.get("out_refund_no") {
        Some(no) => refunds.get_key_value(no).into_iter().collect(),
        None => {
            let out_trade_no = find_order(&orders, f)?.0;
            refunds
                .iter()
                .filter(|(_, r)| &r.out_trade_no == out_trade_no)
                .collect()
        }
    };
    found.sort_by_key(|(no, _)| no.as_str());
    let Some((_, first)) = found.first() else {
        return Err(("REFUNDNOTEXIST", "退款订单查询失败".into()));
    };
    let order = orders.get(&first.out_trade_no);
    let mut answer = Fields::new();
    answer.insert("out_trade_no".into(), first.out_trade_no.clone());
    if let Some(order) = order {
        answer.insert("transaction_id".into(), order.transaction_id.clone());
        answer.insert("total_fee".into(), order.total_fee.to_string());
    }
    answer.insert("refund_count".into(), found.len().to_string());
    let mut total = 0;
    for (i, (no, r)) in found.iter().enumerate() {
        answer.insert(format!("out_refund_no_{i}"), (*no).clone());
        answer.insert(format!("refund_id_{i}"), r.refund_id.clone());
        answer.insert(format!("refund_fee_{i}"), r.refund_fee.to_string());
        answer.insert(format!("refund_status_{i}"), "SUCCESS".into());
        total += r.refund_fee;
    }
    answer.insert("refund_fee".into(), total.to_string());
    Ok(answer)
}

fn paid_fields(out_trade_no: &str, order: &Order) -> Fields {
    Fields::from([
        ("out_trade_no".to_owned(), out_trade_no.to_owned()),
        ("transaction_id".to_owned(), order.transaction_id.clone()),
        ("total_fee".to_owned(), order.total_fee.to_string()),
        ("cash_fee".to_owned(), order.total_fee.to_string()),
        ("fee_type".to_owned(), "CNY".to_owned()),
        ("trade_type".to_owned(), "MICROPAY".to_owned()),
        ("bank_type".to_owned(), "OTHERS".to_owned()),
        (
            "openid".to_owned(),
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned(),
        ),
        ("is_subscribe".to_owned(), "N".to_owned()),
        ("time_end".to_owned(), "20260101120000".to_owned()),
    ])
}

fn refund_fields(
    out_trade_no: &str,
    out_refund_no: &str,
    refund: &Refund,
    order: &Order,
) -> Fields {
    Fields::from([
        ("out_trade_no".to_owned(), out_trade_no.to_owned()),
        ("transaction_id".to_owned(), order.transaction_id.clone()),
        ("out_refund_no".to_owned(), out_refund_no.to_owned()),
        ("refund_id".to_owned(), refund.refund_id.clone()),
        ("refund_fee".to_owned(), refund.refund_fee.to_string()),
        ("total_fee".to_owned(), order.total_fee.to_string()),
        ("cash_fee".to_owned(), order.total_fee.to_string()),
    ])
}

fn find_order<'a>(
    orders: &'a HashMap<String, Order>,
    f: &Fields,
) -> Result<(&'a String, &'a Order), (&'static str, String)> {
    let found = match (f.get("out_trade_no"), f.get("transaction_id")) {
        (Some(no), _) => orders.get_key_value(no),
        (None, Some(id)) => orders.iter().find(|(_, o)| &o.transaction_id == id),
        (None, None) => {
            return Err((
                "PARAM_ERROR",
                "out_trade_no 与 transaction_id 至少填一个".into(),
            ))
        }
    };
    found.ok_or(("ORDERNOTEXIST", "此交易订单号不存在".into()))
}

fn required<'a>(f: &'a Fields, name: &'static str) -> Result<&'a str, (&'static str, String)> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or(("PARAM_ERROR", format!("缺少参数 {name}")))
}

fn amount(f: &Fields, name: &'static str) -> Result<u64, (&'static str, String)> {
    required(f, name)?
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(("PARAM_ERROR", format!("{name} 不是正整数")))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn nonce() -> String {
    crate::random::alphanumeric(32).unwrap_or_else(|_| "0".repeat(32))
}

fn digits(n: usize) -> String {
    nonce()
        .bytes()
        .cycle()
        .take(n)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// `return_code=FAIL`, unsigned, as WeChat answers requests it cannot check.
fn fail(message: &str) -> http::Response<Full<Bytes>> {
    let answer = Fields::from([
        ("return_code".to_owned(), "FAIL".to_owned()),
        ("return_msg".to_owned(), message.to_owned()),
    ]);
    reply(http::StatusCode::OK, xml::write("xml", &answer))
}

fn reply(status: http::StatusCode, body: String) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// A copy of one order.
pub(crate) fn lock_order(state: &State, out_trade_no: &str) -> Option<Order> {
    lock(&state.orders).get(out_trade_no).cloned()
}

/// A copy of one refund.
pub(crate) fn lock_refund(state: &State, out_refund_no: &str) -> Option<Refund> {
    lock(&state.refunds).get(out_refund_no).cloned()
}
