//! How rows are written out: JSON (`serde::Serialize`, what `wxpay bill
//! parse` prints) and `Debug` (the same JSON, so a row shows its values by
//! name).

use std::fmt;

use serde::ser::{SerializeMap, Serializer};

use super::*;

/// Writes the columns payments and refunds share.
fn order_entries<M: SerializeMap>(r: &TradeRow, m: &mut M) -> Result<(), M::Error> {
    m.serialize_entry("time", &r.time)?;
    m.serialize_entry("appid", r.text(Tt::AppId))?;
    m.serialize_entry("mchid", r.text(Tt::MchId))?;
    let sub = r.text(Tt::SubMchId);
    m.serialize_entry(
        "sub_mchid",
        &Some(sub).filter(|s| !s.is_empty() && *s != "0"),
    )?;
    m.serialize_entry("device_info", r.text(Tt::DeviceInfo))?;
    m.serialize_entry("transaction_id", r.text(Tt::TransactionId))?;
    m.serialize_entry("out_trade_no", r.text(Tt::OutTradeNo))?;
    m.serialize_entry("openid", r.text(Tt::OpenId))?;
    m.serialize_entry("trade_type", &r.trade_type)?;
    m.serialize_entry("trade_state", &r.trade_state)?;
    m.serialize_entry("bank_type", r.text(Tt::BankType))?;
    m.serialize_entry("currency", r.text(Tt::Currency))?;
    Ok(())
}

/// Writes the fee columns and the extras.
fn fee_entries<M: SerializeMap>(r: &TradeRow, m: &mut M) -> Result<(), M::Error> {
    m.serialize_entry("product", r.text(Tt::Product))?;
    m.serialize_entry("attach", r.text(Tt::Attach))?;
    m.serialize_entry("fee_milli_fen", &r.fee.milli_fen())?;
    m.serialize_entry("fee_rate", &r.fee_rate)?;
    m.serialize_entry("fee_note", r.text(Tt::FeeNote))?;
    extra_entry(&r.text, &r.extras, m)
}

fn extra_entry<M: SerializeMap>(text: &str, e: &Extras, m: &mut M) -> Result<(), M::Error> {
    if e.spans.is_empty() {
        return Ok(());
    }
    let extra: serde_json::Map<String, serde_json::Value> = extras(text, e)
        .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
        .collect();
    m.serialize_entry("extra", &extra)
}

impl serde::Serialize for Payment {
    /// An object with `"record": "payment"`, amounts in fen (the fee in
    /// thousandths of a fen, `fee_milli_fen`), times RFC 3339 `+08:00`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("record", "payment")?;
        order_entries(r, &mut m)?;
        m.serialize_entry("settlement_total", &r.settlement_total)?;
        m.serialize_entry("coupon", &r.coupon)?;
        m.serialize_entry("order_total", &r.order_total)?;
        fee_entries(r, &mut m)?;
        m.end()
    }
}

impl serde::Serialize for Refund {
    /// An object with `"record": "refund"`, as [`Payment`]'s.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("record", "refund")?;
        order_entries(r, &mut m)?;
        m.serialize_entry("refund_id", self.refund_id())?;
        m.serialize_entry("out_refund_no", self.out_refund_no())?;
        m.serialize_entry("refund", &r.refund)?;
        m.serialize_entry("recharge_coupon_refund", &r.recharge_coupon_refund)?;
        m.serialize_entry("requested_refund", &r.requested_refund)?;
        m.serialize_entry("refund_type", &r.refund_type)?;
        m.serialize_entry("refund_status", &r.refund_status)?;
        m.serialize_entry("requested_at", &self.requested_at())?;
        m.serialize_entry("succeeded_at", &r.refund_succeeded_at)?;
        m.serialize_entry("settlement_total", &r.settlement_total)?;
        m.serialize_entry("order_total", &r.order_total)?;
        fee_entries(r, &mut m)?;
        m.end()
    }
}

impl serde::Serialize for TradeRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TradeRecord::Payment(p) => p.serialize(s),
            TradeRecord::Refund(r) => r.serialize(s),
        }
    }
}

impl serde::Serialize for FundFlowRecord {
    /// An object with `"record": "fund_flow"`, amounts in fen.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("record", "fund_flow")?;
        m.serialize_entry("time", &self.time)?;
        m.serialize_entry("business_no", self.business_no())?;
        m.serialize_entry("flow_id", self.flow_id())?;
        m.serialize_entry("business_name", &self.business_name)?;
        m.serialize_entry("business_type", &self.business_type)?;
        m.serialize_entry("direction", &self.direction)?;
        m.serialize_entry("amount", &self.amount)?;
        m.serialize_entry("balance", &self.balance)?;
        m.serialize_entry("applicant", self.applicant())?;
        m.serialize_entry("note", self.note())?;
        m.serialize_entry("voucher", self.voucher())?;
        extra_entry(&self.text, &self.extras, &mut m)?;
        m.end()
    }
}

/// `Name {json}`: every column, as [`serde::Serialize`] writes them.
fn debug_as_json(f: &mut fmt::Formatter<'_>, name: &str, v: &impl serde::Serialize) -> fmt::Result {
    let json = serde_json::to_string(v).map_err(|_| fmt::Error)?;
    write!(f, "{name} {json}")
}

impl fmt::Debug for Payment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_as_json(f, "Payment", self)
    }
}

impl fmt::Debug for Refund {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_as_json(f, "Refund", self)
    }
}

impl fmt::Debug for TradeRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TradeRecord::Payment(p) => p.fmt(f),
            TradeRecord::Refund(r) => r.fmt(f),
        }
    }
}

impl fmt::Debug for FundFlowRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_as_json(f, "FundFlowRecord", self)
    }
}
