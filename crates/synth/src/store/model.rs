//! A store's history as data: customers and everything that happens to their orders,
//! made so that the arithmetic and the timeline hold for every row. Rendering rows
//! and numbering them is `render`'s job; fraud is `fraud`'s.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::generate::{Locale, Product, address, email, phone};
use crate::people::people;
use crate::safe::TEST_CARDS;
use crate::store::fraud::Pattern;
use crate::vocab::{REVIEW_TEXTS, REVIEW_TITLES};

/// Seconds since the Unix epoch, UTC.
pub type Ts = i64;

const DAY: Ts = 86_400;
const HOUR: Ts = 3_600;

/// The store's history ends here, whatever the wall clock says: a seed gives the
/// same bytes on every machine and every day.
pub const NOW: Ts = 1_796_083_199; // 2026-11-30T23:59:59Z
/// Orders start here (customers may be older).
pub const ORDERS_FROM: Ts = 1_704_067_200; // 2024-01-01T00:00:00Z
const ACCOUNTS_FROM: Ts = 1_546_300_800; // 2019-01-01T00:00:00Z

/// The store's products, with popularity and price ranks for drawing from them.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub products: Vec<Product>,
    /// Cumulative popularity weights (Zipf, s = 1, over a fixed order of the SKUs).
    cumulative: Vec<f64>,
    /// Product indexes from the cheapest to the dearest.
    by_price: Vec<usize>,
}

impl Catalog {
    pub fn new(products: Vec<Product>) -> Catalog {
        // Popularity rank from a hash of the SKU: fixed for a catalog, unrelated to
        // the order of the import file or to price.
        let mut ranked: Vec<usize> = (0..products.len()).collect();
        ranked.sort_by_key(|&i| {
            let h = <sha2::Sha256 as sha2::Digest>::digest(products[i].sku.as_bytes());
            (u64::from_be_bytes(h[..8].try_into().expect("8 bytes")), i)
        });
        let mut weight = vec![0.0; products.len()];
        for (rank, &i) in ranked.iter().enumerate() {
            weight[i] = 1.0 / (rank as f64 + 1.0);
        }
        let mut acc = 0.0;
        let cumulative = weight
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        let mut by_price: Vec<usize> = (0..products.len()).collect();
        by_price.sort_by_key(|&i| (products[i].price_cents, i));
        Catalog {
            products,
            cumulative,
            by_price,
        }
    }

    /// A product by popularity.
    pub fn popular(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = *self.cumulative.last().expect("the catalog is not empty");
        let x = rng.gen_range(0.0..total);
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.products.len() - 1)
    }

    /// A product from the price band `from..to` (fractions of the catalog by price).
    pub fn in_band(&self, rng: &mut ChaCha8Rng, from: f64, to: f64) -> usize {
        let n = self.by_price.len();
        let lo = ((n as f64 * from) as usize).min(n - 1);
        let hi = ((n as f64 * to).ceil() as usize).clamp(lo + 1, n);
        self.by_price[rng.gen_range(lo..hi)]
    }
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: u64,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub city: &'static str,
    pub region: &'static str,
    pub postcode: String,
    pub country: &'static str,
    pub born: time::Date,
    pub created: Ts,
    /// The card this customer pays with (an index into the processor test cards).
    pub card: usize,
    pub orders: Vec<Order>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Paid, not shipped yet.
    Processing,
    /// Shipped (and maybe delivered).
    Complete,
    /// Fully refunded after capture (Magento's "closed").
    Closed,
    /// Never captured (declined or voided), or refunded in full before shipping.
    Canceled,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Processing => "processing",
            Status::Complete => "complete",
            Status::Closed => "closed",
            Status::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Line {
    pub product: usize,
    pub qty: u32,
    pub price: u64,
}

