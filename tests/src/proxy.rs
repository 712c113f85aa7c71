//! A fault-injecting HTTP/1.1 proxy for end-to-end tests.
//!
//! [`FaultProxy`] sits between sync clients and a real server on loopback and decides, request
//! by request, whether to pass the exchange through or break it in one of the ways a shop's
//! network breaks: a lost request, a lost response, a retried duplicate, a slow link, a
//! connection cut mid-response, a gateway error, or no network at all.
//!
//! The proxy handles exactly one request per connection and forces `Connection: close` on both
//! sides, so every exchange is a fresh pair of TCP connections and a fault never leaks into the
//! next request. It runs its own single-threaded tokio runtime on a background thread, so plain
//! blocking tests can drive it; dropping the proxy stops the runtime and every open connection.
//!
//! It is a test tool: it buffers whole requests and responses in memory (within the limits
//! below) and must never be placed in front of real traffic.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};

/// A client or upstream that makes no progress for this long loses its connection.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing connection keeps draining what the client still sends, so the close is a
/// clean FIN rather than a reset that could destroy bytes the client has not read yet.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Bytes drained from a closing connection before giving up on a clean close.
const CLOSE_DRAIN_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Request line plus headers.
const REQUEST_HEAD_BYTES_MAX: usize = 64 * 1024;
const REQUEST_HEADERS_MAX: usize = 64;
const REQUEST_BODY_BYTES_MAX: usize = 64 * 1024 * 1024;
const RESPONSE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Connections served at once; further clients wait in the listen backlog.
const CONNECTIONS_MAX: usize = 256;
/// Bounds of the delay a [`FaultPlan::Seeded`] plan draws.
const SEEDED_DELAY_MS_MIN: u64 = 1;
const SEEDED_DELAY_MS_MAX: u64 = 200;
const READ_CHUNK_BYTES: usize = 16 * 1024;

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward the request and forward the response.
    Pass,
    /// Read the request, then close the client connection without forwarding anything.
    DropRequest,
    /// Forward the request and read the whole response (so the server has applied it), then
    /// close the client connection without sending a byte.
    DropResponse,
    /// Forward the request twice, one upstream connection after the other, and return the
    /// first response to the client; the second is discarded.
    Duplicate,
    /// Wait this long, then behave as [`Fault::Pass`].
    Delay(Duration),
    /// Forward the request, send the client only the first half of the response bytes, then
    /// close.
    ResetMidResponse,
    /// Do not forward; answer `502 Bad Gateway` with `Connection: close`.
    Answer502,
}

/// Which fault each request gets.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultPlan {
    /// Each request gets, with probability `fault_rate`, a non-[`Fault::Pass`] fault drawn
    /// uniformly (a [`Fault::Delay`] lasts 1..=200 ms), and [`Fault::Pass`] otherwise. The draws
    /// come from ChaCha8 seeded with `seed`, so a seed replays the same sequence. A `fault_rate`
    /// outside `0.0..=1.0` is clamped into it; NaN counts as `0.0`.
    Seeded {
        /// Seed of the ChaCha8 generator.
        seed: u64,
        /// Probability that a request is faulted.
        fault_rate: f64,
    },
    /// The n-th request gets the n-th fault; requests after the list pass.
    Script(Vec<Fault>),
    /// Every request passes.
    PassAll,
}

impl FaultPlan {
    /// The endless sequence of faults this plan hands out, request by request.
    pub fn schedule(self) -> FaultSchedule {
        let source = match self {
            FaultPlan::Seeded { seed, fault_rate } => Source::Seeded {
                rng: Box::new(ChaCha8Rng::seed_from_u64(seed)),
                fault_rate: if fault_rate.is_nan() {
                    0.0
                } else {
                    fault_rate.clamp(0.0, 1.0)
                },
            },
            FaultPlan::Script(faults) => Source::Script(faults.into()),
            FaultPlan::PassAll => Source::PassAll,
        };
        FaultSchedule { source }
    }
}

/// The faults of a [`FaultPlan`] in request order; never ends (it yields [`Fault::Pass`] once a
/// script runs out).
#[derive(Debug, Clone)]
pub struct FaultSchedule {
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    // Boxed: the generator's state dwarfs the other variants.
    Seeded {
        rng: Box<ChaCha8Rng>,
        fault_rate: f64,
    },
    Script(VecDeque<Fault>),
    PassAll,
}

