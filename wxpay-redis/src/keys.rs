//! Key names: every key of a merchant carries its id as the hash tag, so
//! Redis Cluster keeps them in one slot (a script may touch several).

pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{prefix}:{<mchid>}:{rest}`; braces in the merchant id (never in a
    /// registry's, which are letters and digits) are replaced so the tag
    /// stays whole.
    fn key(&self, mchid: &str, rest: &str) -> String {
        let tag: String = mchid
            .chars()
            .map(|c| if matches!(c, '{' | '}') { '_' } else { c })
            .collect();
        format!("{}:{{{tag}}}:{rest}", self.prefix)
    }

    pub(crate) fn certificates(&self, mchid: &str) -> String {
        self.key(mchid, "certificates")
    }

    pub(crate) fn certificate_lock(&self, mchid: &str) -> String {
        self.key(mchid, "certificates:lock")
    }

    pub(crate) fn delivery(&self, mchid: &str, timestamp: &str, nonce: &str) -> String {
        self.key(mchid, &format!("delivery:{timestamp}:{nonce}"))
    }

    pub(crate) fn notification(&self, mchid: &str, id: &str) -> String {
        self.key(mchid, &format!("notification:{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merchant_s_keys_share_one_hash_tag() {
        let keys = Keys::new("wxpay");
        assert_eq!(
            keys.certificates("1900000100"),
            "wxpay:{1900000100}:certificates"
        );
        assert_eq!(
            keys.notification("1900000100", "EV-1"),
            "wxpay:{1900000100}:notification:EV-1"
        );
        assert_eq!(
            keys.delivery("1900000100", "1700000000", "n0nce"),
            "wxpay:{1900000100}:delivery:1700000000:n0nce"
        );
        assert_eq!(keys.certificates("a}b{c"), "wxpay:{a_b_c}:certificates");
    }
}
