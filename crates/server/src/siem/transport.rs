//! Getting a batch of messages to a SIEM: syslog over UDP, TCP (RFC 6587 octet
//! counting) or TLS (RFC 5425, the same framing), OCSF JSON lines to a file or an
//! HTTP endpoint. A `send` either delivers the whole batch or fails; the forwarder
//! then resends it from its durable cursor.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const IO_TIMEOUT: Duration = Duration::from_secs(10);

pub trait Deliver: Send {
    /// Delivers every message of the batch, in order, or fails.
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()>;
}

fn resolve(address: &str) -> io::Result<SocketAddr> {
    address.to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("{address}: no such address"),
        )
    })
}

/// One datagram per message. UDP cannot know whether the collector got it: a
/// message sent while the collector is down is lost (the refusal only shows on the
/// next send, which then fails and is retried).
pub struct Udp {
    socket: Option<UdpSocket>,
    address: String,
}

impl Udp {
    pub fn new(address: &str) -> Udp {
        Udp {
            socket: None,
            address: address.to_owned(),
        }
    }
}

impl Deliver for Udp {
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()> {
        if self.socket.is_none() {
            let to = resolve(&self.address)?;
            let bind: SocketAddr = if to.is_ipv6() {
                "[::]:0".parse().expect("literal")
            } else {
                "0.0.0.0:0".parse().expect("literal")
            };
            let s = UdpSocket::bind(bind)?;
            s.connect(to)?;
            self.socket = Some(s);
        }
        let s = self.socket.as_ref().expect("set above");
        for m in batch {
            if let Err(e) = s.send(m) {
                self.socket = None;
                return Err(e);
            }
        }
        Ok(())
    }
}

/// `LEN SP MSG` (RFC 6587 3.4.1), the framing TCP and TLS syslog share.
fn octet_counted(batch: &[Vec<u8>]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(batch.iter().map(|m| m.len() + 8).sum());
    for m in batch {
        buf.extend_from_slice(m.len().to_string().as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(m);
    }
    buf
}

/// A syslog collector never writes to us, so a readable socket means it closed (or
/// reset) the connection. Checking before each batch keeps a batch from being
/// written into a connection the collector already dropped, where the first write
/// would "succeed" and be lost.
fn peer_closed(s: &TcpStream) -> bool {
    if s.set_nonblocking(true).is_err() {
        return true;
    }
    let mut b = [0u8; 1];
    let closed = match s.peek(&mut b) {
        Ok(_) => true, // EOF (0) or unexpected data: start over either way
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    closed || s.set_nonblocking(false).is_err()
}

fn connect(address: &str) -> io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&resolve(address)?, CONNECT_TIMEOUT)?;
    s.set_write_timeout(Some(IO_TIMEOUT))?;
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_nodelay(true)?;
    Ok(s)
}

pub struct Tcp {
    stream: Option<TcpStream>,
    address: String,
}

impl Tcp {
    pub fn new(address: &str) -> Tcp {
        Tcp {
            stream: None,
            address: address.to_owned(),
        }
    }
}

impl Deliver for Tcp {
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()> {
        if self.stream.as_ref().is_some_and(peer_closed) {
            self.stream = None;
        }
        if self.stream.is_none() {
            self.stream = Some(connect(&self.address)?);
        }
        let s = self.stream.as_mut().expect("set above");
        let r = s.write_all(&octet_counted(batch)).and_then(|_| s.flush());
        if r.is_err() {
            self.stream = None;
        }
        r
    }
}

/// Syslog over TLS (RFC 5425) with rustls; the collector's certificate must chain to
/// the configured CA file (PEM).
pub struct Tls {
    stream: Option<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>,
    address: String,
    server_name: rustls::pki_types::ServerName<'static>,
    config: Arc<rustls::ClientConfig>,
}

impl Tls {
    pub fn new(address: &str, server_name: &str, ca: &Path) -> io::Result<Tls> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(ca)
            .map_err(|e| bad(ca, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(ca, e))?;
        if certs.is_empty() {
            return Err(bad(ca, "no certificate in the file"));
        }
        for c in certs {
            roots.add(c).map_err(|e| bad(ca, e))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let server_name = rustls::pki_types::ServerName::try_from(server_name.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Tls {
            stream: None,
            address: address.to_owned(),
            server_name,
            config: Arc::new(config),
        })
    }
}

fn bad(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {e}", path.display()),
    )
}

impl Deliver for Tls {
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()> {
        if self.stream.as_ref().is_some_and(|s| peer_closed(&s.sock)) {
            self.stream = None;
        }
        if self.stream.is_none() {
            let sock = connect(&self.address)?;
            let conn = rustls::ClientConnection::new(self.config.clone(), self.server_name.clone())
                .map_err(io::Error::other)?;
            let mut s = rustls::StreamOwned::new(conn, sock);
            // Handshake now, so a certificate problem is reported as such.
            while s.conn.is_handshaking() {
                s.conn.complete_io(&mut s.sock)?;
            }
            self.stream = Some(s);
        }
        let s = self.stream.as_mut().expect("set above");
        let r = s.write_all(&octet_counted(batch)).and_then(|_| s.flush());
        if r.is_err() {
            self.stream = None;
        }
        r
    }
}

/// OCSF JSON lines appended to a file, synced before the cursor moves.
pub struct JsonLinesFile {
    pub path: PathBuf,
}

impl Deliver for JsonLinesFile {
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let mut buf = Vec::new();
        for m in batch {
            buf.extend_from_slice(m);
            buf.push(b'\n');
        }
        f.write_all(&buf)?;
        f.sync_data()
    }
}

/// OCSF events POSTed as one JSON array per batch; any 2xx is delivery.
pub struct JsonHttp {
    pub url: String,
    pub bearer: Option<String>,
    agent: ureq::Agent,
}

impl JsonHttp {
    pub fn new(url: &str, bearer: Option<String>) -> JsonHttp {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(IO_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .new_agent();
        JsonHttp {
            url: url.to_owned(),
            bearer,
            agent,
        }
    }
}

impl Deliver for JsonHttp {
    fn send(&mut self, batch: &[Vec<u8>]) -> io::Result<()> {
        let mut body = Vec::with_capacity(batch.iter().map(|m| m.len() + 1).sum::<usize>() + 2);
        body.push(b'[');
        for (i, m) in batch.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(m);
        }
        body.push(b']');
        let mut req = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(b) = &self.bearer {
            req = req.header("Authorization", &format!("Bearer {b}"));
        }
        let mut res = req.send(&body[..]).map_err(io::Error::other)?;
        let status = res.status().as_u16();
        let _ = res.body_mut().as_reader().read_to_end(&mut Vec::new());
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(io::Error::other(format!("{}: HTTP {status}", self.url)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octet_counting_frames_each_message() {
        let b = octet_counted(&[b"<13>1 a".to_vec(), "é".as_bytes().to_vec()]);
        assert_eq!(b, b"7 <13>1 a2 \xc3\xa9");
    }

    #[test]
    fn tcp_reconnects_after_the_collector_closed_the_connection() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let mut t = Tcp::new(&addr);
        t.send(&[b"one".to_vec()]).unwrap();
        let (mut first, _) = l.accept().unwrap();
        let mut got = [0u8; 5];
        first.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"3 one");
        drop(first); // the collector restarts
        std::thread::sleep(Duration::from_millis(50));
        t.send(&[b"two".to_vec()]).unwrap();
        let (mut second, _) = l.accept().unwrap();
        second.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"3 two");
    }
}