impl Iterator for FaultSchedule {
    type Item = Fault;

    fn next(&mut self) -> Option<Fault> {
        let fault = match &mut self.source {
            Source::Seeded { rng, fault_rate } => {
                if !rng.random_bool(*fault_rate) {
                    Fault::Pass
                } else {
                    match rng.random_range(0..6u8) {
                        0 => Fault::DropRequest,
                        1 => Fault::DropResponse,
                        2 => Fault::Duplicate,
                        3 => Fault::Delay(Duration::from_millis(
                            rng.random_range(SEEDED_DELAY_MS_MIN..=SEEDED_DELAY_MS_MAX),
                        )),
                        4 => Fault::ResetMidResponse,
                        _ => Fault::Answer502,
                    }
                }
            }
            Source::Script(faults) => faults.pop_front().unwrap_or(Fault::Pass),
            Source::PassAll => Fault::Pass,
        };
        Some(fault)
    }
}

/// What the proxy has done since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Complete requests read from clients; each got exactly one fault, counted below.
    pub requests_seen: u64,
    /// Requests given [`Fault::Pass`].
    pub passed: u64,
    /// Requests given [`Fault::DropRequest`].
    pub dropped_requests: u64,
    /// Requests given [`Fault::DropResponse`].
    pub dropped_responses: u64,
    /// Requests given [`Fault::Duplicate`].
    pub duplicated: u64,
    /// Requests given [`Fault::Delay`].
    pub delayed: u64,
    /// Requests given [`Fault::ResetMidResponse`].
    pub reset_mid_response: u64,
    /// Requests given [`Fault::Answer502`].
    pub answered_502: u64,
    /// Connections closed unread because the proxy was offline.
    pub refused_offline: u64,
    /// Requests refused before any fault: malformed (400), too large (413) or with a
    /// `Transfer-Encoding` such as chunked (501). Not counted in `requests_seen`.
    pub rejected_requests: u64,
    /// Upstream exchanges that failed (unreachable, stalled, closed without answering); a
    /// client waiting on one got a 502.
    pub upstream_failures: u64,
}

/// A running fault-injecting proxy on `127.0.0.1`; see the [module docs](self).
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    schedule: Mutex<FaultSchedule>,
    offline: AtomicBool,
    stats: Mutex<ProxyStats>,
}

impl FaultProxy {
    /// Binds `127.0.0.1:0` and starts forwarding to `upstream` under `plan`.
    pub fn start(upstream: SocketAddr, plan: FaultPlan) -> io::Result<FaultProxy> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let shared = Arc::new(Shared {
            schedule: Mutex::new(plan.schedule()),
            offline: AtomicBool::new(false),
            stats: Mutex::new(ProxyStats::default()),
        });
        let (shutdown, stopped) = oneshot::channel();
        let task_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("fault-proxy-{}", addr.port()))
            // Dropping the runtime at the end of the thread cancels every connection task.
            .spawn(move || runtime.block_on(accept(listener, upstream, task_shared, stopped)))?;
        Ok(FaultProxy {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients use, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the plan; the next request gets the first fault of the new plan.
    pub fn set_plan(&self, plan: FaultPlan) {
        *lock(&self.shared.schedule) = plan.schedule();
    }

    /// While offline, every new connection is closed without being read or answered, as if the
    /// network were down. Connections already past that point finish as planned.
    pub fn set_offline(&self, offline: bool) {
        self.shared.offline.store(offline, Ordering::SeqCst);
    }

    /// A snapshot of what the proxy has done so far.
    pub fn stats(&self) -> ProxyStats {
        lock(&self.shared.stats).clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // An error means the accept loop has already stopped.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the proxy thread has already been reported; dropping must not panic.
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn count(&self, update: impl FnOnce(&mut ProxyStats)) {
        update(&mut lock(&self.stats));
    }

    fn next_fault(&self) -> Fault {
        let fault = lock(&self.schedule).next().unwrap_or(Fault::Pass);
        self.count(|stats| {
            stats.requests_seen += 1;
            match fault {
                Fault::Pass => stats.passed += 1,
                Fault::DropRequest => stats.dropped_requests += 1,
                Fault::DropResponse => stats.dropped_responses += 1,
                Fault::Duplicate => stats.duplicated += 1,
                Fault::Delay(_) => stats.delayed += 1,
                Fault::ResetMidResponse => stats.reset_mid_response += 1,
                Fault::Answer502 => stats.answered_502 += 1,
            }
        });
        fault
    }
}

/// The proxy's state stays consistent under every panic point (counters and a schedule), so a
/// poisoned lock is safe to keep using.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let connections = Arc::new(Semaphore::new(CONNECTIONS_MAX));
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => return,
            accepted = accept_within_limit(&listener, &connections) => accepted,
        };
        match accepted {
            Ok((client, permit)) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    serve(client, upstream, &shared).await;
                    drop(permit);
                });
            }
            // Accept errors (out of descriptors, aborted handshakes) pass; don't spin on them.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn accept_within_limit(
    listener: &TcpListener,
    connections: &Arc<Semaphore>,
) -> io::Result<(TcpStream, tokio::sync::OwnedSemaphorePermit)> {
    let permit = Arc::clone(connections)
        .acquire_owned()
        .await
        .map_err(io::Error::other)?;
    let (client, _) = listener.accept().await?;
    Ok((client, permit))
}

