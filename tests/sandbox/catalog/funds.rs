//! What the contract gives the profit-sharing and transfer examples so that
//! they meet what they refer to, as WeChat would need it: the partner APP
//! order the run paid (made with `settle_info.profit_sharing`), a receiver
//! added before the first split, amounts within what was paid, the order
//! the run split for the return, and a number of its own for each transfer.
//! The e-commerce platform's examples get a paid order of their own (the
//! partner family's split and unfreeze leave nothing of the first) and
//! numbers of their own (their examples share the partner split's, which
//! would be the same order); their return comes back from the receiver of
//! their split.

use serde_json::{json, Value};
use wxpay_core::{Client, Error, Method};
use wxpay_sandbox::catalog::Operation;
use wxpay_sandbox::{Sandbox, DEFAULT_SUB_MCHID, PROFIT_SHARING_OPERATIONS, TRANSFER_OPERATIONS};

/// The receiver the examples name (`86693852`, a merchant).
const RECEIVER: &str = "86693852";

/// The number the unfreeze gets: the examples give it the split's own.
const UNFREEZE_NO: &str = "contract_unfreeze";

/// What the e-commerce split made: its numbers and the receiver it paid.
struct EcommerceSplit {
    order_id: String,
    out_order_no: String,
    receiver: String,
}

/// The e-commerce split's and finish-order's numbers.
const ECOMMERCE_SPLIT_NO: &str = "contract_ecommerce";
const ECOMMERCE_FINISH_NO: &str = "contract_ecommerce_finish";

/// The e-commerce return's number (its example shares the partner
/// return's, which would be that return).
const ECOMMERCE_RETURN_NO: &str = "contract_ecommerce_return";

/// What the run made that these examples refer to.
#[derive(Default)]
pub struct Funds {
    /// The partner APP order's `transaction_id` (paid, shareable).
    pub partner_transaction: Option<String>,
    /// The split the run made: `order_id`, `out_order_no`.
    split: Option<(String, String)>,
    /// The second-level merchant's paid, shareable order the e-commerce
    /// examples split, and the split's `out_order_no`.
    pub ecommerce_transaction: Option<String>,
    ecommerce_split: Option<EcommerceSplit>,
    /// The direct transfer's `transfer_bill_no`.
    transfer_bill_no: Option<String>,
}

pub fn is_funds(op: &Operation) -> bool {
    let key = (op.method.as_str(), op.path.as_str());
    PROFIT_SHARING_OPERATIONS.contains(&key) || TRANSFER_OPERATIONS.contains(&key)
}

/// The e-commerce platform's profit sharing, with state.
fn is_ecommerce(op: &Operation) -> bool {
    is_funds(op) && op.path.starts_with("v3/ecommerce/")
}

/// The order in which the operations that met nothing the first time are
/// tried again: the e-commerce split before its query and its return, the
/// return before its query, finish-order (which leaves nothing to split)
/// last, the rest as listed.
pub fn retry_rank(op: &Operation) -> u8 {
    match (op.method.as_str(), op.path.as_str()) {
        ("POST", "v3/ecommerce/profitsharing/orders") => 0,
        ("POST", "v3/ecommerce/profitsharing/finish-order") => 2,
        ("GET", "v3/ecommerce/profitsharing/returnorders") => 2,
        _ => 1,
    }
}

/// Pays the second-level merchant's order the e-commerce examples split.
pub async fn ecommerce_order(sandbox: &Sandbox, client: &Client) -> String {
    crate::funds::paid_shareable_order(
        sandbox,
        client,
        "contract_ecommerce",
        100,
        Some(DEFAULT_SUB_MCHID),
    )
    .await
}

/// The transfer examples share one `out_bill_no`: each create gets its own,
/// and the direct queries and cancel ask for the direct one.
fn own_out_bill_no(op: &Operation) -> &'static str {
    if op.path.contains("/partner/") {
        "contractpartner"
    } else {
        "contractdirect"
    }
}

/// A path parameter the run decides.
pub fn path_value(op: &Operation, name: &str, funds: &Funds) -> Option<String> {
    if !is_funds(op) {
        return None;
    }
    match name {
        "transaction_id" if is_ecommerce(op) => funds.ecommerce_transaction.clone(),
        "transaction_id" => funds.partner_transaction.clone(),
        "out_bill_no" => Some(own_out_bill_no(op).to_owned()),
        "transfer_bill_no" => funds.transfer_bill_no.clone(),
        _ => None,
    }
}

/// A query parameter the run decides.
pub fn query_value(op: &Operation, name: &str, funds: &Funds) -> Option<String> {
    if !is_funds(op) {
        return None;
    }
    match name {
        "transaction_id" if is_ecommerce(op) => funds.ecommerce_transaction.clone(),
        "out_order_no" if is_ecommerce(op) => funds
            .ecommerce_split
            .as_ref()
            .map(|s| s.out_order_no.clone()),
        "transaction_id" => funds.partner_transaction.clone(),
        "out_order_no" => funds.split.as_ref().map(|(_, no)| no.clone()),
        _ => None,
    }
}

