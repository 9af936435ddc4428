//! A chunk of the store's history as rows: ids are given here (from the bases the
//! chunks before it used up), so the history can be made in parallel and numbered
//! in order.

use crate::fingerprint::Keys;
use crate::row::{Format, RowBuf};
use crate::safe::TEST_CARDS;
use crate::store::model::{Catalog, Customer, Method, Order, RefundKind, Ts};
use crate::store::{TABLES, TableId};
use crate::vocab::{REVIEW_TEXTS, REVIEW_TITLES};

/// The first id each numbered table uses in a chunk (ids count from 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bases {
    pub order: u64,
    pub item: u64,
    pub payment: u64,
    pub refund: u64,
    pub review: u64,
}

impl Bases {
    /// The bases of the chunk after one holding `customers`.
    pub fn after(mut self, customers: &[Customer]) -> Bases {
        for o in customers.iter().flat_map(|c| &c.orders) {
            self.order += 1;
            self.item += o.lines.len() as u64;
            self.payment += o.payments.len() as u64;
            self.refund += o.refunds.len() as u64;
            self.review += o.reviews.len() as u64;
        }
        self
    }
}

/// Markers and fingerprints for each table.
pub struct Marks<'a> {
    pub keys: &'a Keys,
    /// The version token of each table's dataset, indexed by [`TableId`].
    pub tokens: &'a [String],
    pub fingerprints: bool,
}

/// One table's rows of a chunk, and the fingerprints of those rows.
#[derive(Default)]
pub struct Rendered {
    pub text: String,
    pub prints: Vec<[u8; 32]>,
    pub rows: u64,
}

struct Table<'a> {
    id: TableId,
    row: RowBuf,
    out: Rendered,
    marks: Option<&'a Marks<'a>>,
}

impl<'a> Table<'a> {
    fn new(id: TableId, format: Format, marks: Option<&'a Marks<'a>>) -> Table<'a> {
        let t = &TABLES[id as usize];
        Table {
            id,
            row: RowBuf::new(format, t.columns, &t.prints.role_names()),
            out: Rendered::default(),
            marks,
        }
    }

    /// Ends a row whose id (the marker's row number) is `n`.
    fn end(&mut self, n: u64) {
        if let Some(m) = self.marks {
            let t = &TABLES[self.id as usize];
            self.row.s(&m.keys.marker(&m.tokens[self.id as usize], n));
            if m.fingerprints {
                t.prints
                    .row_prints(m.keys, t.name, &self.row.ident, &mut self.out.prints);
            }
        }
        self.row.end();
        self.out.rows += 1;
    }

    fn finish(mut self) -> Rendered {
        self.out.text = std::mem::take(&mut self.row.out);
        self.out
    }
}

pub fn ts(t: Ts) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(t).expect("store times are in range");
    crate::generate::utc(time::PrimitiveDateTime::new(dt.date(), dt.time()))
}

fn opt_ts(t: Option<Ts>) -> String {
    t.map(ts).unwrap_or_default()
}

fn txn(method: Method, n: u64) -> String {
    match method {
        Method::PayPal => format!("SYN-PP-{n:016X}"),
        Method::Klarna => format!("syn_klarna_{n:016x}"),
        Method::Card | Method::ApplePay => format!("syn_txn_{n:016x}"),
    }
}

/// The products table (the catalog the orders draw from).
pub fn products(catalog: &Catalog, format: Format, marks: Option<&Marks>) -> Rendered {
    let mut t = Table::new(TableId::Products, format, marks);
    for (i, p) in catalog.products.iter().enumerate() {
        t.row.s(&p.sku);
        t.row.s(&p.name);
        t.row.cents(p.price_cents as u64);
        t.end(i as u64 + 1);
    }
    t.finish()
}

