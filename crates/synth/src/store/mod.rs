//! A coherent synthetic store: customers, products, orders, order items, payments,
//! refunds and reviews made together, so that every order adds up (subtotal = Σ
//! items, total = subtotal − discount + tax + shipping, captured = total, refunds ≤
//! captured) and every timeline holds (payment after order, shipment after
//! payment, delivery after shipment, refunds and reviews after delivery, reviews by
//! the buyer, canceled orders never captured or refunded in full), with labelled
//! fraud patterns at a chosen rate ([`fraud`]).
//!
//! Customers are made in chunks of [`CHUNK`]; each chunk draws from its own ChaCha8
//! stream, so the bytes depend only on the seed, the options and the customer count,
//! never on the number of threads. A batch of chunks is made in parallel, numbered
//! in order (orders, items, payments, refunds and reviews get consecutive ids), and
//! rendered in parallel: memory stays bounded by the batch.

pub mod fraud;
pub mod model;
pub mod render;

use std::io::Write;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::entity::{self, Entity};
use crate::fingerprint::{Bloom, Keys, PrintSpec};
use crate::generate::{Hashing, Locale, Product, Sink};
use crate::normalize::Kind;
use crate::row::{Format, RowBuf};
use model::{Catalog, Customer, Market};
use render::{Bases, Marks};

/// Customers per chunk.
pub const CHUNK: u64 = 4 * 1024;

/// One table of the store.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// How a row is fingerprinted (found again without the marker).
    pub prints: PrintSpec,
}

/// The tables, in the order [`generate`] takes its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableId {
    Customers = 0,
    Products = 1,
    Orders = 2,
    OrderItems = 3,
    Payments = 4,
    Refunds = 5,
    Reviews = 6,
}

pub const TABLES: [Table; 7] = [
    Table {
        name: "customers",
        columns: Entity::Customers.columns(),
        prints: entity::CUSTOMER_PRINTS,
    },
    Table {
        name: "products",
        columns: &["sku", "name", "price"],
        prints: PrintSpec {
            roles: &[("sku", Kind::Id), ("name", Kind::Text)],
            sets: &[&[0, 1]],
        },
    },
    Table {
        name: "orders",
        columns: &[
            "order_id",
            "customer_id",
            "created_at",
            "status",
            "currency",
            "items",
            "subtotal",
            "discount",
            "coupon_code",
            "tax",
            "shipping",
            "grand_total",
            "shipping_method",
            "billing_country",
            "shipping_country",
            "shipping_postcode",
            "ip_country",
            "shipped_at",
            "delivered_at",
            "is_fraud",
            "fraud_pattern",
        ],
        prints: entity::ORDER_PRINTS,
    },
    Table {
        name: "order_items",
        columns: Entity::OrderItems.columns(),
        prints: entity::ITEM_PRINTS,
    },
    Table {
        name: "payments",
        columns: Entity::Payments.columns(),
        prints: entity::PAYMENT_PRINTS,
    },
    Table {
        name: "refunds",
        columns: &[
            "refund_id",
            "order_id",
            "payment_id",
            "kind",
            "amount",
            "reason",
            "created_at",
        ],
        prints: PrintSpec {
            roles: &[
                ("refund_id", Kind::Id),
                ("order_id", Kind::Id),
                ("created_at", Kind::Time),
                ("amount", Kind::Number),
            ],
            sets: &[&[2, 0], &[2, 1], &[0, 1, 3]],
        },
    },
    Table {
        name: "reviews",
        columns: &[
            "review_id",
            "order_id",
            "sku",
            "customer_id",
            "rating",
            "title",
            "text",
            "created_at",
        ],
        prints: Entity::Reviews.prints(),
    },
];

/// What store to make.
#[derive(Debug, Clone)]
pub struct StoreSpec {
    pub customers: u64,
    pub seed: u64,
    pub locale: Locale,
    pub format: Format,
    pub products: Vec<Product>,
    /// Share of orders that are fraudulent, in [0, 0.5].
    pub fraud_rate: f64,
    pub marking: Option<StoreMarking>,
}

#[derive(Debug, Clone)]
pub struct StoreMarking {
    pub keys: Keys,
    pub column: String,
    /// The version token of each table's dataset, indexed by [`TableId`].
    pub tokens: Vec<String>,
    pub fingerprints: bool,
}

/// What one table received.
#[derive(Debug)]
pub struct TableOutput {
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    pub bloom: Option<Bloom>,
}

/// How many rows a table may get, at most, for sizing its fingerprint filter before
/// the rows exist (an upper bound well above the mean, so the filter's false-positive
/// rate stays at or below the stated one).
fn capacity(t: TableId, spec: &StoreSpec) -> u64 {
    let c = spec.customers.max(1);
    let orders = c * 3 + 64;
    match t {
        TableId::Customers => c,
        TableId::Products => spec.products.len() as u64,
        TableId::Orders => orders,
        TableId::OrderItems => orders * 3,
        TableId::Payments => orders * 2,
        TableId::Refunds | TableId::Reviews => orders,
    }
}

