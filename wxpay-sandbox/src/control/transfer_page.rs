//! The confirm page: what a user sees when the merchant's app calls
//! `wx.requestMerchantTransfer` with a bill's `package_info` (确认收款):
//! the amount, the remark, the merchant, and Confirm / Reject buttons.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;

use super::page::escape;
use crate::app::App;
use crate::bill::yuan;
use crate::ops::transfer::lifecycle::{confirm, reject, BillRef};
use crate::ops::transfer::BillState;
use crate::reply::WxError;

fn render(app: &App, package: &str, notice: &str) -> Result<Html<String>, WxError> {
    let bill = BillRef::Package(package.to_owned()).find(app)?;
    let buttons = if bill.state == BillState::WaitUserConfirm {
        format!(
            r#"<form method="post" action="/sandbox/transfer/{p}"><button name="action" value="confirm">确认收款 ¥{amount}</button> <button name="action" value="reject">Reject</button></form>"#,
            p = escape(package),
            amount = yuan(bill.transfer_amount),
        )
    } else {
        String::new()
    };
    Ok(Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>wxpay sandbox · 收款</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<p>{notice}</p>
<h1>¥{amount}</h1>
<p>{remark}</p>
<table>
<tr><th align="left">商户号</th><td>{mchid}</td></tr>
<tr><th align="left">商户单号</th><td>{out_bill_no}</td></tr>
<tr><th align="left">单据状态</th><td>{state}</td></tr>
</table>
{buttons}
<p><small>wxpay sandbox: no money moves.</small></p>
</body></html>
"#,
        notice = escape(notice),
        amount = yuan(bill.transfer_amount),
        remark = escape(&bill.transfer_remark),
        mchid = escape(bill.sub_mchid.as_deref().unwrap_or(&bill.mchid)),
        out_bill_no = escape(&bill.out_bill_no),
        state = bill.state.wire(),
    )))
}

pub(super) async fn show(
    State(app): State<Arc<App>>,
    Path(package): Path<String>,
) -> Result<Html<String>, WxError> {
    render(&app, &package, "")
}

/// The form posts `action=confirm` or `action=reject`.
pub(super) async fn act(
    State(app): State<Arc<App>>,
    Path(package): Path<String>,
    body: Bytes,
) -> Result<Html<String>, WxError> {
    let form = String::from_utf8_lossy(&body);
    let action = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("action="))
        .unwrap_or_default();
    let target = BillRef::Package(package.clone());
    let notice = match action {
        "confirm" => match confirm(&app, &target, None) {
            Ok(_) => "已确认收款 — confirmed; the money is on its way.".to_owned(),
            Err(e) => format!("{}: {}", e.code, e.message),
        },
        "reject" => match reject(&app, &target) {
            Ok(_) => "not taken — the transfer fails as an unconfirmed one does.".to_owned(),
            Err(e) => format!("{}: {}", e.code, e.message),
        },
        _ => {
            return Err(WxError::param(
                "the form must post action=confirm or action=reject",
            ))
        }
    };
    render(&app, &package, &notice)
}
