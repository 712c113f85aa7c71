//! The fault proxy against a tiny counting upstream, driven by a blocking client.
//!
//! The proxy reads the whole upstream response before the client sees a byte, so the upstream's
//! count is final by the time `send` returns: no test sleeps to wait for the network.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use taem_e2e::proxy::{Fault, FaultPlan, FaultProxy, ProxyStats};

const CLIENT_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// An HTTP server that answers each request with `hello N`, N counting the requests it has read,
/// followed by what it received (body length, byte sum, `Connection` header).
struct Upstream {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl Upstream {
    fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
        let addr = listener.local_addr().expect("upstream address");
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&requests);
        // Detached: it blocks in accept until the test process exits.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &counted);
            }
        });
        Upstream { addr, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, requests: &AtomicUsize) -> io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_READ_TIMEOUT))?;
    let mut received = Vec::new();
    let mut chunk = [0; 16 * 1024];
    let (head_len, body_len, connection) = loop {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        received.extend_from_slice(&chunk[..read]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(head_len) =
            request.parse(&received).map_err(io::Error::other)?
        {
            let header = |name: &str| {
                request
                    .headers
                    .iter()
                    .find(|header| header.name.eq_ignore_ascii_case(name))
                    .map(|header| String::from_utf8_lossy(header.value).into_owned())
            };
            let body_len = header("content-length").map_or(0, |value| value.parse().unwrap_or(0));
            break (head_len, body_len, header("connection").unwrap_or_default());
        }
    };
    while received.len() < head_len + body_len {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        received.extend_from_slice(&chunk[..read]);
    }
    let body = &received[head_len..head_len + body_len];
    let body_sum: u64 = body.iter().map(|&byte| u64::from(byte)).sum();
    let count = requests.fetch_add(1, Ordering::SeqCst) + 1;
    let reply = format!(
        "hello {count} body_bytes={} body_sum={body_sum} connection={connection}",
        body.len()
    );
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )
}

/// Sends one request and returns every byte received until the proxy closes; a reset counts
/// as the end of what was received.
fn send_with(addr: SocketAddr, extra_headers: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to proxy");
    stream
        .set_read_timeout(Some(CLIENT_READ_TIMEOUT))
        .expect("set read timeout");
    let mut request = format!(
        "POST /sync/push HTTP/1.1\r\nHost: {addr}\r\n{extra_headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    if stream.write_all(&request).is_err() {
        return String::new();
    }
    let mut response = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => response.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("reading from the proxy failed: {error}"),
        }
    }
    String::from_utf8(response).expect("responses are text")
}

fn send(addr: SocketAddr) -> String {
    send_with(addr, "", b"points=10")
}

fn proxy(upstream: &Upstream, plan: FaultPlan) -> FaultProxy {
    FaultProxy::start(upstream.addr, plan).expect("start proxy")
}

#[test]
fn passing_forwards_the_request_and_returns_the_response() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::PassAll);

    let response = send(proxy.addr());

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("\r\n\r\nhello 1 body_bytes=9 "),
        "{response}"
    );
    assert_eq!(upstream.requests(), 1);
    assert_eq!(
        proxy.stats(),
        ProxyStats {
            requests_seen: 1,
            passed: 1,
            ..ProxyStats::default()
        }
    );
    assert_eq!(
        proxy.url(),
        format!("http://127.0.0.1:{}", proxy.addr().port())
    );
}

#[test]
fn dropping_the_request_closes_without_reaching_upstream() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::Script(vec![Fault::DropRequest]));

    assert_eq!(send(proxy.addr()), "");
    assert_eq!(upstream.requests(), 0);
    assert_eq!(proxy.stats().dropped_requests, 1);
}

#[test]
fn dropping_the_response_still_applies_the_request_upstream() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::Script(vec![Fault::DropResponse]));

    assert_eq!(send(proxy.addr()), "");
    assert_eq!(upstream.requests(), 1);
    assert_eq!(proxy.stats().dropped_responses, 1);
}

