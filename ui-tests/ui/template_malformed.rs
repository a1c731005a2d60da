// One struct per template rule; each error quotes the template and the part at fault.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things?limit=10", response = ())]
pub struct QueryInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things#top", response = ())]
pub struct FragmentInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3//things", response = ())]
pub struct EmptySegment {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things//", response = ())]
pub struct DoubleTrailingSlash {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/<id", response = ())]
pub struct UnclosedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/id>", response = ())]
pub struct UnopenedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/<<id>>", response = ())]
pub struct NestedParam {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/<thing-id>", response = ())]
pub struct ParamNotIdentifier {
    pub thing_id: u32,
}

#[wxpay_api(GET, "v3/things/<1st>", response = ())]
pub struct ParamStartsWithDigit {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/<>", response = ())]
pub struct ParamWithoutName {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/id-<id>", response = ())]
pub struct ParamNotWholeSegment {
    pub id: u32,
}

#[wxpay_api(GET, "v3/things/{id}", response = ())]
pub struct BracesInsteadOfAngles {
    pub id: u32,
}

#[wxpay_api(GET, "v3/some things", response = ())]
pub struct SpaceInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/%2F", response = ())]
pub struct PercentInTemplate {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things/../admin", response = ())]
pub struct DotSegment {
    pub a: u32,
}

#[wxpay_api(GET, "", response = ())]
pub struct EmptyTemplate {
    pub a: u32,
}

fn main() {}