/// The rows of every other table for one chunk of customers.
pub fn chunk(
    customers: &[Customer],
    catalog: &Catalog,
    currency: &str,
    format: Format,
    marks: Option<&Marks>,
    bases: Bases,
) -> Vec<Rendered> {
    let mut cs = Table::new(TableId::Customers, format, marks);
    let mut os = Table::new(TableId::Orders, format, marks);
    let mut is = Table::new(TableId::OrderItems, format, marks);
    let mut ps = Table::new(TableId::Payments, format, marks);
    let mut rs = Table::new(TableId::Refunds, format, marks);
    let mut vs = Table::new(TableId::Reviews, format, marks);
    let mut n = bases;
    for c in customers {
        let r = &mut cs.row;
        r.i(c.id);
        r.s(c.first);
        r.s(c.last);
        r.s(&c.email);
        r.s(&c.phone);
        r.s(&c.street);
        r.s(c.city);
        r.s(c.region);
        r.s(&c.postcode);
        r.s(c.country);
        r.s(&c.born.to_string());
        r.s(&ts(c.created));
        cs.end(c.id);
        for o in &c.orders {
            let order_id = n.order;
            n.order += 1;
            order_row(&mut os, o, c.country, currency, order_id);
            for l in &o.lines {
                let p = &catalog.products[l.product];
                let r = &mut is.row;
                r.i(n.item);
                r.i(order_id);
                r.s(&p.sku);
                r.s(&p.name);
                r.i(l.qty as u64);
                r.cents(l.price);
                r.cents(l.total());
                is.end(n.item);
                n.item += 1;
            }
            let mut captured_id = None;
            for p in &o.payments {
                let r = &mut ps.row;
                r.i(n.payment);
                r.i(order_id);
                r.s(p.method.name());
                match p.card.map(|i| TEST_CARDS[i]) {
                    Some((brand, number)) => {
                        r.s(brand);
                        // Wallets carry a device token, not the card number.
                        r.s(if p.method == Method::Card { number } else { "" });
                        r.s(&number[number.len() - 4..]);
                    }
                    None => {
                        r.s("");
                        r.s("");
                        r.s("");
                    }
                }
                r.cents(p.amount);
                r.s(currency);
                r.s(p.status.name());
                r.s(&txn(p.method, p.txn));
                r.s(&ts(p.at));
                if p.status == crate::store::model::PayStatus::Captured {
                    captured_id = Some(n.payment);
                }
                ps.end(n.payment);
                n.payment += 1;
            }
            for f in &o.refunds {
                let r = &mut rs.row;
                r.i(n.refund);
                r.i(order_id);
                r.i(captured_id.expect("only captured payments are refunded"));
                r.s(match f.kind {
                    RefundKind::Refund => "refund",
                    RefundKind::Chargeback => "chargeback",
                });
                r.cents(f.amount);
                r.s(f.reason);
                r.s(&ts(f.at));
                rs.end(n.refund);
                n.refund += 1;
            }
            for v in &o.reviews {
                let r = &mut vs.row;
                r.i(n.review);
                r.i(order_id);
                r.s(&catalog.products[o.lines[v.line].product].sku);
                r.i(c.id);
                r.i(v.rating as u64);
                r.s(REVIEW_TITLES[v.title]);
                r.s(REVIEW_TEXTS[v.text]);
                r.s(&ts(v.at));
                vs.end(n.review);
                n.review += 1;
            }
        }
    }
    debug_assert_eq!(n, bases.after(customers));
    vec![
        cs.finish(),
        os.finish(),
        is.finish(),
        ps.finish(),
        rs.finish(),
        vs.finish(),
    ]
}

fn order_row(t: &mut Table, o: &Order, billing_country: &str, currency: &str, id: u64) {
    let r = &mut t.row;
    r.i(id);
    r.i(o.customer);
    r.s(&ts(o.at));
    r.s(o.status.name());
    r.s(currency);
    r.i(o.lines.len() as u64);
    r.cents(o.subtotal);
    r.cents(o.discount);
    r.s(o.coupon.unwrap_or(""));
    r.cents(o.tax);
    r.cents(o.shipping);
    r.cents(o.total);
    r.s(if o.express { "express" } else { "standard" });
    r.s(billing_country);
    r.s(o.ship_country);
    r.s(&o.ship_postcode);
    r.s(o.ip_country);
    r.s(&opt_ts(o.shipped));
    r.s(&opt_ts(o.delivered));
    r.i(o.fraud.is_some() as u64);
    r.s(o.fraud.map_or("", |p| p.name()));
    t.end(id);
}
