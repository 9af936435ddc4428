//! `detect` after what happens to exports: each edit a spreadsheet, an ETL job or a
//! careless copy makes, applied to 1,000 generated rows, must still find ≥ 99% of
//! them; and a million rows this store never generated must stay within the stated
//! false-positive rate.

use synthgov_synth::detect::{Detection, KnownVersion, detect_file};
use synthgov_synth::entity::Entity;
use synthgov_synth::fingerprint::{FALSE_POSITIVE_RATE, Keys, SETS_V2, version_token};
use synthgov_synth::generate::{Marking, Spec, default_products, generate};
use synthgov_synth::row::Format;

const ROWS: u64 = 1_000;

fn keys() -> Keys {
    Keys::new([7; 32])
}

/// Generated rows of `entity` as CSV, and the known version detection reads.
fn generated(entity: Entity, rows: u64) -> (String, KnownVersion) {
    let token = version_token("leaky", 1);
    let spec = Spec {
        entity,
        rows,
        seed: 3,
        locale: synthgov_synth::generate::Locale::EnUs,
        format: Format::Csv,
        parents: 500,
        products: default_products(),
        marking: Some(Marking {
            keys: keys(),
            version_token: token.clone(),
            fingerprints: true,
            column: "synthgov_marker".into(),
        }),
    };
    let mut out = Vec::new();
    let o = generate(&spec, &mut out, &mut |_| {}).unwrap();
    let known = KnownVersion {
        dataset: "leaky".into(),
        version: 1,
        token,
        entity: format!("{SETS_V2}{}", entity.name()),
        columns: entity.prints().columns(),
        bloom: o.bloom,
    };
    (String::from_utf8(out).unwrap(), known)
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn parse(csv_text: &str) -> Table {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    Table {
        header: r.headers().unwrap().iter().map(str::to_owned).collect(),
        rows: r
            .records()
            .map(|x| x.unwrap().iter().map(str::to_owned).collect())
            .collect(),
    }
}

impl Table {
    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap()
    }
    fn map(mut self, name: &str, f: impl Fn(&str) -> String) -> Table {
        let c = self.col(name);
        for r in &mut self.rows {
            r[c] = f(&r[c]);
        }
        self
    }
    fn drop(mut self, name: &str) -> Table {
        let c = self.col(name);
        self.header.remove(c);
        for r in &mut self.rows {
            r.remove(c);
        }
        self
    }
    fn rename(mut self, name: &str, to: &str) -> Table {
        let c = self.col(name);
        self.header[c] = to.into();
        self
    }
    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).unwrap();
        for r in &self.rows {
            w.write_record(r).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }
}

fn found(t: &Table, known: &KnownVersion) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, t.csv()).unwrap();
    let mut d = Detection::default();
    detect_file(&path, &keys(), std::slice::from_ref(known), &mut d).unwrap();
    assert_eq!(d.rows_scanned, t.rows.len() as u64);
    d.matches.len() as u64
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// `1990-07-14` as a US spreadsheet writes it.
fn us_date(s: &str) -> String {
    let (y, rest) = s.split_at(4);
    let (m, d) = (&rest[1..3], &rest[4..6]);
    let time = s.get(11..16).map(|t| format!(" {t}")).unwrap_or_default();
    format!("{m}/{d}/{y}{time}")
}

fn rounded(s: &str) -> String {
    format!("{:.0}", s.parse::<f64>().unwrap())
}

fn check(name: &str, t: Table, known: &KnownVersion) {
    let n = found(&t, known);
    assert!(
        n * 100 >= ROWS * 99,
        "{name}: {n} of {ROWS} generated rows found"
    );
}

#[test]
fn customers_are_found_after_every_edit_of_an_export() {
    let (text, known) = generated(Entity::Customers, ROWS);
    let base = || parse(&text).drop("synthgov_marker");
    check("as generated", base(), &known);
    check("emails upper-cased", base().map("email", upper), &known);
    let mut t = base();
    t.header = t.header.iter().map(|h| h.to_uppercase()).collect();
    check("headers upper-cased", t, &known);
    check(
        "dates as MM/DD/YYYY",
        base().map("date_of_birth", us_date),
        &known,
    );
    check(
        "phones reformatted",
        base().map("phone", |p| p.replace(['-', '+'], " ")),
        &known,
    );
    check(
        "streets padded and upper-cased",
        base().map("street", |s| format!("  {}  ", s.to_uppercase())),
        &known,
    );
    // Edits where one fingerprint set is all that is left, so its canonical forms
    // must hold on their own.
    check(
        "emails upper-cased, phone and street dropped",
        base().map("email", upper).drop("phone").drop("street"),
        &known,
    );
    check(
        "dates reformatted, streets upper-cased, email and phone dropped",
        base()
            .map("date_of_birth", us_date)
            .map("street", upper)
            .drop("email")
            .drop("phone"),
        &known,
    );
    // Any two identifying columns dropped or renamed.
    let roles = ["email", "phone", "street", "date_of_birth"];
    for (i, a) in roles.iter().enumerate() {
        for b in &roles[i + 1..] {
            check(
                &format!("{a} and {b} dropped"),
                base().drop(a).drop(b),
                &known,
            );
            check(
                &format!("{a} and {b} renamed"),
                base().rename(a, "x1").rename(b, "x2"),
                &known,
            );
        }
    }
    // The marker kept but padded and upper-cased: found by marker.
    let t = parse(&text).map("synthgov_marker", |m| format!(" {} ", m.to_uppercase()));
    let t = t
        .drop("email")
        .drop("phone")
        .drop("street")
        .drop("date_of_birth");
    check("marker padded and upper-cased", t, &known);
}

