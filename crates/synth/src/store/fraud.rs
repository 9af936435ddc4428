//! Labelled fraud patterns, woven into the store's history so that a model can learn
//! them from the signals a store really records (account age, card churn, declined
//! attempts, coupon use, shared addresses, billing/shipping/IP countries, value,
//! shipping speed, chargebacks), not from a column that gives the answer away.
//! Legitimate orders carry the same signals at their ordinary rates (gifts shipped
//! elsewhere, travellers' IPs, express shipping, first-order coupons), so no single
//! one separates them.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::generate::address;
use crate::safe::TEST_CARDS;
use crate::store::model::*;

const MINUTE: Ts = 60;
const HOUR: Ts = 3_600;
const DAY: Ts = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// A new account fires bursts of small orders, cycling through cards, most
    /// declined.
    CardTesting,
    /// An established account suddenly buys dear goods, fast, to a new address, from
    /// another country's IP, with a card it never used.
    AccountTakeover,
    /// A customer with a history of refund claims disputes a delivered order.
    FriendlyFraud,
    /// A ring of new accounts, each using the first-order coupon once, all shipping
    /// to one address.
    PromotionAbuse,
    /// A new account ships dear goods abroad (a freight forwarder), express, from a
    /// third country's IP.
    ShippingMismatch,
}

pub const ALL: [Pattern; 5] = [
    Pattern::CardTesting,
    Pattern::AccountTakeover,
    Pattern::FriendlyFraud,
    Pattern::PromotionAbuse,
    Pattern::ShippingMismatch,
];

impl Pattern {
    pub fn name(self) -> &'static str {
        match self {
            Pattern::CardTesting => "card_testing",
            Pattern::AccountTakeover => "account_takeover",
            Pattern::FriendlyFraud => "friendly_fraud",
            Pattern::PromotionAbuse => "promotion_abuse",
            Pattern::ShippingMismatch => "shipping_mismatch",
        }
    }
}

/// Mean orders one occurrence of a pattern produces.
const CARD_TEST_ORDERS: f64 = 15.0;
const RING_ACCOUNTS: f64 = 7.5;

/// Per-customer-slot chances of each pattern for a target share of fraudulent orders.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    card_testing: f64,
    account_takeover: f64,
    friendly_fraud: f64,
    promotion_abuse: f64,
    shipping_mismatch: f64,
}

impl Rates {
    /// `share` of all orders fraudulent, split evenly between the five patterns.
    pub fn for_share(share: f64) -> Rates {
        // A legitimate slot places 0.75 × 2.22 orders on average (model::order_count).
        let legit = 0.75 * (1.0 / 0.45);
        let fraud_per_slot = share * legit / (1.0 - share).max(1e-9) / ALL.len() as f64;
        Rates {
            card_testing: fraud_per_slot / CARD_TEST_ORDERS,
            account_takeover: fraud_per_slot,
            friendly_fraud: fraud_per_slot,
            // A ring takes RING_ACCOUNTS slots for as many orders.
            promotion_abuse: fraud_per_slot / RING_ACCOUNTS,
            shipping_mismatch: fraud_per_slot,
        }
    }
}

/// What one customer slot becomes.
pub enum Slot {
    Legit {
        takeover: bool,
        friendly: bool,
    },
    CardTester,
    MismatchShipper,
    /// A ring of this many accounts (the slot and the ones after it).
    Ring(u64),
}

pub fn roll(rng: &mut ChaCha8Rng, r: &Rates, slots_left: u64) -> Slot {
    let x: f64 = rng.gen_range(0.0..1.0);
    let mut acc = r.card_testing;
    if x < acc {
        return Slot::CardTester;
    }
    acc += r.shipping_mismatch;
    if x < acc {
        return Slot::MismatchShipper;
    }
    acc += r.promotion_abuse;
    if x < acc && slots_left >= 3 {
        return Slot::Ring(rng.gen_range(3..=12u64).min(slots_left));
    }
    Slot::Legit {
        takeover: rng.gen_range(0.0..1.0) < r.account_takeover,
        friendly: rng.gen_range(0.0..1.0) < r.friendly_fraud,
    }
}

fn other_card(rng: &mut ChaCha8Rng, not: usize) -> usize {
    (not + rng.gen_range(1..TEST_CARDS.len())) % TEST_CARDS.len()
}

