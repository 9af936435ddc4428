//! `generate store`: every arithmetic and timeline invariant over a million orders,
//! read back from the CSV the generator writes (not from its structs), and the fraud
//! labels at the rate asked for.

use std::collections::{HashMap, HashSet};

use synthgov_synth::generate::{Locale, default_products};
use synthgov_synth::row::Format;
use synthgov_synth::store::{self, StoreSpec, TABLES, TableId};

fn make(customers: u64, seed: u64, fraud_rate: f64, locale: Locale) -> Vec<Vec<u8>> {
    let spec = StoreSpec {
        customers,
        seed,
        locale,
        format: Format::Csv,
        products: default_products(),
        fraud_rate,
        marking: None,
    };
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); TABLES.len()];
    let outs = bufs
        .iter_mut()
        .map(|b| b as &mut (dyn std::io::Write + Send))
        .collect();
    let o = store::generate(&spec, outs, &mut |_| {}).unwrap();
    for (t, (out, buf)) in TABLES.iter().zip(o.iter().zip(&bufs)) {
        assert_eq!(out.bytes, buf.len() as u64, "{}", t.name);
    }
    bufs
}

/// A table's rows as maps from column name to value.
fn rows(bufs: &[Vec<u8>], t: TableId) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(&bufs[t as usize][..]);
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(h, TABLES[t as usize].columns, "{}", TABLES[t as usize].name);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn cents(s: &str) -> i64 {
    let (a, b) = s.split_once('.').expect("two decimals");
    assert_eq!(b.len(), 2, "{s}");
    a.parse::<i64>().unwrap() * 100 + b.parse::<i64>().unwrap()
}