/// The example body, made to meet what the run made.
pub fn adjust_body(op: &Operation, body: &mut Value, funds: &Funds) {
    if !is_funds(op) {
        return;
    }
    let Value::Object(map) = body else {
        return;
    };
    if map.contains_key("transaction_id") {
        let paid = if is_ecommerce(op) {
            &funds.ecommerce_transaction
        } else {
            &funds.partner_transaction
        };
        if let Some(id) = paid {
            map.insert("transaction_id".into(), json!(id));
        }
    }
    match op.path.as_str() {
        "v3/ecommerce/profitsharing/orders" => {
            // To the second-level merchant itself (the example's receiver),
            // within the 1 yuan, the rest left for finish-order.
            if let Some(Value::Array(receivers)) = map.get_mut("receivers") {
                for receiver in receivers {
                    receiver["amount"] = json!(10);
                }
            }
            map.insert("out_order_no".into(), json!(ECOMMERCE_SPLIT_NO));
            map.insert("finish".into(), json!(false));
        }
        "v3/ecommerce/profitsharing/finish-order" => {
            map.insert("out_order_no".into(), json!(ECOMMERCE_FINISH_NO));
        }
        "v3/ecommerce/profitsharing/returnorders" => {
            // Back from the split's receiver, within the 10 it got.
            map.insert("out_return_no".into(), json!(ECOMMERCE_RETURN_NO));
            if let Some(split) = &funds.ecommerce_split {
                map.insert("order_id".into(), json!(split.order_id));
                map.insert("out_order_no".into(), json!(split.out_order_no));
                map.insert("return_mchid".into(), json!(split.receiver));
                map.insert("amount".into(), json!(10));
            }
        }
        "v3/profitsharing/orders" => {
            // Within the 1 yuan the APP order brought, the rest left for
            // the unfreeze that follows.
            if let Some(Value::Array(receivers)) = map.get_mut("receivers") {
                for receiver in receivers {
                    receiver["amount"] = json!(10);
                }
            }
            map.insert("unfreeze_unsplit".into(), json!(false));
        }
        "v3/profitsharing/orders/unfreeze" => {
            map.insert("out_order_no".into(), json!(UNFREEZE_NO));
        }
        "v3/profitsharing/return-orders" => {
            if let Some((order_id, out_order_no)) = &funds.split {
                map.insert("order_id".into(), json!(order_id));
                map.insert("out_order_no".into(), json!(out_order_no));
            }
        }
        _ if map.contains_key("out_bill_no") => {
            map.insert("out_bill_no".into(), json!(own_out_bill_no(op)));
        }
        _ => {}
    }
}

/// Remembers what an accepted answer made.
pub fn record(op: &Operation, answer: &Value, funds: &mut Funds) {
    match (op.method.as_str(), op.path.as_str()) {
        ("POST", "v3/profitsharing/orders") => {
            if let (Some(id), Some(no)) =
                (answer["order_id"].as_str(), answer["out_order_no"].as_str())
            {
                funds.split = Some((id.to_owned(), no.to_owned()));
            }
        }
        ("POST", "v3/ecommerce/profitsharing/orders") => {
            let text = |v: &Value| v.as_str().map(str::to_owned);
            if let (Some(order_id), Some(out_order_no), Some(receiver)) = (
                text(&answer["order_id"]),
                text(&answer["out_order_no"]),
                text(&answer["receivers"][0]["receiver_account"]),
            ) {
                funds.ecommerce_split = Some(EcommerceSplit {
                    order_id,
                    out_order_no,
                    receiver,
                });
            }
        }
        ("POST", "v3/fund-app/mch-transfer/transfer-bills") => {
            funds.transfer_bill_no = answer["transfer_bill_no"].as_str().map(str::to_owned);
        }
        _ => {}
    }
}

/// The receiver the split names, added for the sub-merchant as a merchant
/// would before its first split (the catalog lists the split first).
pub async fn add_receiver(client: &Client) -> Result<(), Error> {
    let (serial, name) = client.encrypt_sensitive("示例商户全称")?;
    client
        .request(Method::Post, "v3/profitsharing/receivers/add")
        .header("Wechatpay-Serial", serial)
        .json(json!({
            "sub_mchid": DEFAULT_SUB_MCHID,
            "appid": "wx8888888888888888",
            "type": "MERCHANT_ID",
            "account": RECEIVER,
            "name": name,
            "relation_type": "SERVICE_PROVIDER",
        }))
        .send::<Value>()
        .await
        .map(|_| ())
}
