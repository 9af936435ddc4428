//! `synthgov scan segregation`: generated rows copied into production tables of a real
//! PostgreSQL and a real MariaDB (marker column dropped, so only fingerprints can find
//! them) and into files, found again with table, primary key and dataset version;
//! real-looking personal data in a dataset registered as synthetic.

mod common;

use common::{Env, db_url, path_str};
use serde_json::Value;
use sqlx::Connection;

/// A CSV as (headers, rows).
type Table = (Vec<String>, Vec<Vec<String>>);

fn read_csv(path: &std::path::Path) -> Table {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (h, rows)
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|x| x == name).unwrap()
}

/// Generated customers and payments.
fn generated_tables(env: &Env) -> (Table, Table) {
    let c = env.dir.path().join("customers.csv");
    let p = env.dir.path().join("payments.csv");
    for (entity, out) in [("customers", &c), ("payments", &p)] {
        let r = env.run(&[
            "generate",
            entity,
            "--rows",
            "3000",
            "--seed",
            "11",
            "--out",
            path_str(out),
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    (read_csv(&c), read_csv(&p))
}

fn seg001(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SG-SEG-001")
        .collect()
}

#[test]
fn postgres_production_tables() {
    let Some(url) = db_url("SYNTHGOV_TEST_POSTGRES_URL") else {
        return;
    };
    let env = Env::new();
    let ((ch, crows), (ph, prows)) = generated_tables(&env);
    let t = format!("sg_seg_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        for sql in [
            format!("DROP TABLE IF EXISTS {t}_customer, {t}_payment_transaction"),
            format!("CREATE TABLE {t}_customer (entity_id BIGINT PRIMARY KEY, firstname TEXT, email TEXT, created_at TEXT)"),
            format!("CREATE TABLE {t}_payment_transaction (txn_pk BIGINT PRIMARY KEY, transaction_id TEXT, amount NUMERIC)"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut db).await.unwrap();
        }
        // 500 real customers, then generated rows 100..=104 copied in without marker.
        for i in 1..=500i64 {
            sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {t}_customer VALUES ($1, $2, $3, $4)")))
                .bind(i)
                .bind(format!("Real{i}"))
                .bind(format!("person{i}@mailbox.org"))
                .bind("2024-01-01")
                .execute(&mut db)
                .await
                .unwrap();
        }
        for (k, row) in crows[100..105].iter().enumerate() {
            sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {t}_customer VALUES ($1, $2, $3, $4)")))
                .bind(9000 + k as i64)
                .bind(&row[col(&ch, "first_name")])
                .bind(&row[col(&ch, "email")])
                .bind(&row[col(&ch, "created_at")])
                .execute(&mut db)
                .await
                .unwrap();
        }
        for (k, row) in prows[..3].iter().enumerate() {
            sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {t}_payment_transaction VALUES ($1, $2, $3::numeric)")))
                .bind(70 + k as i64)
                .bind(&row[col(&ph, "transaction_id")])
                .bind(&row[col(&ph, "amount")])
                .execute(&mut db)
                .await
                .unwrap();
        }
    });
    let r = env.run(&[
        "scan",
        "segregation",
        &url,
        "--table",
        &format!("public.{t}_customer"),
        "--table",
        &format!("{t}_payment_transaction"),
        "--json",
    ]);
    rt.block_on(async {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP TABLE {t}_customer, {t}_payment_transaction"
        )))
        .execute(&mut db)
        .await
        .unwrap();
    });
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["summary"]["scanned"], 508);
    let f = seg001(&report);
    assert_eq!(f.len(), 2, "{report:#}");
    let cust = f
        .iter()
        .find(|x| x["location"]["uri"].as_str().unwrap().contains("_customer"))
        .unwrap();
    assert_eq!(cust["severity"], "high");
    let msg = cust["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "5 synthetic row(s) of dataset synthetic-customers@1 (0 by marker, 5 by fingerprint)"
        ),
        "{msg}"
    );
    assert!(
        msg.contains(
            "entity_id=9000, entity_id=9001, entity_id=9002, entity_id=9003, entity_id=9004"
        ),
        "{msg}"
    );
    assert!(
        cust["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/public.{t}_customer#entity_id=9000"))
    );
    assert!(
        !cust["location"]["uri"].as_str().unwrap().contains('@'),
        "no credentials in locations"
    );
    let pay = f
        .iter()
        .find(|x| x["location"]["uri"].as_str().unwrap().contains("_payment"))
        .unwrap();
    assert_eq!(
        pay["severity"], "critical",
        "synthetic payments in production are critical"
    );
    assert!(
        pay["message"]
            .as_str()
            .unwrap()
            .contains("txn_pk=70, txn_pk=71, txn_pk=72")
    );
}

