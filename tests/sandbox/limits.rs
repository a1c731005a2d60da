//! Resource bounds (issue 9, item 9): a capped number of connections served at
//! once, idle connections closed, and a bounded order store. Loopback only,
//! a handful of sockets, every wait bounded.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

/// How long a test waits for something that must happen promptly.
const PROMPTLY: Duration = Duration::from_secs(3);

/// A signed `GET v3/certificates` on a keep-alive connection.
fn certificates_request(sandbox: &Sandbox, keep_alive: bool) -> Vec<u8> {
    let request = signed_request(
        &Signing::honest(sandbox.merchant()),
        "GET",
        "/v3/certificates",
        None,
        b"",
        &[],
    );
    if keep_alive {
        let text = String::from_utf8(request).expect("ASCII request");
        text.replace("Connection: close", "Connection: keep-alive")
            .into_bytes()
    } else {
        request
    }
}

/// Reads until `\r\n\r\n` plus the announced body, or fails after `PROMPTLY`.
async fn read_answer(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    tokio::time::timeout(PROMPTLY, async {
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "closed before a complete answer");
            received.extend_from_slice(&buf[..n]);
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().expect("length"));
                if received.len() >= end + 4 + length {
                    return;
                }
            }
        }
    })
    .await
    .expect("a complete answer in time");
    received
}

/// Waits for the server to close `stream` (EOF or reset); `false` if it is
/// still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 64];
    match tokio::time::timeout(within, stream.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(n)) => panic!(
            "unexpected bytes on an idle connection: {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(_) => false,
    }
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let sandbox = Sandbox::builder()
        .max_connections(4)
        // Long, so that only closing a connection can free a slot here.
        .idle_timeout(Duration::from_secs(60))
        .start()
        .await
        .expect("sandbox starts");
    let addr = sandbox.local_addr();
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    // Let the server take the four into service.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut fifth = TcpStream::connect(addr)
        .await
        .expect("the backlog takes it");
    fifth
        .write_all(&certificates_request(&sandbox, false))
        .await
        .expect("send");
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_secs(1), fifth.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "a fifth connection was served while four were open: {early:?}"
    );

    drop(idle.pop());
    let answer = read_answer(&mut fifth).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let sandbox = Sandbox::builder()
        .idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("sandbox starts");
    let addr = sandbox.local_addr();

    // A connection that never sends a byte.
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    assert!(
        closed_within(&mut silent, PROMPTLY).await,
        "a silent connection was still open after {PROMPTLY:?}"
    );

    // A keep-alive connection after its request was answered.
    let mut kept = TcpStream::connect(addr).await.expect("connect");
    kept.write_all(&certificates_request(&sandbox, true))
        .await
        .expect("send");
    let answer = read_answer(&mut kept).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_within(&mut kept, PROMPTLY).await,
        "an idle keep-alive connection was still open after {PROMPTLY:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn idle_connections_are_closed_by_default() {
    // No setting: the default idle timeout applies (it was 30 s before).
    let sandbox = start(KeyMode::Certificate).await;
    let mut silent = TcpStream::connect(sandbox.local_addr())
        .await
        .expect("connect");
    let within = wxpay_sandbox::DEFAULT_IDLE_TIMEOUT + PROMPTLY;
    assert!(
        within <= Duration::from_secs(10),
        "keep the default short enough that idle sockets cannot pile up"
    );
    assert!(closed_within(&mut silent, within).await);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_oldest_orders_are_forgotten_past_the_cap() {
    let sandbox = Sandbox::builder()
        .max_orders(3)
        .start()
        .await
        .expect("sandbox starts");
    let client = client(&sandbox);
    for n in 1..=4 {
        post(&client, AFTER_SALES, &after_sales(&format!("T{n}"), 10))
            .await
            .expect("created");
    }
    let query = |n: u32| {
        let client = client.clone();
        async move {
            let transaction_id = format!("T{n}");
            get(
                &client,
                AFTER_SALES,
                &[
                    ("sub_mchid", SUB_MCHID),
                    ("transaction_id", &transaction_id),
                ],
            )
            .await
        }
    };
    expect_api(query(1).await, 404, "RESOURCE_NOT_EXISTS");
    for n in 2..=4 {
        let order = query(n).await.expect("kept");
        assert_eq!(order["transaction_id"], format!("T{n}"));
    }
    sandbox.shutdown().await;
}
