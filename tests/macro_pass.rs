//! What `#[wxpay_api]` expands to, checked on the exact bytes it encodes:
//! method, path, query, headers and body, with no network involved.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use wxpay_core::{wxpay_api, ApiRequest, EncodedRequest, Method};

fn encode<R: ApiRequest>(request: &R) -> EncodedRequest {
    EncodedRequest::from_api(request).expect("the request encodes")
}

/// The fields of an [`EncodedRequest`] (which is `#[non_exhaustive]`), to
/// compare whole.
#[derive(Debug, PartialEq)]
struct Encoded {
    method: Method,
    path: String,
    query: String,
    headers: Vec<(std::borrow::Cow<'static, str>, String)>,
    body: Option<Vec<u8>>,
}

fn parts(e: EncodedRequest) -> Encoded {
    Encoded {
        method: e.method,
        path: e.path,
        query: e.query,
        headers: e.headers,
        body: e.body,
    }
}

fn body_text(encoded: &EncodedRequest) -> Option<&str> {
    encoded
        .body
        .as_deref()
        .map(|body| std::str::from_utf8(body).expect("JSON is UTF-8"))
}

fn headers(pairs: &[(&'static str, &str)]) -> Vec<(Cow<'static, str>, String)> {
    pairs
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), (*value).to_owned()))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ReturnAdvanceResponse {
    pub advance_return_id: String,
}

/// The example from the attribute's documentation.
#[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = ReturnAdvanceResponse)]
pub struct ReturnAdvanceRequest<'a> {
    pub refund_id: &'a str,
    pub sub_mchid: &'a str,
}