#[test]
fn duplicating_applies_the_request_twice_and_returns_the_first_response() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::Script(vec![Fault::Duplicate]));

    let response = send(proxy.addr());

    assert!(
        response.contains("\r\n\r\nhello 1 body_bytes=9 "),
        "{response}"
    );
    assert_eq!(upstream.requests(), 2);
    assert_eq!(proxy.stats().duplicated, 1);
}

#[test]
fn delaying_waits_then_passes() {
    let upstream = Upstream::start();
    let delay = Duration::from_millis(60);
    let proxy = proxy(&upstream, FaultPlan::Script(vec![Fault::Delay(delay)]));

    let started = Instant::now();
    let response = send(proxy.addr());

    assert!(started.elapsed() >= delay);
    assert!(response.contains("\r\n\r\nhello 1 "), "{response}");
    assert_eq!(upstream.requests(), 1);
    assert_eq!(proxy.stats().delayed, 1);
}

#[test]
fn resetting_mid_response_sends_only_the_first_half() {
    let upstream = Upstream::start();
    let proxy = proxy(
        &upstream,
        FaultPlan::Script(vec![Fault::Pass, Fault::ResetMidResponse]),
    );

    let whole = send(proxy.addr());
    let truncated = send(proxy.addr());

    // Both answers have the same length: only the counter digit differs.
    assert_eq!(truncated.len(), whole.len() / 2);
    assert!(
        whole.starts_with(&truncated.replace("hello 2", "hello 1")),
        "{truncated}"
    );
    assert_eq!(upstream.requests(), 2);
    assert_eq!(proxy.stats().reset_mid_response, 1);
}

#[test]
fn answering_502_never_reaches_upstream() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::Script(vec![Fault::Answer502]));

    let response = send(proxy.addr());

    assert!(
        response.starts_with("HTTP/1.1 502 Bad Gateway\r\n"),
        "{response}"
    );
    assert!(response.contains("Connection: close\r\n"), "{response}");
    assert_eq!(upstream.requests(), 0);
    assert_eq!(proxy.stats().answered_502, 1);
}

#[test]
fn a_script_passes_every_request_after_its_last_fault() {
    let upstream = Upstream::start();
    let proxy = proxy(
        &upstream,
        FaultPlan::Script(vec![Fault::Answer502, Fault::DropRequest]),
    );

    assert!(send(proxy.addr()).starts_with("HTTP/1.1 502"));
    assert_eq!(send(proxy.addr()), "");
    assert!(send(proxy.addr()).contains("hello 1 "));
    assert!(send(proxy.addr()).contains("hello 2 "));
    assert_eq!(
        proxy.stats(),
        ProxyStats {
            requests_seen: 4,
            passed: 2,
            answered_502: 1,
            dropped_requests: 1,
            ..ProxyStats::default()
        }
    );
}

#[test]
fn offline_closes_connections_without_data_until_back_online() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::PassAll);

    proxy.set_offline(true);
    assert_eq!(send(proxy.addr()), "");
    assert_eq!(send(proxy.addr()), "");
    assert_eq!(upstream.requests(), 0);

    proxy.set_offline(false);
    assert!(send(proxy.addr()).contains("hello 1 "));
    let stats = proxy.stats();
    assert_eq!((stats.refused_offline, stats.requests_seen), (2, 1));
}

#[test]
fn a_new_plan_applies_from_the_next_request() {
    let upstream = Upstream::start();
    let proxy = proxy(
        &upstream,
        FaultPlan::Seeded {
            seed: 7,
            fault_rate: 1.0,
        },
    );

    proxy.set_plan(FaultPlan::Script(vec![Fault::Answer502]));
    assert!(send(proxy.addr()).starts_with("HTTP/1.1 502"));
    proxy.set_plan(FaultPlan::PassAll);
    assert!(send(proxy.addr()).contains("hello 1 "));
}