fn abroad(rng: &mut ChaCha8Rng, not: &str) -> &'static str {
    loop {
        let c = ABROAD[rng.gen_range(0..ABROAD.len())];
        if c != not {
            return c;
        }
    }
}

fn quiet_fate() -> Fate {
    Fate {
        canceled_after_capture: false,
        returned: false,
        partial_refund: false,
        chargeback: None,
        review_pct: 0,
    }
}

/// A card tester: an account opened minutes before a burst of small orders.
pub fn card_tester(rng: &mut ChaCha8Rng, market: Market, catalog: &Catalog, id: u64) -> Customer {
    let start = order_time(rng, ORDERS_FROM, NOW - DAY);
    let opened = start - between(rng, 2 * MINUTE, 30 * MINUTE);
    let mut c = new_customer(rng, market, id, opened);
    let n = rng.gen_range(5..=25);
    let ip = abroad(rng, c.country);
    let mut at = start;
    for _ in 0..n {
        let mut tried = Vec::new();
        let mut card = other_card(rng, c.card);
        for _ in 0..rng.gen_range(0..=3) {
            tried.push(card);
            card = other_card(rng, card);
        }
        let all_declined = rng.gen_range(0..100) < 75;
        let product = catalog.in_band(rng, 0.0, 0.15);
        let k = Checkout {
            at,
            lines: vec![Line {
                product,
                qty: 1,
                price: catalog.products[product].price_cents as u64,
            }],
            coupon: None,
            express: false,
            ship_country: c.country,
            ship_postcode: c.postcode.clone(),
            ip_country: if rng.gen_range(0..100) < 70 {
                ip
            } else {
                c.country
            },
            method: Method::Card,
            card: Some(card),
            declined_cards: tried,
            all_declined,
            fraud: Some(Pattern::CardTesting),
        };
        let mut fate = quiet_fate();
        if rng.gen_range(0..100) < 50 {
            fate.chargeback = Some("unauthorized");
        }
        let o = place(rng, market, &c, k, fate);
        c.orders.push(o);
        at += between(rng, 20, 4 * MINUTE);
        if at > NOW {
            break;
        }
    }
    c
}

/// A new account that ships dear goods abroad, express.
pub fn mismatch_shipper(
    rng: &mut ChaCha8Rng,
    market: Market,
    catalog: &Catalog,
    id: u64,
) -> Customer {
    let created = order_time(rng, ORDERS_FROM, NOW - 3 * DAY);
    let mut c = new_customer(rng, market, id, created);
    let at = created + between(rng, 5 * MINUTE, 2 * DAY);
    let ship_country = abroad(rng, c.country);
    let lines = dear_lines(rng, catalog, 2, 4);
    let k = Checkout {
        at,
        lines,
        coupon: None,
        express: rng.gen_range(0..100) < 80,
        ship_country,
        ship_postcode: foreign_postcode(rng, ship_country),
        ip_country: if rng.gen_range(0..100) < 60 {
            abroad(rng, ship_country)
        } else {
            ship_country
        },
        method: Method::Card,
        card: Some(c.card),
        declined_cards: Vec::new(),
        all_declined: false,
        fraud: Some(Pattern::ShippingMismatch),
    };
    let mut fate = quiet_fate();
    if rng.gen_range(0..100) < 50 {
        fate.chargeback = Some("unauthorized");
    }
    let o = place(rng, market, &c, k, fate);
    c.orders.push(o);
    c
}

fn dear_lines(rng: &mut ChaCha8Rng, catalog: &Catalog, min: usize, max: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for _ in 0..rng.gen_range(min..=max) {
        let p = catalog.in_band(rng, 0.7, 1.0);
        if lines.iter().any(|l| l.product == p) {
            continue;
        }
        lines.push(Line {
            product: p,
            qty: rng.gen_range(1..=3),
            price: catalog.products[p].price_cents as u64,
        });
    }
    lines
}

