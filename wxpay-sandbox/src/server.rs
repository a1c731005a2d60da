//! The accept loop. It is our own rather than `axum::serve` because the
//! connection-reset fault must drop one chosen connection with a TCP reset.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::app::App;
use crate::gateway;

/// Lets a request handler end its own connection.
#[derive(Debug, Default)]
pub(crate) struct Connection {
    reset: AtomicBool,
    ended: Notify,
}

impl Connection {
    /// Ends the connection at once with a TCP reset, no response sent.
    pub(crate) fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.ended.notify_one();
    }
}

/// Serves until `stop` changes (or its sender is dropped), then aborts every
/// connection, including requests still sleeping in a delay fault.
///
/// At most `max_connections` are served at once: the loop takes a permit
/// before it accepts, so further clients wait in the kernel's listen backlog
/// (bounded) instead of costing a task and buffers each.
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let routers = gateway::Routers {
        api: crate::ops::router(app.clone()),
        control: crate::control::router(app.clone()),
    };
    let slots = Arc::new(Semaphore::new(app.limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            permit = slots.clone().acquire_owned() => {
                // The semaphore is never closed.
                let Ok(permit) = permit else { break };
                tokio::select! {
                    _ = stop.changed() => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            connections.spawn(serve_connection(stream, app.clone(), routers.clone(), permit));
                        }
                        // Out of file descriptors or similar: back off and keep serving.
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    },
                }
            }
        }
    }
    connections.shutdown().await;
}

/// Serves one connection; its slot is given back when this returns.
async fn serve_connection(
    stream: TcpStream,
    app: Arc<App>,
    routers: gateway::Routers,
    _slot: OwnedSemaphorePermit,
) {
    let idle_timeout = app.limits.idle_timeout;
    let _ = stream.set_nodelay(true);
    let connection = Arc::new(Connection::default());
    let io = TokioIo::new(Socket {
        stream,
        connection: connection.clone(),
    });
    let handler = connection.clone();
    let service = hyper::service::service_fn(move |request| {
        let (app, routers, handler) = (app.clone(), routers.clone(), handler.clone());
        async move { Ok::<_, Infallible>(gateway::handle(app, routers, handler, request).await) }
    });
    // hyper runs this timer whenever it waits for a request's headers: on a
    // fresh connection and on a keep-alive one between requests, so it is the
    // idle timeout too.
    let serving = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .serve_connection(io, service);
    tokio::select! {
        _ = serving => {}
        _ = connection.ended.notified() => {}
    }
}

/// The TCP stream, reset instead of closed when its connection asked for it.
struct Socket {
    stream: TcpStream,
    connection: Arc<Connection>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.connection.reset.load(Ordering::SeqCst) {
            // SO_LINGER 0: close() sends RST; nothing is left to flush, so it cannot block.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
