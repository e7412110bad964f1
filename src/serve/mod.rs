//! `entramap serve`: the expression builder and mapping viewer, served to a browser on this
//! machine only.
//!
//! The server listens on the loopback addresses (127.0.0.1, and ::1 where the host has IPv6)
//! and nowhere else. It serves one page whose script, style and icon are compiled into the
//! binary ([`assets`]), and the JSON API of [`api`], which runs the same code as the command
//! line. It never reads or writes a file: everything it works on arrives in a request body.
//!
//! Every request is checked before it is routed ([`admit`]): its `Host` must name a loopback
//! address at the server's port (a page on another site that rebinds its DNS name to 127.0.0.1
//! sends its own name and is refused), a cross-site `Origin` is refused, API calls must say
//! `Content-Type: application/json` (so a plain form elsewhere cannot post to them), and a body
//! larger than [`MAX_BODY_BYTES`] is refused before it is read.

pub mod api;
pub mod assets;

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server};

/// The largest request body the server reads: a mapping file of the largest size entramap
/// reads ([`crate::mapping::MAX_FILE_BYTES`], 10 MB) with room for its JSON escaping.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How many threads take requests from each listening socket.
pub const WORKERS_PER_SOCKET: usize = 2;

/// The page's Content-Security-Policy: only this server's own script, style and images; no
/// inline script, no frames, no forms posting anywhere, no connection to another host.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// A server bound to the loopback addresses, not yet answering.
pub struct Bound {
    servers: Vec<Arc<Server>>,
    addrs: Vec<SocketAddr>,
    port: u16,
}

/// Why the server could not start.
#[derive(Debug)]
pub struct BindError(pub String);

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindError {}

/// Binds 127.0.0.1 at `port` (0: a free port the system picks), then ::1 at the same port where
/// the host has IPv6. IPv4 must succeed; IPv6 is left out quietly when the host has none.
pub fn bind(port: u16) -> Result<Bound, BindError> {
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let first = Server::http(v4).map_err(|e| {
        BindError(format!(
            "cannot listen on {v4}: {e}{}",
            if port == 0 {
                ""
            } else {
                "; choose another port with --port N, or --port 0 for any free one"
            }
        ))
    })?;
    let addr = first
        .server_addr()
        .to_ip()
        .ok_or_else(|| BindError("the listening socket has no IP address".into()))?;
    let port = addr.port();
    let mut servers = vec![Arc::new(first)];
    let mut addrs = vec![addr];
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    if let Ok(server) = Server::http(v6)
        && let Some(addr) = server.server_addr().to_ip()
    {
        servers.push(Arc::new(server));
        addrs.push(addr);
    }
    Ok(Bound {
        servers,
        addrs,
        port,
    })
}

impl Bound {
    /// The addresses the server listens on (all loopback).
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Answers requests until the process ends.
    pub fn run(self) {
        let port = self.port;
        let mut handles = Vec::new();
        for server in &self.servers {
            for _ in 0..WORKERS_PER_SOCKET {
                let server = Arc::clone(server);
                handles.push(std::thread::spawn(move || {
                    for request in server.incoming_requests() {
                        handle(request, port);
                    }
                }));
            }
        }
        for h in handles {
            let _ = h.join();
        }
    }

    /// Answers requests on background threads and returns at once (for tests and embedding).
    pub fn spawn(self) -> Running {
        let port = self.port;
        let servers = self.servers.clone();
        for server in &self.servers {
            for _ in 0..WORKERS_PER_SOCKET {
                let server = Arc::clone(server);
                std::thread::spawn(move || {
                    for request in server.incoming_requests() {
                        handle(request, port);
                    }
                });
            }
        }
        Running {
            servers,
            addrs: self.addrs,
            port,
        }
    }
}

/// A server answering on background threads; dropping it stops it.
pub struct Running {
    servers: Vec<Arc<Server>>,
    pub addrs: Vec<SocketAddr>,
    pub port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        for s in &self.servers {
            s.unblock();
        }
    }
}

/// One answer: status, content type, body.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// `{"error": message}` with a status.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &serde_json::json!({ "error": message.into() }))
    }
}

/// What [`admit`] needs to know about a request.
pub struct Head<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub content_length: Option<usize>,
}

/// Whether `host` (a `Host` header) names a loopback address at `port`: `127.0.0.1:P`,
/// `localhost:P` or `[::1]:P`, ASCII case ignored.
pub fn is_loopback_host(host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}"))
}

