//! The pay page: what a person sees after scanning a `code_url` or opening an
//! `h5_url` (or a JSAPI prepay, by its id): the amount, the description, the
//! merchant, and Pay / Fail buttons.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;

use crate::app::App;
use crate::bill::yuan;
use crate::lifecycle::{fail, pay, OrderRef};
use crate::reply::WxError;

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn render(app: &App, token: &str, notice: &str) -> Result<Html<String>, WxError> {
    let order = OrderRef::Token(token.to_owned()).find(app)?;
    let state = order.state_at(app.now());
    let buttons = if state.wire() == "NOTPAY" {
        format!(
            r#"<form method="post" action="/sandbox/pay/{t}"><button name="action" value="pay">Pay ¥{amount}</button> <button name="action" value="fail">Fail</button></form>"#,
            t = escape(token),
            amount = yuan(order.total),
        )
    } else {
        String::new()
    };
    Ok(Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>wxpay sandbox · 支付</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<p>{notice}</p>
<h1>¥{amount}</h1>
<p>{description}</p>
<table>
<tr><th align="left">商户号</th><td>{mchid}</td></tr>
<tr><th align="left">商户订单号</th><td>{out_trade_no}</td></tr>
<tr><th align="left">交易状态</th><td>{state} ({desc})</td></tr>
</table>
{buttons}
<p><small>wxpay sandbox: no money moves.</small></p>
</body></html>
"#,
        notice = escape(notice),
        amount = yuan(order.total),
        description = escape(&order.description),
        mchid = escape(&order.mchid),
        out_trade_no = escape(&order.out_trade_no),
        state = state.wire(),
        desc = state.desc(),
    )))
}

pub(super) async fn show(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
) -> Result<Html<String>, WxError> {
    render(&app, &token, "")
}

/// The form posts `action=pay` or `action=fail`.
pub(super) async fn act(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Html<String>, WxError> {
    let form = String::from_utf8_lossy(&body);
    let action = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("action="))
        .unwrap_or_default();
    let target = OrderRef::Token(token.clone());
    let notice = match action {
        "pay" => match pay(&app, &target, None) {
            Ok(_) => "支付成功 — paid; the merchant is being notified.".to_owned(),
            Err(e) => format!("{}: {}", e.code, e.message),
        },
        "fail" => match fail(&app, &target) {
            Ok(_) => "支付失败 — the attempt failed; the order is still unpaid.".to_owned(),
            Err(e) => format!("{}: {}", e.code, e.message),
        },
        _ => {
            return Err(WxError::param(
                "the form must post action=pay or action=fail",
            ))
        }
    };
    render(&app, &token, &notice)
}