/// A taken-over account's fraudulent order, some time after the account is a month
/// old.
pub fn takeover(rng: &mut ChaCha8Rng, market: Market, catalog: &Catalog, c: &mut Customer) {
    let from = (c.created + 30 * DAY).max(ORDERS_FROM);
    if from >= NOW - DAY {
        return;
    }
    let at = order_time(rng, from, NOW - DAY);
    let elsewhere = rng.gen_range(0..100) < 50;
    let ship_country = if elsewhere {
        abroad(rng, c.country)
    } else {
        c.country
    };
    let k = Checkout {
        at,
        lines: dear_lines(rng, catalog, 2, 5),
        coupon: None,
        express: rng.gen_range(0..100) < 70,
        ship_country,
        ship_postcode: if elsewhere {
            foreign_postcode(rng, ship_country)
        } else {
            address(rng, market.locale).3
        },
        ip_country: if rng.gen_range(0..100) < 80 {
            abroad(rng, c.country)
        } else {
            c.country
        },
        method: Method::Card,
        card: Some(if rng.gen_range(0..100) < 70 {
            other_card(rng, c.card)
        } else {
            c.card
        }),
        declined_cards: Vec::new(),
        all_declined: false,
        fraud: Some(Pattern::AccountTakeover),
    };
    let mut fate = quiet_fate();
    if rng.gen_range(0..100) < 60 {
        // The real owner disputes it.
        fate.chargeback = Some("unauthorized");
    }
    let o = place(rng, market, c, k, fate);
    insert_in_time(c, o);
}

/// A friendly-fraud order: delivered, then disputed; the customer usually has claimed
/// a refund on an earlier order.
pub fn friendly(rng: &mut ChaCha8Rng, market: Market, catalog: &Catalog, c: &mut Customer) {
    let from = c.created.max(ORDERS_FROM);
    if from >= NOW - 70 * DAY {
        return;
    }
    // A history of claims: an earlier, partially refunded order.
    if rng.gen_range(0..100) < 60 {
        let at = order_time(rng, from, NOW - 75 * DAY);
        let k = Checkout::ordinary(rng, market, catalog, c, at);
        let mut fate = quiet_fate();
        fate.partial_refund = true;
        let o = place(rng, market, c, k, fate);
        insert_in_time(c, o);
    }
    let at = order_time(rng, from, NOW - 70 * DAY);
    let mut k = Checkout::ordinary(rng, market, catalog, c, at);
    k.lines = dear_lines(rng, catalog, 1, 3);
    k.coupon = None;
    k.fraud = Some(Pattern::FriendlyFraud);
    let mut fate = quiet_fate();
    fate.chargeback = Some(if rng.gen_range(0..100) < 70 {
        "item_not_received"
    } else {
        "not_as_described"
    });
    let o = place(rng, market, c, k, fate);
    insert_in_time(c, o);
}

/// A promotion-abuse ring: `n` accounts opened within days, emails of one person,
/// one shipping address, one first-order coupon each.
pub fn ring(
    rng: &mut ChaCha8Rng,
    market: Market,
    catalog: &Catalog,
    first_id: u64,
    n: u64,
) -> Vec<Customer> {
    let start = order_time(rng, ORDERS_FROM, NOW - 7 * DAY);
    let leader = new_customer(rng, market, first_id, start);
    let ip = if rng.gen_range(0..100) < 50 {
        abroad(rng, leader.country)
    } else {
        leader.country
    };
    let mut out = Vec::new();
    for j in 0..n {
        let created = start + between(rng, 0, 5 * DAY);
        let mut c = new_customer(rng, market, first_id + j, created);
        // One inbox behind every account (plus-addressing on the leader's mailbox).
        let (user, domain) = leader
            .email
            .split_once('@')
            .expect("generated emails have @");
        c.email = format!("{user}+{}{}@{domain}", c.first.to_ascii_lowercase(), j + 1);
        if rng.gen_range(0..100) < 70 {
            c.street = leader.street.clone();
            c.postcode = leader.postcode.clone();
            c.city = leader.city;
            c.region = leader.region;
        }
        let at = created + between(rng, 2 * MINUTE, 6 * HOUR);
        let mut lines = basket(rng, catalog);
        lines.truncate(2);
        let k = Checkout {
            at,
            lines,
            coupon: Some(("WELCOME20", 20)),
            express: false,
            ship_country: leader.country,
            ship_postcode: leader.postcode.clone(),
            ip_country: ip,
            method: Method::Card,
            card: Some(if rng.gen_range(0..100) < 50 {
                leader.card
            } else {
                c.card
            }),
            declined_cards: Vec::new(),
            all_declined: false,
            fraud: Some(Pattern::PromotionAbuse),
        };
        let o = place(rng, market, &c, k, quiet_fate());
        c.orders.push(o);
        out.push(c);
    }
    out
}

fn insert_in_time(c: &mut Customer, o: Order) {
    let at = c.orders.partition_point(|x| x.at <= o.at);
    c.orders.insert(at, o);
}