/// The checks every request passes before it is routed; `Err` is the refusal to send.
pub fn admit(head: &Head<'_>, port: u16) -> Result<(), Reply> {
    match head.host {
        Some(host) if is_loopback_host(host, port) => {}
        Some(host) => {
            return Err(Reply::error(
                421,
                format!(
                    "Host {host:?} is not this server: entramap serve answers only requests \
                     for 127.0.0.1:{port}, localhost:{port} or [::1]:{port} (a page elsewhere \
                     cannot reach it through a DNS name)"
                ),
            ));
        }
        None => {
            return Err(Reply::error(
                400,
                format!("the request has no Host header; use http://127.0.0.1:{port}/"),
            ));
        }
    }
    if let Some(origin) = head.origin {
        let ok = origin
            .strip_prefix("http://")
            .is_some_and(|rest| is_loopback_host(rest, port));
        if !ok {
            return Err(Reply::error(
                403,
                format!(
                    "requests from the origin {origin:?} are refused: only the page this server serves may call it"
                ),
            ));
        }
    }
    if let Some(n) = head.content_length
        && n > MAX_BODY_BYTES
    {
        return Err(too_large(Some(n)));
    }
    if head.method == "POST"
        && head.path.starts_with("/api/")
        && !head.content_type.is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
    {
        return Err(Reply::error(
            415,
            "the API reads JSON: send the body with Content-Type: application/json",
        ));
    }
    Ok(())
}

fn too_large(n: Option<usize>) -> Reply {
    Reply::error(
        413,
        format!(
            "the request body is {}; entramap serve reads bodies of at most {MAX_BODY_BYTES} bytes (16 MiB; mapping files are read up to 10 MB)",
            match n {
                Some(n) => format!("{n} bytes"),
                None => format!("over {MAX_BODY_BYTES} bytes"),
            }
        ),
    )
}

/// Routes an admitted request.
pub fn route(method: &str, path: &str, body: &[u8]) -> Reply {
    let path = path.split(['?', '#']).next().unwrap_or("/");
    match (method, path) {
        ("GET" | "HEAD", _) => match assets::get(path) {
            Some((content_type, bytes)) => Reply {
                status: 200,
                content_type,
                body: bytes.to_vec(),
            },
            None if path.starts_with("/api/") => Reply::error(
                405,
                format!(
                    "{path} takes POST with a JSON body (GET /api/catalogue lists the functions)"
                ),
            ),
            None => Reply::error(404, format!("nothing at {path}; the page is at /")),
        },
        ("POST", p) if p.starts_with("/api/") => api::call(&p["/api/".len()..], body),
        (m, p) => Reply::error(
            405,
            format!("{m} {p} is not served: the page takes GET, the API POST"),
        ),
    }
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

fn handle(mut request: Request, port: u16) {
    let method = request.method().as_str().to_string();
    let path = request.url().to_string();
    let host = header(&request, "Host");
    let origin = header(&request, "Origin");
    let content_type = header(&request, "Content-Type");
    let head = Head {
        method: &method,
        path: &path,
        host: host.as_deref(),
        origin: origin.as_deref(),
        content_type: content_type.as_deref(),
        content_length: request.body_length(),
    };
    let reply = match admit(&head, port) {
        Err(refusal) => refusal,
        Ok(()) => {
            let mut body = Vec::new();
            let limit = MAX_BODY_BYTES as u64 + 1;
            match request.as_reader().take(limit).read_to_end(&mut body) {
                Err(e) => Reply::error(400, format!("cannot read the request body: {e}")),
                Ok(_) if body.len() > MAX_BODY_BYTES => too_large(None),
                // A bug must cost one answer, not a worker thread.
                Ok(_) => std::panic::catch_unwind(|| route(&method, &path, &body)).unwrap_or_else(
                    |_| {
                        Reply::error(
                            500,
                            "internal error: this is a bug in entramap; please report it with the request that caused it",
                        )
                    },
                ),
            }
        }
    };
    let head_only = *request.method() == Method::Head;
    respond(request, reply, head_only);
}

fn respond(request: Request, reply: Reply, head_only: bool) {
    let mut headers = vec![
        ("Content-Type", reply.content_type),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ];
    if reply.status == 413 {
        headers.push(("Connection", "close"));
    }
    let body = if head_only { Vec::new() } else { reply.body };
    // Every answer is in memory: say its length rather than chunk it.
    let mut response = Response::from_data(body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}