fn secs(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

fn id(s: &str) -> u64 {
    s.parse().unwrap()
}

const NOW: &str = "2026-11-30T23:59:59Z";

/// Every time in every table is inside the store's history.
fn nothing_after_now(bufs: &[Vec<u8>]) {
    for (t, buf) in TABLES.iter().zip(bufs) {
        let mut r = csv::Reader::from_reader(&buf[..]);
        let h = r.headers().unwrap().clone();
        let times: Vec<usize> = (0..h.len()).filter(|&i| h[i].ends_with("_at")).collect();
        for rec in r.records() {
            let rec = rec.unwrap();
            for &i in &times {
                assert!(
                    &rec[i] <= NOW,
                    "{} {}: {} in the future",
                    t.name,
                    &rec[0],
                    &h[i]
                );
            }
        }
    }
}

#[derive(Default)]
struct OrderFacts {
    items: i64,
    lines: u64,
    captured: i64,
    captures: u32,
    voided_or_declined: u32,
    refunded: i64,
    last_pay: String,
}

#[test]
fn a_million_orders_add_up_and_keep_their_timeline() {
    // ~1.7 orders per customer: 600k customers make just over a million orders.
    let bufs = make(600_000, 7, 0.02, Locale::EnUs);
    nothing_after_now(&bufs);
    let customers = rows(&bufs, TableId::Customers);
    let orders = rows(&bufs, TableId::Orders);
    assert!(orders.len() >= 1_000_000, "{} orders", orders.len());
    let created: HashMap<u64, String> = customers
        .iter()
        .map(|c| (id(&c["customer_id"]), c["created_at"].clone()))
        .collect();
    assert_eq!(created.len(), 600_000);
    let mut facts: HashMap<u64, OrderFacts> = HashMap::with_capacity(orders.len());
    drop(customers);

    for i in rows(&bufs, TableId::OrderItems) {
        let f = facts.entry(id(&i["order_id"])).or_default();
        let (qty, price, total) = (
            id(&i["qty"]) as i64,
            cents(&i["price"]),
            cents(&i["row_total"]),
        );
        assert_eq!(qty * price, total, "item {}", i["item_id"]);
        f.items += total;
        f.lines += 1;
    }
    let mut payments: HashMap<u64, (u64, String)> = HashMap::new();
    for p in rows(&bufs, TableId::Payments) {
        let f = facts.entry(id(&p["order_id"])).or_default();
        match p["status"].as_str() {
            "captured" => {
                f.captured += cents(&p["amount"]);
                f.captures += 1;
            }
            "declined" | "voided" => f.voided_or_declined += 1,
            s => panic!("payment status {s}"),
        }
        assert!(p["created_at"] >= f.last_pay, "payments in attempt order");
        f.last_pay = p["created_at"].clone();
        let card = &p["card_number"];
        if !card.is_empty() {
            assert!(synthgov_synth::safe::is_test_card(card), "{card}");
        }
        payments.insert(
            id(&p["payment_id"]),
            (id(&p["order_id"]), p["status"].clone()),
        );
    }
    let mut refund_times: HashMap<u64, Vec<String>> = HashMap::new();
    for r in rows(&bufs, TableId::Refunds) {
        let o = id(&r["order_id"]);
        let (paid_order, status) = &payments[&id(&r["payment_id"])];
        assert_eq!(
            *paid_order, o,
            "refund {} of another order's payment",
            r["refund_id"]
        );
        assert_eq!(
            status, "captured",
            "refund {} of an uncaptured payment",
            r["refund_id"]
        );
        facts.entry(o).or_default().refunded += cents(&r["amount"]);
        refund_times
            .entry(o)
            .or_default()
            .push(r["created_at"].clone());
    }

    let mut by_id: HashMap<u64, &HashMap<String, String>> = HashMap::new();
    let mut statuses: HashMap<String, u64> = HashMap::new();
    let mut fraud = 0u64;
    for o in &orders {
        let oid = id(&o["order_id"]);
        by_id.insert(oid, o);
        let f = &facts[&oid];
        let [sub, disc, tax, ship, total] =
            ["subtotal", "discount", "tax", "shipping", "grand_total"].map(|c| cents(&o[c]));
        assert_eq!(sub, f.items, "order {oid}: subtotal = Σ items");
        assert_eq!(id(&o["items"]), f.lines, "order {oid}: line count");
        assert_eq!(total, sub - disc + tax + ship, "order {oid}: total");
        assert!(
            disc >= 0 && disc <= sub && tax >= 0 && ship >= 0,
            "order {oid}"
        );
        assert!(f.captures <= 1, "order {oid} captured twice");
        assert!(
            f.refunded <= f.captured,
            "order {oid}: refunds exceed the capture"
        );
        let at = &o["created_at"];
        assert!(
            *at >= created[&id(&o["customer_id"])],
            "order {oid} before its account"
        );
        assert!(
            f.last_pay.is_empty() || f.last_pay > *at,
            "order {oid}: payment before order"
        );
        let status = o["status"].as_str();
        *statuses.entry(status.to_owned()).or_default() += 1;
        match status {
            "canceled" => {
                assert!(
                    f.captures == 0 || f.refunded == f.captured,
                    "order {oid}: canceled but kept the money"
                );
                assert!(
                    o["shipped_at"].is_empty(),
                    "order {oid}: canceled but shipped"
                );
            }
            "closed" => assert_eq!(f.refunded, total, "order {oid}: closed, not fully refunded"),
            "complete" | "processing" => {
                assert_eq!(f.captured, total, "order {oid}: captured = total");
            }
            s => panic!("order status {s}"),
        }
        if status != "canceled" {
            assert_eq!(f.captured, total, "order {oid}: captured amount = total");
        }
        let (shipped, delivered) = (&o["shipped_at"], &o["delivered_at"]);
        assert_eq!(
            status == "complete" || status == "closed",
            !shipped.is_empty(),
            "order {oid}"
        );
        if !shipped.is_empty() {
            assert!(*shipped > f.last_pay, "order {oid}: shipped before payment");
        }
        if !delivered.is_empty() {
            assert!(
                delivered > shipped,
                "order {oid}: delivered before shipment"
            );
        }
        for t in refund_times.get(&oid).into_iter().flatten() {
            assert!(*t > f.last_pay, "order {oid}: refund before payment");
            if !delivered.is_empty() {
                assert!(
                    t > delivered,
                    "order {oid}: refund of a delivered order before delivery"
                );
            }
        }
        let is_fraud = &o["is_fraud"];
        assert_eq!(
            is_fraud == "1",
            !o["fraud_pattern"].is_empty(),
            "order {oid}"
        );
        fraud += (is_fraud == "1") as u64;
    }
    for s in ["complete", "processing", "canceled", "closed"] {
        assert!(
            statuses.get(s).copied().unwrap_or(0) > 0,
            "no {s} orders: {statuses:?}"
        );
    }
    let rate = fraud as f64 / orders.len() as f64;
    assert!((0.014..0.026).contains(&rate), "fraud rate {rate} for 0.02");

    let mut reviewed = HashSet::new();
    for v in rows(&bufs, TableId::Reviews) {
        let o = by_id[&id(&v["order_id"])];
        assert_eq!(
            v["customer_id"], o["customer_id"],
            "review {} not by the buyer",
            v["review_id"]
        );
        assert!(
            !o["delivered_at"].is_empty(),
            "review {} of an undelivered order",
            v["review_id"]
        );
        assert!(
            v["created_at"] > o["delivered_at"],
            "review {} before delivery",
            v["review_id"]
        );
        assert!((1..=5).contains(&id(&v["rating"])));
        reviewed.insert(v["review_id"].clone());
    }
    assert!(reviewed.len() > 10_000, "{} reviews", reviewed.len());
}

#[test]
fn the_store_looks_like_a_store() {
    let bufs = make(20_000, 3, 0.01, Locale::EnGb);
    let customers = rows(&bufs, TableId::Customers);
    let orders = rows(&bufs, TableId::Orders);
    let per_customer = orders.len() as f64 / customers.len() as f64;
    assert!(
        (1.4..2.0).contains(&per_customer),
        "{per_customer} orders per customer"
    );
    let mut count: HashMap<&str, u64> = HashMap::new();
    for o in &orders {
        *count.entry(o["customer_id"].as_str()).or_default() += 1;
    }
    let repeat = count.values().filter(|&&n| n > 1).count() as f64 / count.len() as f64;
    assert!(
        (0.35..0.7).contains(&repeat),
        "{repeat} of buyers come back"
    );
    assert!(orders.iter().all(|o| o["currency"] == "GBP"));
    // VAT at 20% of the discounted subtotal, to the penny.
    for o in &orders {
        let net = cents(&o["subtotal"]) - cents(&o["discount"]);
        assert_eq!(
            cents(&o["tax"]),
            (net * 2000 + 5000) / 10_000,
            "{:?}",
            o["order_id"]
        );
    }
    // Seasonality: December's orders outnumber February's.
    let month = |m: &str| {
        orders
            .iter()
            .filter(|o| &o["created_at"][5..7] == m)
            .count()
    };
    assert!(
        month("12") as f64 > 1.5 * month("02") as f64,
        "Dec {} Feb {}",
        month("12"),
        month("02")
    );
    // The payment mix of the country, Klarna included.
    let pays = rows(&bufs, TableId::Payments);
    let share =
        |m: &str| pays.iter().filter(|p| p["method"] == m).count() as f64 / pays.len() as f64;
    assert!(
        (0.45..0.70).contains(&share("card")),
        "card {}",
        share("card")
    );
    assert!(share("klarna") > 0.05 && share("paypal") > 0.15);
}

#[test]
fn the_same_seed_gives_the_same_store_and_threads_do_not_matter() {
    let a = make(9_000, 11, 0.02, Locale::EnUs);
    let b = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| make(9_000, 11, 0.02, Locale::EnUs));
    assert!(a == b, "one thread and many give different bytes");
    assert!(a != make(9_000, 12, 0.02, Locale::EnUs));
}

