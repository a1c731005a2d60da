//! Field roles beyond the defaults: a path parameter bound to a field of
//! another name (`#[wxpay(path = "...")]`), and the calling merchant
//! (`#[wxpay(merchant)]`), filled in from the encoding context.

use wxpay_core::{wxpay_api, EncodeContext, EncodedRequest, Method};

fn encode_as<R: wxpay_core::ApiRequest>(mchid: &str, request: &R) -> EncodedRequest {
    EncodedRequest::encode(request, &EncodeContext::new(mchid)).expect("the request encodes")
}

/// `<out_refund_no>` filled by a field named otherwise.
#[wxpay_api(GET, "v3/refund/domestic/refunds/<out_refund_no>", response = serde_json::Value)]
pub struct QueryRefundRequest<'a> {
    #[wxpay(path = "out_refund_no")]
    pub refund_number: &'a str,
    pub sub_mchid: Option<&'a str>,
}

#[test]
fn a_path_parameter_binds_the_field_that_names_it() {
    let encoded = EncodedRequest::from_api(&QueryRefundRequest {
        refund_number: "R 1/2",
        sub_mchid: Some("1900000109"),
    })
    .expect("the request encodes");
    assert_eq!(encoded.path, "v3/refund/domestic/refunds/R%201%2F2");
    assert_eq!(encoded.query, "sub_mchid=1900000109", "not in the query");
}

/// The same name in the path and in the body: the path parameter bound
/// explicitly, the field of that name given its own role.
#[wxpay_api(POST, "v3/things/<thing_id>/copy", response = serde_json::Value)]
pub struct CopyThingRequest<'a> {
    #[wxpay(path = "thing_id")]
    pub source: &'a str,
    #[wxpay(body)]
    pub thing_id: &'a str,
}

/// A keyword parameter, bound without a raw identifier.
#[wxpay_api(PATCH, "v3/things/<type>/state", response = ())]
pub struct PatchStateRequest<'a> {
    #[wxpay(path = "type")]
    pub kind: &'a str,
    pub state: &'a str,
}

#[test]
fn a_name_may_be_sent_in_the_path_and_the_body() {
    let encoded = EncodedRequest::from_api(&CopyThingRequest {
        source: "old",
        thing_id: "new",
    })
    .expect("the request encodes");
    assert_eq!(encoded.path, "v3/things/old/copy");
    assert_eq!(encoded.body.as_deref(), Some(&br#"{"thing_id":"new"}"#[..]));

    let encoded = EncodedRequest::from_api(&PatchStateRequest {
        kind: "refund",
        state: "OPEN",
    })
    .expect("the request encodes");
    assert_eq!(encoded.method, Method::Patch);
    assert_eq!(encoded.path, "v3/things/refund/state");
    assert_eq!(encoded.body.as_deref(), Some(&br#"{"state":"OPEN"}"#[..]));
}

/// A body field that is the calling merchant.
#[wxpay_api(POST, "v3/pay/transactions/native", response = serde_json::Value)]
pub struct NativePrepayRequest<'a> {
    pub appid: &'a str,
    #[wxpay(merchant)]
    pub mchid: Option<&'a str>,
    pub description: &'a str,
}

#[test]
fn a_merchant_field_left_none_is_the_clients_merchant() {
    let request = NativePrepayRequest {
        appid: "wxd678efh567hg6787",
        mchid: None,
        description: "a toy",
    };
    let encoded = encode_as("1900000100", &request);
    assert_eq!(
        encoded.body.as_deref(),
        Some(&br#"{"appid":"wxd678efh567hg6787","mchid":"1900000100","description":"a toy"}"#[..])
    );
    // The same id given explicitly is sent as given.
    let given = NativePrepayRequest {
        mchid: Some("1900000100"),
        ..request
    };
    assert_eq!(encode_as("1900000100", &given).body, encoded.body);
}

#[test]
fn a_merchant_field_naming_another_merchant_is_refused() {
    let request = NativePrepayRequest {
        appid: "wxd678efh567hg6787",
        mchid: Some("1900000999"),
        description: "a toy",
    };
    let error = EncodedRequest::encode(&request, &EncodeContext::new("1900000100"))
        .expect_err("another merchant's id");
    let message = error.to_string();
    assert!(
        message.contains("1900000999") && message.contains("1900000100"),
        "names both ids: {message}"
    );
    // Without a merchant to fill in, `None` cannot be encoded.
    let error = EncodedRequest::from_api(&NativePrepayRequest {
        mchid: None,
        ..request
    })
    .expect_err("no merchant in a detached context");
    assert!(
        error.to_string().contains("EncodeContext::new(mchid)"),
        "{error}"
    );
}

/// In the query: of a GET (the struct's own serialisation), and moved there
/// from the body of a POST (written on its own).
#[wxpay_api(GET, "v3/pay/transactions/id/<transaction_id>", response = serde_json::Value)]
pub struct QueryByIdRequest<'a> {
    pub transaction_id: &'a str,
    #[wxpay(merchant)]
    pub mchid: Option<String>,
}

#[wxpay_api(POST, "v3/pay/partner/transactions/out-trade-no/<out_trade_no>/close", response = ())]
pub struct PartnerCloseRequest<'a> {
    pub out_trade_no: &'a str,
    #[wxpay(merchant, query)]
    pub sp_mchid: Option<&'a str>,
    pub sub_mchid: &'a str,
}

/// And in a body written field by field (a DELETE's).
#[wxpay_api(DELETE, "v3/things/<id>", response = ())]
pub struct DeleteThingRequest<'a> {
    pub id: &'a str,
    #[wxpay(body, merchant)]
    pub mchid: Option<&'a str>,
}

#[test]
fn merchant_fields_in_the_query_and_a_field_by_field_body() {
    let encoded = encode_as(
        "1900000100",
        &QueryByIdRequest {
            transaction_id: "4200000000000000",
            mchid: None,
        },
    );
    assert_eq!(encoded.query, "mchid=1900000100");

    let encoded = encode_as(
        "1900000100",
        &PartnerCloseRequest {
            out_trade_no: "T1",
            sp_mchid: None,
            sub_mchid: "1900000109",
        },
    );
    assert_eq!(encoded.query, "sp_mchid=1900000100");
    assert_eq!(
        encoded.body.as_deref(),
        Some(&br#"{"sub_mchid":"1900000109"}"#[..])
    );
    let error = EncodedRequest::encode(
        &PartnerCloseRequest {
            out_trade_no: "T1",
            sp_mchid: Some("1900000999"),
            sub_mchid: "1900000109",
        },
        &EncodeContext::new("1900000100"),
    )
    .expect_err("another merchant's id");
    assert!(error.to_string().contains("1900000999"), "{error}");

    let encoded = encode_as(
        "1900000100",
        &DeleteThingRequest {
            id: "x",
            mchid: None,
        },
    );
    assert_eq!(
        encoded.body.as_deref(),
        Some(&br#"{"mchid":"1900000100"}"#[..])
    );
}