#[test]
fn mariadb_production_tables_with_and_without_markers() {
    let Some(url) = db_url("SYNTHGOV_TEST_MARIADB_URL") else {
        return;
    };
    let env = Env::new();
    let ((ch, crows), _) = generated_tables(&env);
    let t = format!("sg_seg_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut db = sqlx::MySqlConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE IF EXISTS {t}_customer_entity")))
            .execute(&mut db)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {t}_customer_entity (entity_id INT UNSIGNED PRIMARY KEY, email VARCHAR(255), note TEXT, created_at DATETIME)"
        )))
        .execute(&mut db)
        .await
        .unwrap();
        for i in 1..=300u32 {
            sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {t}_customer_entity VALUES (?, ?, NULL, NOW())")))
                .bind(i)
                .bind(format!("buyer{i}@shopmail.de"))
                .execute(&mut db)
                .await
                .unwrap();
        }
        // Two rows carry their marker in a free-text column; two only their email.
        for (k, row) in crows[10..14].iter().enumerate() {
            let note = if k < 2 { Some(row[col(&ch, "synthgov_marker")].clone()) } else { None };
            sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {t}_customer_entity VALUES (?, ?, ?, NOW())")))
                .bind(500 + k as u32)
                .bind(&row[col(&ch, "email")])
                .bind(note)
                .execute(&mut db)
                .await
                .unwrap();
        }
    });
    let r = env.run(&[
        "scan",
        "segregation",
        &url,
        "--table",
        &format!("{t}_customer_entity"),
        "--json",
    ]);
    rt.block_on(async {
        let mut db = sqlx::MySqlConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP TABLE {t}_customer_entity"
        )))
        .execute(&mut db)
        .await
        .unwrap();
    });
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["summary"]["scanned"], 304);
    let f = seg001(&report);
    assert_eq!(f.len(), 1, "{report:#}");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "4 synthetic row(s) of dataset synthetic-customers@1 (2 by marker, 2 by fingerprint)"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("entity_id=500, entity_id=501, entity_id=502, entity_id=503"),
        "{msg}"
    );
}

#[test]
fn files_and_real_data_in_a_synthetic_dataset() {
    let env = Env::new();
    let ((ch, crows), _) = generated_tables(&env);
    // An export with the marker column dropped and the rows reordered among real ones.
    let exports = env.dir.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let mut w = csv::Writer::from_path(exports.join("crm.csv")).unwrap();
    w.write_record(["email", "name"]).unwrap();
    w.write_record(["someone@corp.example.org", "Real Person"])
        .unwrap();
    w.write_record([&crows[42][col(&ch, "email")], "Copied"])
        .unwrap();
    w.flush().unwrap();
    // A vendor's "synthetic" dataset that holds real-looking data.
    let vendor = env.dir.path().join("vendor-orders.csv");
    std::fs::write(
        &vendor,
        "order_id,email,card_number,phone\n1,ana@example.com,4242424242424242,+1 415 555 0100\n2,jane.doe@gmail.com,4539148803436467,+1 202 456 1111\n",
    )
    .unwrap();
    let examples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inventory.yaml");
    assert_eq!(env.run(&["apply", path_str(&examples)]).code, 0);
    let r = env.run(&[
        "register",
        path_str(&vendor),
        "--generator",
        "orders-copula",
        "--dataset",
        "synthetic-orders",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["scan", "segregation", path_str(&exports), "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    let f = seg001(&report);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["location"]["line"], 3, "the copied row's line");
    let real: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SG-SEG-002")
        .map(|f| {
            (
                f["message"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(real.len(), 3, "{real:#?}");
    for (m, line) in &real {
        assert_eq!(*line, 3, "{m}");
        assert!(m.starts_with("Dataset synthetic-orders: column "), "{m}");
        assert!(
            !m.contains("jane.doe@gmail.com"),
            "values are redacted: {m}"
        );
    }
    // The same scan as SARIF for GitHub: the vendor file is an absolute path outside
    // the scanned folder (a file: URI), the export relative to it.
    let sarif = env.dir.path().join("seg.sarif");
    let r = env.run(&[
        "scan",
        "segregation",
        path_str(&exports),
        "--format",
        "sarif",
        "--output",
        path_str(&sarif),
        "--fail-on",
        "critical",
        "--repo-root",
        path_str(env.dir.path()),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    if let Some(problems) = common::sarif_multitool(&sarif) {
        assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    }
    assert!(real.iter().any(|(m, _)| m.contains("column card_number")));
    assert!(real.iter().any(|(m, _)| m.contains("column email")));
    assert!(real.iter().any(|(m, _)| m.contains("column phone")));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "SG-SEG-002" && f["severity"] == "critical")
    );
}
