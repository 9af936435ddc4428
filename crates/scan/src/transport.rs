//! SG-TLS-001/002 in a Magento `app/etc/env.php` (or any PHP/INI/YAML settings file):
//! endpoints that carry synthetic or training data over plain `http://`, and TLS
//! verification turned off. Read line by line: settings files are small and the finding
//! must name the line.

use synthgov_core::finding::{Finding, Location};

use crate::rules::Catalog;

/// Setting names that turn certificate or host-name verification off when false / 0.
const VERIFY_KEYS: [&str; 8] = [
    "verify_peer",
    "verify_peer_name",
    "ssl_verify",
    "verify_ssl",
    "verify",
    "curlopt_ssl_verifypeer",
    "curlopt_ssl_verifyhost",
    "tls_verify",
];

pub fn scan_settings(catalog: &Catalog, uri: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with('#') || trimmed.starts_with('*') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find("http://") {
            let start = from + at;
            let url: String = line[start..]
                .chars()
                .take_while(|c| !matches!(c, '\'' | '"' | ' ' | ',' | ')' | ';'))
                .collect();
            from = start + 7;
            let host = url[7..].split(['/', ':', '?']).next().unwrap_or("");
            if matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "") {
                continue;
            }
            out.push(catalog.finding(
                "SG-TLS-001",
                format!("Endpoint {url} uses plain http"),
                Location::file(uri, Some(line_no), None),
                None,
            ));
        }
        for key in VERIFY_KEYS {
            let quoted = [format!("'{key}'"), format!("\"{key}\"")];
            let at = quoted
                .iter()
                .find_map(|q| lower.find(q.as_str()).map(|p| p + q.len()))
                .or_else(|| {
                    // Bare keys: INI / YAML lines starting with the key, PHP constants.
                    let bare = key.starts_with("curlopt") || lower.trim_start().starts_with(key);
                    lower.find(key).filter(|_| bare).map(|p| p + key.len())
                });
            let Some(at) = at else { continue };
            let value = lower[at..]
                .trim_start_matches([' ', '\t'])
                .trim_start_matches("=>")
                .trim_start_matches(['=', ':', ' ', '\t', '\'', '"']);
            if ["false", "0", "off", "no"]
                .iter()
                .any(|v| value.starts_with(v))
            {
                out.push(catalog.finding(
                    "SG-TLS-002",
                    format!("TLS verification disabled ({key} = false)"),
                    Location::file(uri, Some(line_no), None),
                    None,
                ));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_php_http_endpoints_and_disabled_verification() {
        let env = r#"<?php
return [
    'db' => ['connection' => ['default' => ['host' => 'localhost']]],
    'synthgov' => [
        'endpoint' => 'http://governance.internal:8080/api',
        'training_export' => 'https://lake.example/ingest',
        'local' => 'http://127.0.0.1:9000',
        'http' => ['verify_peer' => false, 'timeout' => 10],
    ],
    // 'old' => 'http://legacy.example',
    'queue' => ['amqp' => ['ssl' => 'true', 'ssl_options' => ['verify_peer' => true]]],
];
"#;
        let c = Catalog::shipped();
        let f = scan_settings(&c, "app/etc/env.php", env);
        let got: Vec<(&str, u64)> = f
            .iter()
            .map(|x| (x.rule.as_str(), x.location.line.unwrap()))
            .collect();
        assert_eq!(got, vec![("SG-TLS-001", 5), ("SG-TLS-002", 8)]);
    }
}