fn chunk_rng(spec: &StoreSpec, k: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"synthgov-store-v1");
    h.update(spec.seed.to_be_bytes());
    h.update(k.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// Makes the customers of chunk `k` and their whole histories.
fn make_chunk(spec: &StoreSpec, catalog: &Catalog, rates: &fraud::Rates, k: u64) -> Vec<Customer> {
    let mut rng = chunk_rng(spec, k);
    let market = Market {
        locale: spec.locale,
    };
    let first = k * CHUNK + 1;
    let last = ((k + 1) * CHUNK).min(spec.customers);
    let mut out = Vec::with_capacity((last + 1 - first) as usize);
    let mut id = first;
    while id <= last {
        match fraud::roll(&mut rng, rates, last + 1 - id) {
            fraud::Slot::CardTester => {
                out.push(fraud::card_tester(&mut rng, market, catalog, id));
                id += 1;
            }
            fraud::Slot::MismatchShipper => {
                out.push(fraud::mismatch_shipper(&mut rng, market, catalog, id));
                id += 1;
            }
            fraud::Slot::Ring(n) => {
                out.extend(fraud::ring(&mut rng, market, catalog, id, n));
                id += n;
            }
            fraud::Slot::Legit { takeover, friendly } => {
                let created = model::account_created(&mut rng);
                let mut c = model::new_customer(&mut rng, market, id, created);
                model::legit_history(&mut rng, market, catalog, &mut c);
                if takeover {
                    fraud::takeover(&mut rng, market, catalog, &mut c);
                }
                if friendly {
                    fraud::friendly(&mut rng, market, catalog, &mut c);
                }
                out.push(c);
                id += 1;
            }
        }
    }
    out
}

/// Writes the store's tables to `outs` (indexed by [`TableId`]), calling
/// `progress(customers_done)` after each batch.
pub fn generate(
    spec: &StoreSpec,
    outs: Vec<&mut (dyn Write + Send)>,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<Vec<TableOutput>> {
    assert_eq!(outs.len(), TABLES.len(), "one output per table");
    if spec.products.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the product list is empty",
        ));
    }
    let catalog = Catalog::new(spec.products.clone());
    let rates = fraud::Rates::for_share(spec.fraud_rate);
    let marker = spec.marking.as_ref().map(|m| m.column.as_str());
    let marks = spec.marking.as_ref().map(|m| Marks {
        keys: &m.keys,
        tokens: &m.tokens,
        fingerprints: m.fingerprints,
    });
    let mut hashing: Vec<Hashing<&mut (dyn Write + Send)>> =
        outs.into_iter().map(Hashing::new).collect();
    let mut blooms: Vec<Option<Bloom>> = (0..TABLES.len())
        .map(|i| {
            marks
                .as_ref()
                .filter(|m| m.fingerprints)
                .map(|_| TABLES[i].prints.filter(capacity(table_id(i), spec)))
        })
        .collect();
    let mut rows = vec![0u64; TABLES.len()];
    {
        let mut sinks: Vec<Sink<&mut Hashing<&mut (dyn Write + Send)>>> = hashing
            .iter_mut()
            .zip(&TABLES)
            .map(|(h, t)| Sink::new(spec.format, t.columns, h, marker))
            .collect::<std::io::Result<_>>()?;
        if spec.format != Format::Parquet {
            for (s, t) in sinks.iter_mut().zip(&TABLES) {
                let mut head = RowBuf::new(spec.format, t.columns, &[]);
                head.header(marker);
                s.rows(&head.out)?;
            }
        }
        let products = render::products(&catalog, spec.format, marks.as_ref());
        let i = TableId::Products as usize;
        take(products, &mut sinks[i], &mut rows[i], &mut blooms[i])?;

        let currency = Market {
            locale: spec.locale,
        }
        .currency();
        let chunks = spec.customers.div_ceil(CHUNK);
        let batch = (rayon::current_num_threads() as u64 * 2).max(2);
        let mut bases = Bases {
            order: 1,
            item: 1,
            payment: 1,
            refund: 1,
            review: 1,
        };
        let mut c = 0;
        while c < chunks {
            let upto = (c + batch).min(chunks);
            let made: Vec<Vec<Customer>> = (c..upto)
                .into_par_iter()
                .map(|k| make_chunk(spec, &catalog, &rates, k))
                .collect();
            let mut starts = Vec::with_capacity(made.len());
            for m in &made {
                starts.push(bases);
                bases = bases.after(m);
            }
            let rendered: Vec<Vec<render::Rendered>> = made
                .par_iter()
                .zip(starts)
                .map(|(m, b)| render::chunk(m, &catalog, currency, spec.format, marks.as_ref(), b))
                .collect();
            for tables in rendered {
                // render::chunk returns every table but products, in TableId order.
                for (r, i) in tables.into_iter().zip([0usize, 2, 3, 4, 5, 6]) {
                    take(r, &mut sinks[i], &mut rows[i], &mut blooms[i])?;
                }
            }
            c = upto;
            progress((c * CHUNK).min(spec.customers));
        }
        for s in sinks {
            s.finish()?;
        }
    }
    Ok(hashing
        .into_iter()
        .zip(blooms)
        .zip(rows)
        .map(|((h, bloom), rows)| TableOutput {
            rows,
            bytes: h.bytes,
            sha256: h.sha256(),
            bloom,
        })
        .collect())
}

/// Writes one table's rows of a chunk and adds their fingerprints to its filter.
fn take<W: Write + Send>(
    r: render::Rendered,
    sink: &mut Sink<W>,
    rows: &mut u64,
    bloom: &mut Option<Bloom>,
) -> std::io::Result<()> {
    *rows += r.rows;
    if let Some(b) = bloom.as_mut() {
        for p in &r.prints {
            b.insert(p);
        }
    }
    sink.rows(&r.text)
}

fn table_id(i: usize) -> TableId {
    [
        TableId::Customers,
        TableId::Products,
        TableId::Orders,
        TableId::OrderItems,
        TableId::Payments,
        TableId::Refunds,
        TableId::Reviews,
    ][i]
}
