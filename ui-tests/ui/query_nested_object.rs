// A query field whose type is an object (a map, or an `Option` of one) has no
// query form: one error per field, on its type, naming `#[serde(flatten)]`.
// The same map flattened, a skipped one, and the caller's own enum compile.
use std::collections::{BTreeMap, HashMap};
use wxpay_core::wxpay_api;

#[derive(serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Open,
    Closed,
}

#[wxpay_api(GET, "v3/things", response = ())]
pub struct ListThingsRequest<'a> {
    pub state: State,
    pub filter: BTreeMap<&'a str, &'a str>,
    pub tags: Option<HashMap<String, String>>,
    #[serde(flatten)]
    pub extra: BTreeMap<&'a str, &'a str>,
    #[serde(skip)]
    pub note: HashMap<String, String>,
}

#[wxpay_api(POST, "v3/things", response = ())]
pub struct CreateThingRequest<'a> {
    pub name: &'a str,
    #[wxpay(query)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

fn main() {}