#[test]
fn orders_and_payments_are_found_after_edits() {
    let (text, known) = generated(Entity::Orders, ROWS);
    let base = || parse(&text).drop("synthgov_marker");
    check(
        "order totals rounded",
        base().map("grand_total", rounded).map("subtotal", rounded),
        &known,
    );
    check(
        "order times reformatted",
        base().map("created_at", |t| {
            t.replacen('T', " ", 1).trim_end_matches('Z').to_owned()
        }),
        &known,
    );
    check(
        "order times as MM/DD/YYYY HH:MM",
        base().map("created_at", us_date),
        &known,
    );
    check(
        "order ids zero-padded",
        base().map("order_id", |i| format!("{i:0>8}")),
        &known,
    );
    for (a, b) in [
        ("order_id", "grand_total"),
        ("customer_id", "subtotal"),
        ("order_id", "customer_id"),
    ] {
        check(
            &format!("orders without {a} and {b}"),
            base().drop(a).drop(b),
            &known,
        );
    }
    check(
        "orders without created_at",
        base().drop("created_at"),
        &known,
    );
    check(
        "totals rounded, created_at dropped",
        base()
            .map("grand_total", rounded)
            .map("subtotal", rounded)
            .drop("created_at"),
        &known,
    );
    check(
        "times reformatted and totals rounded, both ids dropped",
        base()
            .map("created_at", us_date)
            .map("grand_total", rounded)
            .drop("order_id")
            .drop("customer_id"),
        &known,
    );

    let (text, known) = generated(Entity::Payments, ROWS);
    let base = || parse(&text).drop("synthgov_marker");
    check(
        "transaction ids upper-cased",
        base().map("transaction_id", upper),
        &known,
    );
    let roles = [
        "transaction_id",
        "order_id",
        "amount",
        "created_at",
        "card_last4",
    ];
    for (i, a) in roles.iter().enumerate() {
        for b in &roles[i + 1..] {
            check(
                &format!("payments without {a} and {b}"),
                base().drop(a).drop(b),
                &known,
            );
        }
    }
}

/// A million rows another store generated (same columns, same generator, another
/// secret and seed) against this store's filters: within 2x of the stated rate.
#[test]
fn a_million_unrelated_rows_stay_within_the_stated_false_positive_rate() {
    let (_, known) = generated(Entity::Customers, ROWS);
    let other = Spec {
        entity: Entity::Customers,
        rows: 1_000_000,
        seed: 99,
        locale: synthgov_synth::generate::Locale::EnUs,
        format: Format::Csv,
        parents: 1,
        products: default_products(),
        marking: None,
    };
    let mut made = Vec::new();
    generate(&other, &mut made, &mut |_| {}).unwrap();
    // People of another population: the same generator's emails repeat names and
    // ids, so give them mailboxes of their own (phones, streets and birth dates stay).
    let mut t = parse(std::str::from_utf8(&made).unwrap());
    let e = t.col("email");
    for (i, r) in t.rows.iter_mut().enumerate() {
        r[e] = format!("person{i}@unrelated.invalid");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unrelated.csv");
    std::fs::write(&path, t.csv()).unwrap();
    let mut d = Detection::default();
    detect_file(&path, &keys(), std::slice::from_ref(&known), &mut d).unwrap();
    assert_eq!(d.rows_scanned, 1_000_000);
    // Unrelated rows are not generated rows of this store: none may be structurally
    // equal, so every hit is a filter false positive.
    let allowed = (2.0 * FALSE_POSITIVE_RATE * 1e6).ceil() as usize;
    eprintln!("{} false hits in 1,000,000 unrelated rows", d.matches.len());
    assert!(
        d.matches.len() <= allowed.max(2),
        "{} false hits in 1M rows (stated rate {FALSE_POSITIVE_RATE})",
        d.matches.len()
    );
}

/// The sizing itself, where it can be measured: a filter at 1% must show about 1%.
#[test]
fn filters_show_the_rate_they_are_sized_for() {
    use synthgov_synth::fingerprint::Bloom;
    for items in [50u64, 1_000, 20_000] {
        let mut b = Bloom::for_items(items, 0.01);
        let h = |i: u64, salt: u8| -> [u8; 32] {
            let d =
                <sha2::Sha256 as sha2::Digest>::digest([&i.to_le_bytes()[..], &[salt]].concat());
            d.into()
        };
        for i in 0..items {
            b.insert(&h(i, 0));
        }
        let probes = 200_000u64;
        let hits = (0..probes).filter(|&i| b.contains(&h(i, 1))).count() as f64;
        let rate = hits / probes as f64;
        eprintln!("{items} items at 0.01: measured {rate:.4}");
        assert!(
            (0.005..0.02).contains(&rate),
            "{items} items: measured {rate}, sized for 0.01"
        );
    }
}
