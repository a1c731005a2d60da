//! Every field the catalog marks sensitive is checked, on every operation
//! that carries one, stateful or not: each walked here is sent once with that
//! one field in plaintext (every other encrypted field sealed for the
//! platform key, `Wechatpay-Serial` set) and refused with WeChat's 400
//! `PARAM_ERROR` `平台私钥解密失败`, naming the field. And fields WeChat returns
//! encrypted come back encrypted for the merchant.

use serde_json::Value;
use wxpay_core::{Client, Error, Method};
use wxpay_sandbox::catalog::{self, Operation};
use wxpay_sandbox::{KeyMode, Sandbox, DEFAULT_SUB_MCHID};

use crate::support::{client, start};

const PLAINTEXT: &str = "张三 13800000000";

fn method(op: &Operation) -> Method {
    match op.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        _ => Method::Delete,
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The JSON pointers of the encrypted strings of `value` (per `schema`).
fn sensitive_pointers(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let names = schema
                .get("x-is-sensitive")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str);
            for name in names {
                if map.get(name).is_some_and(Value::is_string) {
                    out.push(format!("{at}/{name}"));
                }
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    if let Some(v) = map.get(name) {
                        sensitive_pointers(sub, v, &format!("{at}/{name}"), out);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    sensitive_pointers(sub, item, &format!("{at}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// One request of `op`: example path and query, `body` as given,
/// `Wechatpay-Serial` set.
async fn send(
    client: &Client,
    op: &Operation,
    query: &[(String, String)],
    body: Option<&Value>,
    serial: &str,
) -> Result<Value, Error> {
    let mut request = client.request(method(op), &op.request_template());
    for name in op.placeholders() {
        let value = op
            .path_params
            .iter()
            .find(|p| p.name == name)
            .map(|p| text(&catalog::example(&p.schema)))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("sandbox-{name}"));
        request = request.path_param(name, value);
    }
    for (name, value) in query {
        request = request.query_pair(name, value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.header("Wechatpay-Serial", serial).send().await
}

/// The refusal of a plaintext field: 400 `PARAM_ERROR` 平台私钥解密失败 at `field`.
#[track_caller]
fn expect_refused(result: Result<Value, Error>, op: &Operation, field: &str, location: &str) {
    let what = format!("{} {} {field}", op.method, op.path);
    match result {
        Err(Error::Api(e)) => {
            assert_eq!(
                (e.status, e.code.as_str()),
                (400, "PARAM_ERROR"),
                "{what}: {e}"
            );
            assert!(e.message.starts_with("平台私钥解密失败"), "{what}: {e}");
            let detail = e.detail.clone().unwrap_or_default();
            assert_eq!(detail["field"], field, "{what}: {e}");
            assert_eq!(detail["location"], location, "{what}: {e}");
        }
        other => panic!("{what}: a plaintext value was not refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogued_sensitive_field_refuses_plaintext() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let (serial, _) = client.encrypt_sensitive("x").unwrap();
    let seal = |plain: &str| client.encrypt_sensitive(plain).unwrap().1;
    let mut operations = 0;
    let mut fields = 0;
    for op in catalog::operations() {
        // The example query, its encrypted parameters sealed.
        let query: Vec<(String, String)> = op
            .query
            .iter()
            .map(|p| {
                let mut value = text(&catalog::example(&p.schema));
                if p.name == "sub_mchid" {
                    value = DEFAULT_SUB_MCHID.to_owned();
                }
                if p.sensitive {
                    value = seal(&value);
                }
                (p.name.clone(), value)
            })
            .collect();
        // The example body, every encrypted field sealed.
        let mut pointers = Vec::new();
        let body = op.body.as_ref().map(|schema| {
            let mut body = catalog::example(schema);
            sensitive_pointers(schema, &body, "", &mut pointers);
            for at in &pointers {
                if let Some(slot) = body.pointer_mut(at) {
                    let plain = slot.as_str().unwrap_or_default().to_owned();
                    *slot = Value::String(seal(&plain));
                }
            }
            body
        });
        let sensitive_query: Vec<usize> = (0..op.query.len())
            .filter(|&i| op.query[i].sensitive)
            .collect();
        if pointers.is_empty() && sensitive_query.is_empty() {
            continue;
        }
        operations += 1;

        for at in &pointers {
            let mut plain = body.clone().unwrap_or_default();
            if let Some(slot) = plain.pointer_mut(at) {
                *slot = Value::String(PLAINTEXT.into());
            }
            let result = send(&client, op, &query, Some(&plain), &serial).await;
            expect_refused(result, op, at, "body");
            fields += 1;
        }
        for &i in &sensitive_query {
            let mut plain = query.clone();
            plain[i].1 = PLAINTEXT.into();
            let result = send(&client, op, &plain, body.as_ref(), &serial).await;
            expect_refused(result, op, &op.query[i].name, "query");
            fields += 1;
        }
        // Sealed as WeChat asks, the same request gets past the check (it may
        // still meet the operation's own rules, e.g. an unknown order).
        if let Err(Error::Api(e)) = send(&client, op, &query, body.as_ref(), &serial).await {
            assert!(
                !e.message.starts_with("平台私钥解密失败"),
                "{} {}: sealed fields refused: {e}",
                op.method,
                op.path
            );
        }
    }
    eprintln!("sensitive: {fields} encrypted fields of {operations} operations refuse plaintext");
    // The operations the issue found unchecked are among them.
    assert!(
        operations > 100,
        "{operations} operations with encrypted fields"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_serial_must_name_the_platform_key_or_public_key() {
    let sandbox: Sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let (_, sealed) = client.encrypt_sensitive("张三").unwrap();
    let echo = |serial: Option<&str>| {
        let mut request = client
            .request(Method::Post, "v3/security/echo")
            .json(serde_json::json!({ "echo_message": "hello", "encrypted_echo_message": sealed }));
        if let Some(serial) = serial {
            request = request.header("Wechatpay-Serial", serial.to_owned());
        }
        request.send::<Value>()
    };
    // Both names of the platform key are accepted.
    for serial in [sandbox.platform_serial(), sandbox.platform_public_key_id()] {
        let answer = echo(Some(&serial)).await.expect("accepted");
        // The echo comes back encrypted for the merchant, not the platform.
        let back = answer["encrypted_echo_message"].as_str().unwrap();
        assert_ne!(back, sealed);
        assert_eq!(client.decrypt_sensitive(back).unwrap(), "张三");
    }
    for (serial, field) in [
        (None, "Wechatpay-Serial"),
        (
            Some("000000000000000000000000000000000000000A"),
            "Wechatpay-Serial",
        ),
    ] {
        match echo(serial).await {
            Err(Error::Api(e)) => {
                assert_eq!((e.status, e.code.as_str()), (400, "PARAM_ERROR"), "{e}");
                assert_eq!(e.detail.unwrap()["field"], field);
            }
            other => panic!("{serial:?}: {other:?}"),
        }
    }
    // Real ciphertext, but for another key (the merchant's): refused.
    let wrong = sandbox
        .merchant()
        .private_key
        .public_key()
        .encrypt_oaep_base64("张三")
        .unwrap();
    let refused = client
        .request(Method::Post, "v3/security/echo")
        .json(serde_json::json!({ "echo_message": "hello", "encrypted_echo_message": wrong }))
        .header("Wechatpay-Serial", sandbox.platform_serial().to_owned())
        .send::<Value>()
        .await;
    let op = catalog::find("POST", "/v3/security/echo").unwrap().0;
    expect_refused(refused, op, "/encrypted_echo_message", "body");
    sandbox.shutdown().await;
}
