//! `serve --tls-cert/--tls-key`: the API over rustls, verified by a client that
//! trusts only the test's certificate; a plain-HTTP request to it gets nothing.

use std::sync::Arc;

use synthgov_registry::policy::Policies;
use synthgov_store::Home;

#[test]
fn the_api_answers_over_tls_and_bad_key_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    home.init().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();

    // Wrong inputs are reported with the file's name.
    let err = synthgov_server::tls::load(&key_path, &key_path).unwrap_err();
    assert!(
        err.contains("key.pem") && err.contains("certificate"),
        "{err}"
    );
    let err = synthgov_server::tls::load(&cert_path, &cert_path).unwrap_err();
    assert!(
        err.contains("cert.pem") && err.contains("private key"),
        "{err}"
    );

    let tls = synthgov_server::tls::load(&cert_path, &key_path).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let h = home.clone();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            synthgov_server::serve_with(
                synthgov_server::Config {
                    home: h,
                    policies: Policies::default_set(),
                    readers: 1,
                    siem: Vec::new(),
                },
                listener,
                Some(tls),
                async {
                    let _ = rx.await;
                },
            )
            .await
            .unwrap();
        });
    });
    let port = addr_rx.recv().unwrap().port();
    let roots = ureq::tls::RootCerts::Specific(Arc::new(vec![
        ureq::tls::Certificate::from_der(cert.der()).to_owned(),
    ]));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .get(&format!("https://localhost:{port}/healthz"))
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.body_mut().read_to_string().unwrap(),
        r#"{"status":"ok"}"#
    );
    let res = agent
        .get(&format!("https://localhost:{port}/v1/flags"))
        .call()
        .unwrap();
    assert_eq!(res.status(), 401);
    // The dashboard's session cookie never travels over plain HTTP.
    let admin = {
        let mut reg = synthgov_registry::Registry::open(&home).unwrap();
        synthgov_registry::tokens::create(
            &mut reg,
            &synthgov_registry::Actor::new("tls-test"),
            &synthgov_registry::tokens::CreateToken {
                role: "admin",
                name: "tls",
                tenant: None,
                expires_at: None,
            },
        )
        .unwrap()
        .token
    };
    let no_redirects: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![
                    ureq::tls::Certificate::from_der(cert.der()).to_owned(),
                ])))
                .build(),
        )
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let res = no_redirects
        .post(&format!("https://localhost:{port}/ui/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!("token={admin}"))
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.starts_with("synthgov_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    // Plain HTTP to the TLS port is not served.
    assert!(
        agent
            .get(&format!("http://localhost:{port}/healthz"))
            .call()
            .is_err()
    );
    tx.send(()).unwrap();
    server.join().unwrap();
}
