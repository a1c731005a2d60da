//! The pages a person acts on, one template and one form handler for both:
//!
//! - the pay page: what a person sees after scanning a `code_url` or opening
//!   an `h5_url` (or a JSAPI prepay, by its id): the amount, the
//!   description, the merchant, and Pay / Fail buttons;
//! - the confirm page: what a user sees when the merchant's app calls
//!   `wx.requestMerchantTransfer` with a bill's `package_info` (确认收款):
//!   the amount, the remark, the merchant, and Confirm / Reject buttons.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;

use crate::app::App;
use crate::bill::yuan;
use crate::lifecycle::{fail, pay, OrderRef};
use crate::ops::transfer::lifecycle::{confirm, reject, BillRef};
use crate::ops::transfer::BillState;
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

/// What a page shows of its order or bill.
struct Sheet {
    /// After `wxpay sandbox · ` in the title.
    title: &'static str,
    /// Where its form posts.
    form_action: String,
    /// Fen.
    amount: i64,
    /// The description or remark.
    text: String,
    rows: [(&'static str, String); 3],
    /// The buttons (`action` value, label), while the person can still act.
    buttons: Option<[(&'static str, String); 2]>,
}

fn render(sheet: Sheet, notice: &str) -> Html<String> {
    let buttons = sheet.buttons.map_or_else(String::new, |buttons| {
        let buttons: Vec<String> = buttons
            .iter()
            .map(|(value, label)| {
                format!(r#"<button name="action" value="{value}">{label}</button>"#)
            })
            .collect();
        format!(
            r#"<form method="post" action="{}">{}</form>"#,
            sheet.form_action,
            buttons.join(" ")
        )
    });
    let rows: String = sheet
        .rows
        .iter()
        .map(|(label, value)| {
            format!(
                "<tr><th align=\"left\">{label}</th><td>{}</td></tr>\n",
                escape(value)
            )
        })
        .collect();
    Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>wxpay sandbox · {title}</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<p>{notice}</p>
<h1>¥{amount}</h1>
<p>{text}</p>
<table>
{rows}</table>
{buttons}
<p><small>wxpay sandbox: no money moves.</small></p>
</body></html>
"#,
        title = sheet.title,
        notice = escape(notice),
        amount = yuan(sheet.amount),
        text = escape(&sheet.text),
    ))
}

/// One of a form's two actions: its `action` value, what it does, and what
/// the page then says.
type Action<'a> = (
    &'static str,
    &'a dyn Fn() -> Result<(), WxError>,
    &'static str,
);

/// Runs the action a form posted (`action=...`): the notice to show, its
/// error if it failed; another action is refused.
fn act_on(body: &Bytes, actions: [Action<'_>; 2]) -> Result<String, WxError> {
    let form = String::from_utf8_lossy(body);
    let posted = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("action="))
        .unwrap_or_default();
    let (_, run, done) = actions
        .iter()
        .find(|(value, _, _)| *value == posted)
        .ok_or_else(|| {
            WxError::param(format!(
                "the form must post action={} or action={}",
                actions[0].0, actions[1].0
            ))
        })?;
    Ok(match run() {
        Ok(()) => (*done).to_owned(),
        Err(e) => format!("{}: {}", e.code, e.message),
    })
}

fn pay_sheet(app: &App, token: &str) -> Result<Sheet, WxError> {
    let order = OrderRef::Token(token.to_owned()).find(app)?;
    let state = order.state_at(app.now());
    Ok(Sheet {
        title: "支付",
        form_action: format!("/sandbox/pay/{}", escape(token)),
        amount: order.total,
        text: order.description.clone(),
        rows: [
            ("商户号", order.mchid.clone()),
            ("商户订单号", order.out_trade_no.clone()),
            ("交易状态", format!("{} ({})", state.wire(), state.desc())),
        ],
        buttons: (state.wire() == "NOTPAY").then(|| {
            [
                ("pay", format!("Pay ¥{}", yuan(order.total))),
                ("fail", "Fail".to_owned()),
            ]
        }),
    })
}

pub(super) async fn show(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
) -> Result<Html<String>, WxError> {
    Ok(render(pay_sheet(&app, &token)?, ""))
}

/// The form posts `action=pay` or `action=fail`.
pub(super) async fn act(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Html<String>, WxError> {
    let target = OrderRef::Token(token.clone());
    let notice = act_on(
        &body,
        [
            (
                "pay",
                &|| pay(&app, &target, None).map(drop),
                "支付成功 — paid; the merchant is being notified.",
            ),
            (
                "fail",
                &|| fail(&app, &target).map(drop),
                "支付失败 — the attempt failed; the order is still unpaid.",
            ),
        ],
    )?;
    Ok(render(pay_sheet(&app, &token)?, &notice))
}

fn transfer_sheet(app: &App, package: &str) -> Result<Sheet, WxError> {
    let bill = BillRef::Package(package.to_owned()).find(app)?;
    Ok(Sheet {
        title: "收款",
        form_action: format!("/sandbox/transfer/{}", escape(package)),
        amount: bill.transfer_amount,
        text: bill.transfer_remark.clone(),
        rows: [
            (
                "商户号",
                bill.sub_mchid.clone().unwrap_or_else(|| bill.mchid.clone()),
            ),
            ("商户单号", bill.out_bill_no.clone()),
            ("单据状态", bill.state.wire().to_owned()),
        ],
        buttons: (bill.state == BillState::WaitUserConfirm).then(|| {
            [
                (
                    "confirm",
                    format!("确认收款 ¥{}", yuan(bill.transfer_amount)),
                ),
                ("reject", "Reject".to_owned()),
            ]
        }),
    })
}

pub(super) async fn show_transfer(
    State(app): State<Arc<App>>,
    Path(package): Path<String>,
) -> Result<Html<String>, WxError> {
    Ok(render(transfer_sheet(&app, &package)?, ""))
}

/// The form posts `action=confirm` or `action=reject`.
pub(super) async fn act_transfer(
    State(app): State<Arc<App>>,
    Path(package): Path<String>,
    body: Bytes,
) -> Result<Html<String>, WxError> {
    let target = BillRef::Package(package.clone());
    let notice = act_on(
        &body,
        [
            (
                "confirm",
                &|| confirm(&app, &target, None).map(drop),
                "已确认收款 — confirmed; the money is on its way.",
            ),
            (
                "reject",
                &|| reject(&app, &target).map(drop),
                "not taken — the transfer fails as an unconfirmed one does.",
            ),
        ],
    )?;
    Ok(render(transfer_sheet(&app, &package)?, &notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_runs_the_action_it_posts_and_refuses_others() {
        let ok = || Ok(());
        let refused = || Err(WxError::invalid_request("no"));
        let actions = |body: &'static str| {
            act_on(
                &Bytes::from(body),
                [("yes", &ok, "done"), ("no", &refused, "never shown")],
            )
        };
        assert_eq!(actions("action=yes").unwrap(), "done");
        assert_eq!(actions("x=1&action=no").unwrap(), "INVALID_REQUEST: no");
        let e = actions("action=maybe").unwrap_err();
        assert!(
            e.message.contains("action=yes or action=no"),
            "{}",
            e.message
        );
    }

    #[test]
    fn buttons_show_only_while_the_person_can_act() {
        let sheet = |buttons| Sheet {
            title: "支付",
            form_action: "/sandbox/pay/t".into(),
            amount: 100,
            text: "<toy>".into(),
            rows: [("a", "1".into()), ("b", "2".into()), ("c", "3".into())],
            buttons,
        };
        let open = render(
            sheet(Some([("pay", "Pay".into()), ("fail", "Fail".into())])),
            "",
        )
        .0;
        assert!(open.contains(
            r#"<form method="post" action="/sandbox/pay/t"><button name="action" value="pay">Pay</button> <button name="action" value="fail">Fail</button></form>"#
        ));
        assert!(open.contains("¥1.00") && open.contains("&lt;toy&gt;"));
        assert!(!render(sheet(None), "").0.contains("<form"));
    }
}
