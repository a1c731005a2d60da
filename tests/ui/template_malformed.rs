// One struct per template rule; each error quotes the template and the part at fault.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things?limit=10")]
pub struct QueryInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things#top")]
pub struct FragmentInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3//things")]
pub struct EmptySegment {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things//")]
pub struct DoubleTrailingSlash {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/<id")]
pub struct UnclosedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/id>")]
pub struct UnopenedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/<<id>>")]
pub struct NestedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/<thing-id>")]
pub struct ParamNotIdentifier {
    pub thing_id: u32,
}

#[wxpay_api(GET, "v3/things/<1st>")]
pub struct ParamStartsWithDigit {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/<>")]
pub struct ParamWithoutName {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/id-<id>")]
pub struct ParamNotWholeSegment {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/{id}")]
pub struct BracesInsteadOfAngles {
    pub id: u32,
}

#[wxpay_api(GET, "v3/some things")]
pub struct SpaceInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/%2F")]
pub struct PercentInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/../admin")]
pub struct DotSegment {
    pub a: u32,
}

#[wxpay_api(GET, "")]
pub struct EmptyTemplate {
    pub a: u32,
}

fn main() {}