async fn serve(mut client: TcpStream, upstream: SocketAddr, shared: &Shared) {
    if shared.offline.load(Ordering::SeqCst) {
        shared.count(|stats| stats.refused_offline += 1);
        return close(client).await;
    }
    let request = match read_request(&mut client).await {
        Ok(request) => request,
        Err(RequestError::Closed) => return,
        Err(refused) => {
            shared.count(|stats| stats.rejected_requests += 1);
            return reply(client, &plain_response(refused.status())).await;
        }
    };
    match shared.next_fault() {
        Fault::Pass => forward(client, upstream, &request, shared).await,
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            forward(client, upstream, &request, shared).await;
        }
        Fault::DropRequest => close(client).await,
        Fault::DropResponse => {
            let _ = exchange(upstream, &request, shared).await;
            close(client).await;
        }
        Fault::Duplicate => {
            let first = exchange(upstream, &request, shared).await;
            let _ = exchange(upstream, &request, shared).await;
            reply(client, &first.unwrap_or_else(bad_gateway)).await;
        }
        Fault::ResetMidResponse => match exchange(upstream, &request, shared).await {
            Some(response) => reply(client, &response[..response.len() / 2]).await,
            None => reply(client, &bad_gateway()).await,
        },
        Fault::Answer502 => reply(client, &bad_gateway()).await,
    }
}

async fn forward(client: TcpStream, upstream: SocketAddr, request: &[u8], shared: &Shared) {
    let response = exchange(upstream, request, shared)
        .await
        .unwrap_or_else(bad_gateway);
    reply(client, &response).await;
}

/// One request to `upstream` on a fresh connection, read until the server closes it. A failure
/// is counted here; the caller only decides what the client sees.
async fn exchange(upstream: SocketAddr, request: &[u8], shared: &Shared) -> Option<Vec<u8>> {
    let response = read_upstream(upstream, request).await.ok();
    if response.is_none() {
        shared.count(|stats| stats.upstream_failures += 1);
    }
    response
}

async fn read_upstream(upstream: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut server = within_stall_limit(TcpStream::connect(upstream)).await?;
    within_stall_limit(server.write_all(request)).await?;
    // No write shutdown here: hyper drops a connection whose client half-closes before it has
    // answered.
    let mut response = Vec::new();
    let mut chunk = vec![0; READ_CHUNK_BYTES];
    loop {
        let read = within_stall_limit(server.read(&mut chunk)).await?;
        if read == 0 {
            break;
        }
        if response.len() + read > RESPONSE_BYTES_MAX {
            return Err(io::Error::other(
                "upstream response over RESPONSE_BYTES_MAX",
            ));
        }
        response.extend_from_slice(&chunk[..read]);
    }
    if response.is_empty() {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(response)
}

/// Why a client's request was not read; every variant but `Closed` is answered.
enum RequestError {
    /// The client went away or stalled; nobody to answer.
    Closed,
    Malformed,
    TooLarge,
    /// A `Transfer-Encoding` (chunked): our clients always send `Content-Length`.
    Unsupported,
}

impl RequestError {
    fn status(&self) -> &'static str {
        match self {
            RequestError::Closed | RequestError::Malformed => "400 Bad Request",
            RequestError::TooLarge => "413 Content Too Large",
            RequestError::Unsupported => "501 Not Implemented",
        }
    }
}

/// A request head rewritten to carry `Connection: close`, and where the body starts.
struct RequestHead {
    rewritten: Vec<u8>,
    len: usize,
    body_len: usize,
}