impl Line {
    pub fn total(&self) -> u64 {
        self.price * self.qty as u64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Card,
    PayPal,
    ApplePay,
    Klarna,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Card => "card",
            Method::PayPal => "paypal",
            Method::ApplePay => "apple_pay",
            Method::Klarna => "klarna",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayStatus {
    Captured,
    Declined,
    /// Authorized, then released when the order was canceled.
    Voided,
}

impl PayStatus {
    pub fn name(self) -> &'static str {
        match self {
            PayStatus::Captured => "captured",
            PayStatus::Declined => "declined",
            PayStatus::Voided => "voided",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub method: Method,
    /// Index into the processor test cards (cards and wallets that carry one).
    pub card: Option<usize>,
    pub amount: u64,
    pub status: PayStatus,
    pub at: Ts,
    pub txn: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundKind {
    Refund,
    Chargeback,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub kind: RefundKind,
    pub amount: u64,
    pub reason: &'static str,
    pub at: Ts,
}

#[derive(Debug, Clone)]
pub struct Review {
    /// Index into the order's lines.
    pub line: usize,
    pub rating: u8,
    pub title: usize,
    pub text: usize,
    pub at: Ts,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub customer: u64,
    pub at: Ts,
    pub status: Status,
    pub lines: Vec<Line>,
    pub subtotal: u64,
    pub discount: u64,
    pub coupon: Option<&'static str>,
    pub tax: u64,
    pub shipping: u64,
    pub total: u64,
    pub express: bool,
    pub ship_country: &'static str,
    pub ship_postcode: String,
    pub ip_country: &'static str,
    pub shipped: Option<Ts>,
    pub delivered: Option<Ts>,
    pub fraud: Option<Pattern>,
    /// In the order they were attempted; at most one is captured, and it is the last.
    pub payments: Vec<Payment>,
    pub refunds: Vec<Refund>,
    pub reviews: Vec<Review>,
}

impl Order {
    pub fn captured(&self) -> Option<&Payment> {
        self.payments
            .iter()
            .find(|p| p.status == PayStatus::Captured)
    }
}

/// What the store's market looks like: currency, tax, shipping, payment mix.
#[derive(Debug, Clone, Copy)]
pub struct Market {
    pub locale: Locale,
}

/// Countries orders come from or go to besides the store's own.
pub const ABROAD: [&str; 8] = ["CA", "DE", "FR", "NL", "ES", "IE", "NG", "RU"];

impl Market {
    pub fn currency(self) -> &'static str {
        self.locale.currency()
    }

    pub fn country(self) -> &'static str {
        self.locale.country()
    }

    /// Tax in basis points on the discounted subtotal: the state's base sales tax
    /// (US, 2026 rates; shipping untaxed), or the standard VAT rate (GB 20%, DE 19%,
    /// FR 20%, ES 21%).
    pub fn tax_bp(self, region: &str) -> u64 {
        match self.locale {
            Locale::EnGb | Locale::FrFr => 2000,
            Locale::DeDe => 1900,
            Locale::EsEs => 2100,
            // State base rates in basis points (local additions left out; Utah and
            // Virginia include their statewide local share).
            Locale::EnUs => match region {
                "AK" | "DE" | "MT" | "NH" | "OR" => 0,
                "CO" => 290,
                "AL" | "GA" | "HI" | "NY" | "WY" => 400,
                "MO" => 423,
                "SD" => 420,
                "OK" => 450,
                "NC" => 475,
                "NM" => 488,
                "LA" | "ND" | "WI" => 500,
                "VA" => 530,
                "ME" | "NE" => 550,
                "AZ" => 560,
                "OH" => 575,
                "FL" | "ID" | "IA" | "KY" | "MD" | "MI" | "PA" | "SC" | "VT" | "WV" | "DC" => 600,
                "UT" => 610,
                "IL" | "MA" | "TX" => 625,
                "CT" => 635,
                "AR" | "KS" | "WA" => 650,
                "NJ" => 663,
                "NV" => 685,
                "MN" => 688,
                "IN" | "MS" | "RI" | "TN" => 700,
                "CA" => 725,
                _ => 600,
            },
        }
    }

    /// (standard, express) shipping in cents, and the order value above which
    /// standard shipping is free.
    pub fn shipping(self) -> (u64, u64, u64) {
        match self.locale {
            Locale::EnUs => (599, 1499, 5000),
            Locale::EnGb => (395, 799, 4000),
            Locale::DeDe | Locale::FrFr | Locale::EsEs => (490, 990, 5000),
        }
    }

    /// The payment method mix of the country (shares in percent).
    pub fn method(self, rng: &mut ChaCha8Rng) -> Method {
        let r = rng.gen_range(0..100);
        match self.locale {
            Locale::EnUs => match r {
                0..68 => Method::Card,
                68..86 => Method::PayPal,
                _ => Method::ApplePay,
            },
            Locale::EnGb => match r {
                0..58 => Method::Card,
                58..82 => Method::PayPal,
                82..94 => Method::Klarna,
                _ => Method::ApplePay,
            },
            // Germany pays by PayPal and invoice (Klarna) more than by card.
            Locale::DeDe => match r {
                0..30 => Method::Card,
                30..62 => Method::PayPal,
                62..90 => Method::Klarna,
                _ => Method::ApplePay,
            },
            Locale::FrFr => match r {
                0..66 => Method::Card,
                66..84 => Method::PayPal,
                _ => Method::ApplePay,
            },
            Locale::EsEs => match r {
                0..62 => Method::Card,
                62..86 => Method::PayPal,
                _ => Method::ApplePay,
            },
        }
    }
}

/// A postcode in the format of a foreign country (a relative's, or a forwarder's
/// warehouse).
pub fn foreign_postcode(rng: &mut ChaCha8Rng, country: &str) -> String {
    if let Some(l) = Locale::of_country(country) {
        return address(rng, l).3;
    }
    match country {
        "CA" => format!("M5V {}A{}", rng.gen_range(1..10), rng.gen_range(1..10)),
        "IE" => format!(
            "D{:02} X{}Y{}",
            rng.gen_range(1..25),
            rng.gen_range(1..10),
            rng.gen_range(1..10)
        ),
        "NL" => format!("{} AB", rng.gen_range(1000..10000)),
        _ => format!("{:05}", rng.gen_range(10000..99999)),
    }
}

pub fn between(rng: &mut ChaCha8Rng, from: Ts, to: Ts) -> Ts {
    if to <= from {
        from
    } else {
        rng.gen_range(from..=to)
    }
}

/// Relative order volume by month (retail: a November-December peak, a January dip)
/// and by hour of day (local evening peak), for rejection sampling.
const MONTH_WEIGHT: [f64; 12] = [
    0.80, 0.78, 0.90, 0.92, 0.95, 0.92, 0.90, 0.95, 0.95, 1.00, 1.45, 1.70,
];
const HOUR_WEIGHT: [f64; 24] = [
    0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.25, 0.45, 0.65, 0.80, 0.90, 0.95, 1.00, 0.95, 0.90, 0.90,
    0.95, 1.00, 1.05, 1.15, 1.20, 1.10, 0.85, 0.50,
];

/// An order time in `from..=to`, following the store's seasonality; never in the
/// last hour of the history (its payment must fit before [`NOW`]).
pub fn order_time(rng: &mut ChaCha8Rng, from: Ts, to: Ts) -> Ts {
    let to = to.min(NOW - HOUR);
    for _ in 0..64 {
        let t = between(rng, from, to);
        let dt = time::OffsetDateTime::from_unix_timestamp(t).expect("in range");
        let w = MONTH_WEIGHT[dt.month() as usize - 1] * HOUR_WEIGHT[dt.hour() as usize];
        if rng.gen_range(0.0..1.0) * (1.70 * 1.20) < w {
            return t;
        }
    }
    between(rng, from, to)
}

/// A new customer account created at `created`.
pub fn new_customer(rng: &mut ChaCha8Rng, market: Market, id: u64, created: Ts) -> Customer {
    let folk = people(market.locale);
    let sex = folk.sex(rng);
    let first = folk.first_name(rng, sex);
    let last = folk.last_name(rng);
    let (street, city, region, postcode, country) = address(rng, market.locale);
    let now = time::OffsetDateTime::from_unix_timestamp(created)
        .expect("in range")
        .date();
    let born = folk.birth_date(rng, now, 18, 90);
    Customer {
        id,
        first: first.text,
        last: last.text,
        email: email(rng, first, last, id),
        phone: phone(rng, market.locale),
        street,
        city,
        region,
        postcode,
        country,
        born,
        created,
        card: rng.gen_range(0..TEST_CARDS.len()),
        orders: Vec::new(),
    }
}

/// When a legitimate account was opened: more recent accounts are more common (a
/// growing store).
pub fn account_created(rng: &mut ChaCha8Rng) -> Ts {
    let u: f64 = rng.gen_range(0.0..1.0);
    ACCOUNTS_FROM + ((NOW - DAY - ACCOUNTS_FROM) as f64 * u.sqrt()) as Ts
}

/// How many orders a legitimate customer places: a quarter never order, the rest
/// 1 + geometric (repeat customers; mean 2.2 among buyers).
pub fn order_count(rng: &mut ChaCha8Rng) -> usize {
    if rng.gen_range(0..100) < 25 {
        return 0;
    }
    let mut n = 1;
    while n < 40 && rng.gen_range(0.0..1.0) < 0.55 {
        n += 1;
    }
    n
}

/// Basket: lines by the usual long tail (55% one line), quantities mostly 1.
pub fn basket(rng: &mut ChaCha8Rng, catalog: &Catalog) -> Vec<Line> {
    let n = match rng.gen_range(0..100) {
        0..55 => 1,
        55..80 => 2,
        80..91 => 3,
        91..96 => 4,
        _ => rng.gen_range(5..=8),
    };
    let mut lines: Vec<Line> = Vec::with_capacity(n);
    for _ in 0..n {
        let p = catalog.popular(rng);
        if lines.iter().any(|l| l.product == p) {
            continue; // one line per product, as carts merge them
        }
        let qty = match rng.gen_range(0..100) {
            0..85 => 1,
            85..96 => 2,
            _ => 3,
        };
        lines.push(Line {
            product: p,
            qty,
            price: catalog.products[p].price_cents as u64,
        });
    }
    lines
}

/// How an order is placed: everything a checkout decides.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub at: Ts,
    pub lines: Vec<Line>,
    pub coupon: Option<(&'static str, u64)>,
    pub express: bool,
    pub ship_country: &'static str,
    pub ship_postcode: String,
    pub ip_country: &'static str,
    pub method: Method,
    pub card: Option<usize>,
    /// Cards tried and declined before the one that is captured (card testing).
    pub declined_cards: Vec<usize>,
    /// Every attempt declined: the order is canceled unpaid.
    pub all_declined: bool,
    pub fraud: Option<Pattern>,
}

impl Checkout {
    /// An ordinary checkout by `c` at `at`.
    pub fn ordinary(
        rng: &mut ChaCha8Rng,
        market: Market,
        catalog: &Catalog,
        c: &Customer,
        at: Ts,
    ) -> Checkout {
        let first = c.orders.is_empty();
        let r = rng.gen_range(0..100);
        let coupon = if first && at - c.created < 7 * DAY && r < 20 {
            Some(("WELCOME20", 20))
        } else if r < 8 {
            Some(("SAVE10", 10))
        } else if r < 11 {
            Some(("SEASON15", 15))
        } else {
            None
        };
        // A gift: shipped elsewhere in the country, or now and then abroad.
        let gift = rng.gen_range(0..1000);
        let ship_country = if gift < 15 {
            ABROAD[rng.gen_range(0..ABROAD.len())]
        } else {
            c.country
        };
        let ship_postcode = if gift < 15 {
            foreign_postcode(rng, ship_country)
        } else if gift < 95 {
            address(rng, market.locale).3
        } else {
            c.postcode.clone()
        };
        let method = market.method(rng);
        Checkout {
            at,
            lines: basket(rng, catalog),
            coupon,
            express: rng.gen_range(0..100) < 14,
            ship_country,
            ship_postcode,
            // Travellers and VPNs.
            ip_country: if rng.gen_range(0..100) < 4 {
                ABROAD[rng.gen_range(0..ABROAD.len())]
            } else {
                c.country
            },
            method,
            card: matches!(method, Method::Card | Method::ApplePay).then_some(c.card),
            declined_cards: Vec::new(),
            all_declined: false,
            fraud: None,
        }
    }
}

/// What becomes of a paid order after checkout.
#[derive(Debug, Clone, Copy)]
pub struct Fate {
    /// Canceled by the customer or the store before shipping (refunded in full).
    pub canceled_after_capture: bool,
    /// Returned in full after delivery.
    pub returned: bool,
    /// One line refunded after delivery.
    pub partial_refund: bool,
    /// A chargeback after delivery, with its reason.
    pub chargeback: Option<&'static str>,
    /// Chance, in percent, that each delivered line gets a review.
    pub review_pct: u32,
}

impl Fate {
    pub fn ordinary(rng: &mut ChaCha8Rng) -> Fate {
        let r = rng.gen_range(0..1000);
        Fate {
            canceled_after_capture: r < 15,
            returned: (15..60).contains(&r),
            partial_refund: (60..100).contains(&r),
            chargeback: (r == 100).then_some("not_as_described"),
            review_pct: 15,
        }
    }
}

/// Places the order: prices, tax, shipping, payments, then the timeline up to
/// [`NOW`] (shipment, delivery, refunds, chargebacks, reviews).
pub fn place(
    rng: &mut ChaCha8Rng,
    market: Market,
    c: &Customer,
    mut k: Checkout,
    fate: Fate,
) -> Order {
    if k.lines.is_empty() {
        k.lines.push(Line {
            product: 0,
            qty: 1,
            price: 100,
        });
    }
    let subtotal: u64 = k.lines.iter().map(Line::total).sum();
    let discount = k.coupon.map_or(0, |(_, pct)| (subtotal * pct + 50) / 100);
    let net = subtotal - discount;
    let (standard, express, free_from) = market.shipping();
    let shipping = if k.express {
        express
    } else if net >= free_from {
        0
    } else {
        standard
    };
    let tax = (net * market.tax_bp(c.region) + 5_000) / 10_000;
    let total = net + tax + shipping;

    let mut at = k.at + rng.gen_range(2..90);
    let mut payments = Vec::new();
    for &card in &k.declined_cards {
        payments.push(Payment {
            method: Method::Card,
            card: Some(card),
            amount: total,
            status: PayStatus::Declined,
            at,
            txn: rng.r#gen(),
        });
        at += rng.gen_range(5..60);
    }
    let mut order = Order {
        customer: c.id,
        at: k.at,
        status: Status::Canceled,
        lines: k.lines,
        subtotal,
        discount,
        coupon: k.coupon.map(|c| c.0),
        tax,
        shipping,
        total,
        express: k.express,
        ship_country: k.ship_country,
        ship_postcode: k.ship_postcode,
        ip_country: k.ip_country,
        shipped: None,
        delivered: None,
        fraud: k.fraud,
        payments,
        refunds: Vec::new(),
        reviews: Vec::new(),
    };
    let pay = |status| Payment {
        method: k.method,
        card: k.card,
        amount: total,
        status,
        at,
        txn: 0,
    };
    if k.all_declined || rng.gen_range(0..1000) < 8 {
        // Declined at checkout: never captured.
        let mut p = pay(PayStatus::Declined);
        p.txn = rng.r#gen();
        order.payments.push(p);
        return order;
    }
    if rng.gen_range(0..1000) < 12 {
        // Authorized, canceled before capture: the authorization is released.
        let mut p = pay(PayStatus::Voided);
        p.txn = rng.r#gen();
        order.payments.push(p);
        return order;
    }
    let mut p = pay(PayStatus::Captured);
    p.txn = rng.r#gen();
    let paid = p.at;
    order.payments.push(p);
    if fate.canceled_after_capture {
        let t = paid + between(rng, HOUR, DAY);
        if t <= NOW {
            order.refunds.push(Refund {
                kind: RefundKind::Refund,
                amount: total,
                reason: "canceled",
                at: t,
            });
            return order; // canceled, refunded in full
        }
    }
    let shipped = paid
        + if order.express {
            between(rng, HOUR, DAY)
        } else {
            between(rng, 4 * HOUR, 3 * DAY)
        };
    if shipped > NOW {
        order.status = Status::Processing;
        return order;
    }
    order.status = Status::Complete;
    order.shipped = Some(shipped);
    let delivered = shipped
        + if order.express {
            between(rng, 12 * HOUR, 2 * DAY)
        } else {
            between(rng, 2 * DAY, 7 * DAY)
        };
    if delivered > NOW {
        return order; // in transit
    }
    order.delivered = Some(delivered);
    let mut low_rating = false;
    if let Some(reason) = fate.chargeback {
        let t = delivered + between(rng, 10 * DAY, 60 * DAY);
        if t <= NOW {
            order.refunds.push(Refund {
                kind: RefundKind::Chargeback,
                amount: total,
                reason,
                at: t,
            });
        }
    } else if fate.returned {
        let t = delivered + between(rng, 3 * DAY, 30 * DAY);
        if t <= NOW {
            order.refunds.push(Refund {
                kind: RefundKind::Refund,
                amount: total,
                reason: "return",
                at: t,
            });
            order.status = Status::Closed;
            low_rating = true;
        }
    } else if fate.partial_refund {
        let t = delivered + between(rng, 2 * DAY, 30 * DAY);
        let line = &order.lines[rng.gen_range(0..order.lines.len())];
        // The line's share of what was paid for goods (after the discount, with its tax).
        let share = line.total() * (net + tax) / subtotal.max(1);
        if t <= NOW && share > 0 {
            order.refunds.push(Refund {
                kind: RefundKind::Refund,
                amount: share.min(total),
                reason: if rng.gen_range(0..2) == 0 {
                    "damaged"
                } else {
                    "wrong_item"
                },
                at: t,
            });
            low_rating = true;
        }
    }
    for line in 0..order.lines.len() {
        if rng.gen_range(0..100) >= fate.review_pct {
            continue;
        }
        let t = delivered + between(rng, DAY, 30 * DAY);
        if t > NOW {
            continue;
        }
        let rating = if low_rating {
            rng.gen_range(1..=3)
        } else {
            match rng.gen_range(0..100) {
                0..47 => 5,
                47..73 => 4,
                73..84 => 3,
                84..91 => 2,
                _ => 1,
            }
        };
        order.reviews.push(Review {
            line,
            rating,
            title: review_pick(rng, rating, REVIEW_TITLES.len()),
            text: review_pick(rng, rating, REVIEW_TEXTS.len()),
            at: t,
        });
    }
    order
}

/// The review vocabulary runs from praise to complaint: pick from the part that fits
/// the rating.
fn review_pick(rng: &mut ChaCha8Rng, rating: u8, n: usize) -> usize {
    let half = n / 2;
    if rating >= 4 {
        rng.gen_range(0..half.max(1))
    } else {
        rng.gen_range(half..n)
    }
}

/// A legitimate customer's whole history.
pub fn legit_history(rng: &mut ChaCha8Rng, market: Market, catalog: &Catalog, c: &mut Customer) {
    let n = order_count(rng);
    let from = c.created.max(ORDERS_FROM);
    let mut times: Vec<Ts> = (0..n).map(|_| order_time(rng, from, NOW)).collect();
    times.sort_unstable();
    for t in times {
        let k = Checkout::ordinary(rng, market, catalog, c, t);
        let fate = Fate::ordinary(rng);
        let o = place(rng, market, c, k, fate);
        c.orders.push(o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_constants_are_the_dates_they_name() {
        let f = |t| {
            time::OffsetDateTime::from_unix_timestamp(t)
                .unwrap()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        assert_eq!(f(NOW), "2026-11-30T23:59:59Z");
        assert_eq!(f(ORDERS_FROM), "2024-01-01T00:00:00Z");
        assert_eq!(f(ACCOUNTS_FROM), "2019-01-01T00:00:00Z");
    }
}
