//! Bill parsing and reconciliation (`wxpay_core::bills`): bills written by
//! hand from WeChat Pay's documented layouts, every bill the sandbox makes
//! read back, generated bills parsed back to what generated them, and the
//! reconciliation of a day's orders.

mod generated;
mod handwritten;
mod reconcile;
mod sandbox;

/// The documented ALL header (交易账单详细说明).
pub const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
/// The ALL and REFUND summary header.
pub const ALL_SUMMARY: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

/// A bill as WeChat Pay writes it: BOM, CRLF, a final CRLF.
pub fn bill(lines: &[&str]) -> String {
    let mut text = String::from("\u{feff}");
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text
}

/// A reader that hands out at most `step` bytes a read, to cut lines and
/// characters at every place.
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