#[test]
fn path_fields_go_to_the_path_and_the_rest_to_the_body() {
    let request = ReturnAdvanceRequest {
        refund_id: "50000000382019052709732678859",
        sub_mchid: "1900000109",
    };
    assert_eq!(
        parts(encode(&request)),
        Encoded {
            method: Method::Post,
            path: "v3/ecommerce/refunds/50000000382019052709732678859/return-advance".into(),
            query: String::new(),
            headers: Vec::new(),
            body: Some(br#"{"sub_mchid":"1900000109"}"#.to_vec()),
        }
    );
}

#[test]
fn constants_carry_the_declaration() {
    assert_eq!(ReturnAdvanceRequest::METHOD, Method::Post);
    assert_eq!(
        <ReturnAdvanceRequest<'static> as ApiRequest>::PATH_TEMPLATE,
        "v3/ecommerce/refunds/<refund_id>/return-advance"
    );
    assert_eq!(<ListCertificatesRequest as ApiRequest>::METHOD, Method::Get);
    assert_eq!(
        <ListCertificatesRequest as ApiRequest>::PATH_TEMPLATE,
        "v3/certificates"
    );
    assert_eq!(<ModifySettlementRequest as ApiRequest>::METHOD, Method::Put);
    assert_eq!(<PatchThingRequest as ApiRequest>::METHOD, Method::Patch);
    assert_eq!(
        <DeleteReceiverRequest as ApiRequest>::METHOD,
        Method::Delete
    );
}

#[test]
fn hostile_path_values_stay_in_their_segment() {
    let request = ReturnAdvanceRequest {
        refund_id: "a/b?c#d%e f",
        sub_mchid: "1900000109",
    };
    assert_eq!(
        encode(&request).path,
        "v3/ecommerce/refunds/a%2Fb%3Fc%23d%25e%20f/return-advance"
    );
}

#[test]
fn dot_segments_and_empty_path_values_are_refused() {
    for refund_id in ["..", ".", ""] {
        let request = ReturnAdvanceRequest {
            refund_id,
            sub_mchid: "1900000109",
        };
        let error = EncodedRequest::from_api(&request).expect_err(refund_id);
        assert!(
            error.to_string().contains("refund_id"),
            "the error names the parameter: {error}"
        );
    }
}

/// `response = serde_json::Value` reads the answer untyped. No field: no query.
#[wxpay_api(GET, "v3/certificates", response = serde_json::Value)]
pub struct ListCertificatesRequest {}

fn response_is_value<R: ApiRequest<Response = serde_json::Value>>() {}

#[test]
fn an_untyped_response_is_a_json_value() {
    response_is_value::<ListCertificatesRequest>();
    assert_eq!(
        parts(encode(&ListCertificatesRequest {})),
        Encoded {
            method: Method::Get,
            path: "v3/certificates".into(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
    );
}

#[wxpay_api(GET, "v3/merchants/<sub_mchid>/bills/<bill_id>", response = serde_json::Value)]
pub struct QueryBillRequest<'a> {
    pub sub_mchid: u64,
    pub bill_id: i32,
    pub bill_type: &'a str,
    pub limit: Option<u32>,
    pub out_order_no: Option<&'a str>,
}

#[test]
fn integer_path_params_and_query_on_get() {
    let request = QueryBillRequest {
        sub_mchid: 1900000109,
        bill_id: -7,
        bill_type: "a b&c=d",
        limit: Some(10),
        out_order_no: None,
    };
    assert_eq!(
        parts(encode(&request)),
        Encoded {
            method: Method::Get,
            path: "v3/merchants/1900000109/bills/-7".into(),
            // Declaration order; `None` is left out.
            query: "bill_type=a%20b%26c%3Dd&limit=10".into(),
            headers: Vec::new(),
            body: None,
        }
    );
}

#[wxpay_api(POST, "v3/things", response = serde_json::Value)]
pub struct CreateThingRequest<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub note: Option<&'a str>,
}

#[test]
fn option_none_in_the_body_follows_serde() {
    let request = CreateThingRequest {
        name: "x",
        description: None,
        note: None,
    };
    // `skip_serializing_if` drops the field; a plain `Option` is `null`, as serde writes it.
    assert_eq!(
        body_text(&encode(&request)),
        Some(r#"{"name":"x","note":null}"#)
    );
    let request = CreateThingRequest {
        name: "x",
        description: Some("d"),
        note: Some("n"),
    };
    assert_eq!(
        body_text(&encode(&request)),
        Some(r#"{"name":"x","description":"d","note":"n"}"#)
    );
}

/// `#[wxpay(query)]` on a POST: written field by field after the path.
#[wxpay_api(POST, "v3/things/<thing_id>/items", response = serde_json::Value)]
pub struct AddItemsRequest<'a> {
    pub thing_id: &'a str,
    #[wxpay(query)]
    pub sub_mchid: &'a str,
    #[wxpay(query)]
    #[serde(rename = "page-size")]
    pub page_size: Option<u32>,
    #[wxpay(query)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<&'a str>,
    pub items: Vec<&'a str>,
}

#[test]
fn query_override_on_post() {
    let request = AddItemsRequest {
        thing_id: "t1",
        sub_mchid: "1900000109",
        page_size: Some(20),
        tags: vec!["a", "b c"],
        items: vec!["i1"],
    };
    assert_eq!(
        parts(encode(&request)),
        Encoded {
            method: Method::Post,
            path: "v3/things/t1/items".into(),
            query: "sub_mchid=1900000109&page-size=20&tags=a&tags=b%20c".into(),
            headers: Vec::new(),
            body: Some(br#"{"items":["i1"]}"#.to_vec()),
        }
    );
    let request = AddItemsRequest {
        page_size: None,
        tags: Vec::new(),
        ..request
    };
    assert_eq!(encode(&request).query, "sub_mchid=1900000109");
}

/// `#[wxpay(body)]` on a DELETE: the body is built field by field; the rest
/// stays in the query.
#[wxpay_api(DELETE, "v3/profitsharing/receivers/<account>", response = serde_json::Value)]
pub struct DeleteReceiverRequest {
    pub account: String,
    pub sub_mchid: String,
    #[wxpay(body)]
    pub reason: String,
    #[wxpay(body)]
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[wxpay(body)]
    pub amount: Option<i64>,
}

#[test]
fn body_override_on_delete() {
    let request = DeleteReceiverRequest {
        account: "o1".into(),
        sub_mchid: "1900000109".into(),
        reason: "say \"bye\"".into(),
        kind: Some("MERCHANT_ID".into()),
        amount: None,
    };
    assert_eq!(
        parts(encode(&request)),
        Encoded {
            method: Method::Delete,
            path: "v3/profitsharing/receivers/o1".into(),
            query: "sub_mchid=1900000109".into(),
            headers: Vec::new(),
            body: Some(br#"{"reason":"say \"bye\"","type":"MERCHANT_ID"}"#.to_vec()),
        }
    );
}

/// A GET whose only non-path field is a body override: no query at all.
#[wxpay_api(GET, "v3/things/<id>", response = serde_json::Value)]
pub struct BodyOnlyGetRequest {
    pub id: u32,
    #[wxpay(body)]
    pub filter: Option<String>,
}

#[test]
fn body_override_without_query_fields() {
    let encoded = encode(&BodyOnlyGetRequest {
        id: 3,
        filter: None,
    });
    assert_eq!(encoded.query, "");
    // The endpoint declares a body, so an all-`None` body is still `{}`.
    assert_eq!(body_text(&encoded), Some("{}"));
}

#[wxpay_api(POST, "v3/profitsharing/receivers/add", response = serde_json::Value)]
pub struct AddReceiverRequest<'a> {
    #[wxpay(header = "X-Request-Tag")]
    pub tag: &'a str,
    #[wxpay(header = "Idempotency-Key")]
    pub idempotency_key: Option<String>,
    #[wxpay(header = "X-Attempt")]
    pub attempt: u8,
    pub account: &'a str,
}

#[test]
fn header_fields_are_headers_only() {
    let request = AddReceiverRequest {
        tag: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        idempotency_key: None,
        attempt: 2,
        account: "o1",
    };
    assert_eq!(
        parts(encode(&request)),
        Encoded {
            method: Method::Post,
            path: "v3/profitsharing/receivers/add".into(),
            query: String::new(),
            headers: headers(&[
                ("X-Request-Tag", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
                ("X-Attempt", "2"),
            ]),
            body: Some(br#"{"account":"o1"}"#.to_vec()),
        }
    );
    let request = AddReceiverRequest {
        idempotency_key: Some("k-1".into()),
        ..request
    };
    assert_eq!(
        encode(&request).headers,
        headers(&[
            ("X-Request-Tag", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
            ("Idempotency-Key", "k-1"),
            ("X-Attempt", "2"),
        ])
    );
}

/// Container and field serde attributes pass through, and fields written
/// on their own follow the same wire names.
#[wxpay_api(PUT, "v3/merchants/<sub_mchid>/settlement", response = serde_json::Value)]
#[serde(rename_all = "camelCase")]
pub struct ModifySettlementRequest {
    pub sub_mchid: String,
    pub account_type: String,
    #[serde(rename = "bank_name")]
    pub account_bank: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_branch_id: Option<String>,
    #[wxpay(query)]
    pub dry_run: bool,
    #[serde(skip)]
    pub local_note: String,
}

#[test]
fn serde_attributes_pass_through() {
    let request = ModifySettlementRequest {
        sub_mchid: "1900000109".into(),
        account_type: "ACCOUNT_TYPE_BUSINESS".into(),
        account_bank: "工商银行".into(),
        bank_branch_id: None,
        dry_run: true,
        local_note: "never sent".into(),
    };
    let encoded = encode(&request);
    assert_eq!(encoded.path, "v3/merchants/1900000109/settlement");
    assert_eq!(encoded.query, "dryRun=true");
    assert_eq!(
        body_text(&encoded),
        Some(r#"{"accountType":"ACCOUNT_TYPE_BUSINESS","bank_name":"工商银行"}"#)
    );
}

/// A parameter may be a Rust keyword, matching a raw field.
#[wxpay_api(PATCH, "v3/things/<type>/state", response = serde_json::Value)]
pub struct PatchThingRequest<'a> {
    pub r#type: &'a str,
    pub r#ref: &'a str,
}

#[test]
fn raw_identifiers_match_and_lose_their_prefix() {
    let encoded = encode(&PatchThingRequest {
        r#type: "refund",
        r#ref: "r1",
    });
    assert_eq!(encoded.method, Method::Patch);
    assert_eq!(encoded.path, "v3/things/refund/state");
    assert_eq!(body_text(&encoded), Some(r#"{"ref":"r1"}"#));
}

/// Lifetimes, a type parameter and a where clause.
#[wxpay_api(POST, "v3/things/<id>/data", response = Vec<T>)]
pub struct PutDataRequest<'a, T>
where
    T: Serialize + serde::de::DeserializeOwned,
{
    pub id: &'a str,
    pub data: T,
    #[wxpay(query)]
    pub version: Option<T>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

fn response_is<R: ApiRequest<Response = Resp>, Resp>() {}

#[test]
fn generics_and_where_clauses() {
    response_is::<PutDataRequest<'static, Point>, Vec<Point>>();
    let request = PutDataRequest {
        id: "p",
        data: Point { x: 1, y: -2 },
        version: None,
    };
    let encoded = encode(&request);
    assert_eq!(encoded.path, "v3/things/p/data");
    assert_eq!(encoded.query, "");
    assert_eq!(body_text(&encoded), Some(r#"{"data":{"x":1,"y":-2}}"#));

    let request = PutDataRequest {
        id: "n",
        data: 5u32,
        version: Some(7u32),
    };
    let encoded = encode(&request);
    assert_eq!(encoded.query, "version=7");
    assert_eq!(body_text(&encoded), Some(r#"{"data":5}"#));
}

/// A generic path field with exactly the bound the compiler suggests when it
/// is missing (`ui-tests/ui/path_param_type.stderr`): the suggestion compiles.
#[wxpay_api(GET, "v3/things/<id>", response = serde_json::Value)]
pub struct GenericThingRequest<T: wxpay_core::request::PathParam> {
    pub id: T,
}

#[test]
fn the_suggested_bound_for_a_generic_path_field_compiles() {
    assert_eq!(
        encode(&GenericThingRequest { id: 42u64 }).path,
        "v3/things/42"
    );
    assert_eq!(
        encode(&GenericThingRequest { id: "a/b" }).path,
        "v3/things/a%2Fb"
    );
}

/// A POST whose only fields are in the path sends no body at all.
/// WeChat answers 204: `response = ()`.
#[wxpay_api(POST, "v3/pay/transactions/out-trade-no/<out_trade_no>/close", response = ())]
pub struct CloseOrderRequest {
    pub out_trade_no: String,
    #[wxpay(header = "Idempotency-Key")]
    pub idempotency_key: Option<String>,
}

#[test]
fn post_with_only_path_fields_has_no_body() {
    let encoded = encode(&CloseOrderRequest {
        out_trade_no: "1217752501201407033233368018".into(),
        idempotency_key: None,
    });
    assert_eq!(
        parts(encoded),
        Encoded {
            method: Method::Post,
            path: "v3/pay/transactions/out-trade-no/1217752501201407033233368018/close".into(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
    );
}

/// One trailing `/` is part of the declared path, as in the WeChat catalog.
#[wxpay_api(POST, "v3/applyment4sub/applyment/", response = serde_json::Value)]
pub struct SubmitApplymentRequest<'a> {
    pub business_code: &'a str,
}

#[test]
fn trailing_slash_is_kept() {
    let encoded = encode(&SubmitApplymentRequest {
        business_code: "APPLYMENT_00000000001",
    });
    assert_eq!(encoded.path, "v3/applyment4sub/applyment/");
    assert_eq!(encoded.target(), "/v3/applyment4sub/applyment/");
}

/// `send` is an inherent method: this module imports no trait. Nothing here
/// runs; it only has to compile.
#[allow(dead_code)]
mod send_needs_no_trait_import {
    use super::{ReturnAdvanceRequest, ReturnAdvanceResponse};
    use wxpay_core::{Client, Error};

    fn assert_send<F: Send>(future: F) -> F {
        future
    }

    async fn return_advance(client: &Client) -> Result<ReturnAdvanceResponse, Error> {
        let request = ReturnAdvanceRequest {
            refund_id: "50000000382019052709732678859",
            sub_mchid: "1900000109",
        };
        assert_send(request.send(client)).await
    }

    async fn list_certificates(client: &Client) -> Result<serde_json::Value, Error> {
        super::ListCertificatesRequest {}.send(client).await
    }
}

/// The caller's own serde enum in a query compiles and is written as its
/// wire text; a map spread with `#[serde(flatten)]` adds its entries (a map
/// that is not spread does not compile: `ui/query_nested_object.rs`).
#[derive(Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThingState {
    Open,
}

#[wxpay_api(GET, "v3/things", response = serde_json::Value)]
pub struct ListThingsRequest<'a> {
    pub state: ThingState,
    pub states: Vec<ThingState>,
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<&'a str, &'a str>,
}

#[test]
fn own_enums_and_flattened_maps_in_a_query() {
    let request = ListThingsRequest {
        state: ThingState::Open,
        states: vec![ThingState::Open],
        extra: [("limit", "10"), ("offset", "0")].into_iter().collect(),
    };
    assert_eq!(
        encode(&request).query,
        "state=OPEN&states=OPEN&limit=10&offset=0"
    );
}

/// A generic query field is not checked at compile time (its type is not
/// known there); the encoder refuses an object as before.
#[wxpay_api(GET, "v3/generic", response = serde_json::Value)]
pub struct GenericQueryRequest<T: Serialize> {
    pub value: T,
}

#[test]
fn generic_query_fields_compile_and_are_checked_when_encoded() {
    let flat = GenericQueryRequest { value: 7 };
    assert_eq!(encode(&flat).query, "value=7");
    let nested = GenericQueryRequest {
        value: std::collections::BTreeMap::from([("a", 1)]),
    };
    let err = EncodedRequest::from_api(&nested).unwrap_err();
    assert!(err.to_string().contains("`value` is an object"), "{err}");
}

/// Operations declared by hand with the APIv2 marker.
#[path = "macro_pass/v2.rs"]
pub mod v2;

/// `Sensitive` fields, at the top and nested, in the body and the query.
#[path = "macro_pass/sensitive.rs"]
pub mod sensitive;

/// Path parameters bound to fields of another name, and the calling merchant.
#[path = "macro_pass/roles.rs"]
pub mod roles;