#[test]
fn each_pattern_is_there_with_its_signals() {
    let bufs = make(60_000, 5, 0.05, Locale::EnUs);
    let customers: HashMap<String, HashMap<String, String>> = rows(&bufs, TableId::Customers)
        .into_iter()
        .map(|c| (c["customer_id"].clone(), c))
        .collect();
    let orders = rows(&bufs, TableId::Orders);
    let mut by: HashMap<String, Vec<&HashMap<String, String>>> = HashMap::new();
    for o in &orders {
        by.entry(o["fraud_pattern"].clone()).or_default().push(o);
    }
    for p in store::fraud::ALL {
        let n = by.get(p.name()).map_or(0, Vec::len);
        let share = n as f64 / orders.len() as f64;
        assert!((0.004..0.02).contains(&share), "{}: {share}", p.name());
    }
    let legit = &by[""];
    let frac = |os: &[&HashMap<String, String>], f: &dyn Fn(&HashMap<String, String>) -> bool| {
        os.iter().filter(|o| f(o)).count() as f64 / os.len() as f64
    };
    let abroad = |o: &HashMap<String, String>| o["shipping_country"] != o["billing_country"];
    // Ordered within a day of opening the account.
    let new_account = |o: &HashMap<String, String>| {
        let c = &customers[&o["customer_id"]];
        secs(&o["created_at"]) - secs(&c["created_at"]) < 86_400
    };
    assert!(frac(&by["shipping_mismatch"], &abroad) > 0.99);
    assert!((0.005..0.03).contains(&frac(legit, &abroad)));
    assert!(frac(&by["promotion_abuse"], &|o| o["coupon_code"] == "WELCOME20") > 0.99);
    assert!(frac(&by["promotion_abuse"], &new_account) > 0.9);
    assert!(frac(legit, &new_account) < 0.1);
    assert!(frac(&by["card_testing"], &|o| o["status"] == "canceled") > 0.6);
    assert!(frac(legit, &|o| o["status"] == "canceled") < 0.05);
    let ip = |o: &HashMap<String, String>| o["ip_country"] != o["billing_country"];
    assert!(frac(&by["account_takeover"], &ip) > 0.7);
    assert!(frac(legit, &ip) < 0.06);
    // Friendly fraud shows up as a chargeback on a delivered order.
    let refunds = rows(&bufs, TableId::Refunds);
    let charged: HashSet<&str> = refunds
        .iter()
        .filter(|r| r["kind"] == "chargeback")
        .map(|r| r["order_id"].as_str())
        .collect();
    assert!(
        frac(&by["friendly_fraud"], &|o| charged
            .contains(o["order_id"].as_str()))
            > 0.9
    );
    assert!(frac(legit, &|o| charged.contains(o["order_id"].as_str())) < 0.01);
}