#[test]
fn the_same_seed_applies_the_same_faults() {
    let plan = FaultPlan::Seeded {
        seed: 2024,
        fault_rate: 0.5,
    };
    let run = || {
        let upstream = Upstream::start();
        let proxy = proxy(&upstream, plan.clone());
        let responses: Vec<String> = (0..12).map(|_| send(proxy.addr())).collect();
        (proxy.stats(), upstream.requests(), responses)
    };

    let (first, second) = (run(), run());

    assert_eq!(first, second);
    let stats = first.0;
    assert_eq!(stats.requests_seen, 12);
    assert!(
        stats.passed < 12,
        "a rate of 0.5 over 12 requests faults some: {stats:?}"
    );
}

#[test]
fn a_one_megabyte_body_is_forwarded_intact() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::PassAll);
    let body: Vec<u8> = (0..1_000_000u32).map(|index| (index % 251) as u8).collect();
    let body_sum: u64 = body.iter().map(|&byte| u64::from(byte)).sum();

    let response = send_with(proxy.addr(), "", &body);

    let expected = format!("hello 1 body_bytes=1000000 body_sum={body_sum} ");
    assert!(response.contains(&expected), "{response}");
}

#[test]
fn a_keep_alive_request_reaches_upstream_as_connection_close() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::PassAll);

    let response = send_with(
        proxy.addr(),
        "Connection: keep-alive\r\nKeep-Alive: 5\r\n",
        b"",
    );

    assert!(
        response.ends_with("body_bytes=0 body_sum=0 connection=close"),
        "{response}"
    );
}

#[test]
fn a_chunked_request_is_refused_with_501() {
    let upstream = Upstream::start();
    let proxy = proxy(&upstream, FaultPlan::PassAll);

    let response = send_with(proxy.addr(), "Transfer-Encoding: chunked\r\n", b"");

    assert!(
        response.starts_with("HTTP/1.1 501 Not Implemented\r\n"),
        "{response}"
    );
    assert_eq!(upstream.requests(), 0);
    assert_eq!(proxy.stats().rejected_requests, 1);
}

#[test]
fn an_unreachable_upstream_is_answered_with_502() {
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let proxy = FaultProxy::start(closed_port, FaultPlan::PassAll).expect("start proxy");

    let response = send(proxy.addr());

    assert!(
        response.starts_with("HTTP/1.1 502 Bad Gateway\r\n"),
        "{response}"
    );
    assert_eq!(proxy.stats().upstream_failures, 1);
}

#[test]
fn a_seeded_schedule_faults_at_the_edges_of_its_rate() {
    let never: Vec<Fault> = FaultPlan::Seeded {
        seed: 1,
        fault_rate: 0.0,
    }
    .schedule()
    .take(200)
    .collect();
    let always: Vec<Fault> = FaultPlan::Seeded {
        seed: 1,
        fault_rate: 1.0,
    }
    .schedule()
    .take(200)
    .collect();

    assert!(never.iter().all(|fault| *fault == Fault::Pass));
    assert!(always.iter().all(|fault| *fault != Fault::Pass));
    for kind in [Fault::DropRequest, Fault::DropResponse, Fault::Duplicate] {
        assert!(always.contains(&kind), "200 faults include {kind:?}");
    }
    assert!(always.iter().all(|fault| match fault {
        Fault::Delay(delay) => (1..=200).contains(&delay.as_millis()),
        _ => true,
    }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_seed_replays_the_same_schedule(seed: u64, fault_rate in -0.5f64..1.5) {
        let plan = FaultPlan::Seeded { seed, fault_rate };
        let first: Vec<Fault> = plan.clone().schedule().take(50).collect();
        let second: Vec<Fault> = plan.schedule().take(50).collect();
        prop_assert_eq!(first, second);
    }
}