/// Reads one whole request and returns its bytes, head rewritten, ready to forward (and to
/// replay for [`Fault::Duplicate`]). Bytes after the body (pipelining) are dropped.
async fn read_request(client: &mut TcpStream) -> Result<Vec<u8>, RequestError> {
    let mut received = Vec::new();
    let mut chunk = vec![0; READ_CHUNK_BYTES];
    let head = loop {
        let read = within_stall_limit(client.read(&mut chunk))
            .await
            .map_err(|_| RequestError::Closed)?;
        if read == 0 {
            return Err(RequestError::Closed);
        }
        received.extend_from_slice(&chunk[..read]);
        if let Some(head) = parse_head(&received)? {
            break head;
        }
        if received.len() > REQUEST_HEAD_BYTES_MAX {
            return Err(RequestError::TooLarge);
        }
    };
    let request_len = head.rewritten.len() + head.body_len;
    let mut request = head.rewritten;
    request.reserve(head.body_len);
    let body_received = &received[head.len..];
    request.extend_from_slice(&body_received[..body_received.len().min(head.body_len)]);
    while request.len() < request_len {
        let wanted = (request_len - request.len()).min(chunk.len());
        let read = within_stall_limit(client.read(&mut chunk[..wanted]))
            .await
            .map_err(|_| RequestError::Closed)?;
        if read == 0 {
            return Err(RequestError::Closed);
        }
        request.extend_from_slice(&chunk[..read]);
    }
    Ok(request)
}

/// `Ok(None)` while the head is incomplete.
fn parse_head(received: &[u8]) -> Result<Option<RequestHead>, RequestError> {
    let mut headers = [httparse::EMPTY_HEADER; REQUEST_HEADERS_MAX];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(received) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(RequestError::Malformed),
    };
    let (Some(method), Some(path), Some(version)) = (request.method, request.path, request.version)
    else {
        return Err(RequestError::Malformed);
    };
    let mut rewritten = format!("{method} {path} HTTP/1.{version}\r\n").into_bytes();
    let mut body_len = None;
    for header in request.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(RequestError::Unsupported);
        }
        if name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value)
                .ok()
                .and_then(|value| value.trim().parse::<usize>().ok())
                .ok_or(RequestError::Malformed)?;
            if body_len.is_some_and(|seen| seen != value) {
                return Err(RequestError::Malformed);
            }
            body_len = Some(value);
        }
        // Hop-by-hop headers that would keep a connection open; replaced below.
        if ["connection", "keep-alive", "proxy-connection"]
            .iter()
            .any(|hop| name.eq_ignore_ascii_case(hop))
        {
            continue;
        }
        rewritten.extend_from_slice(name.as_bytes());
        rewritten.extend_from_slice(b": ");
        rewritten.extend_from_slice(header.value);
        rewritten.extend_from_slice(b"\r\n");
    }
    rewritten.extend_from_slice(b"Connection: close\r\n\r\n");
    let body_len = body_len.unwrap_or(0);
    if body_len > REQUEST_BODY_BYTES_MAX {
        return Err(RequestError::TooLarge);
    }
    Ok(Some(RequestHead {
        rewritten,
        len,
        body_len,
    }))
}

fn bad_gateway() -> Vec<u8> {
    plain_response("502 Bad Gateway")
}

fn plain_response(status: &str) -> Vec<u8> {
    let body = format!("fault proxy: {status}\n");
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends `bytes` to the client, then closes. A client that has gone away is no error here.
async fn reply(mut client: TcpStream, bytes: &[u8]) {
    if within_stall_limit(client.write_all(bytes)).await.is_ok() {
        close(client).await;
    }
}

/// Closes the connection with a FIN, then reads and discards what the client still sends until
/// it closes too: dropping a socket with unread input would reset it and could destroy the
/// bytes just sent.
async fn close(mut client: TcpStream) {
    if client.shutdown().await.is_err() {
        return;
    }
    let mut sink = vec![0; READ_CHUNK_BYTES];
    let drain = async {
        let mut drained = 0;
        while drained < CLOSE_DRAIN_BYTES_MAX {
            match client.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(read) => drained += read,
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_DRAIN_TIMEOUT, drain).await;
}

async fn within_stall_limit<T>(operation: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    tokio::time::timeout(STALL_TIMEOUT, operation)
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
}
