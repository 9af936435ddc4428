//! The built-in generators: deterministic, streaming, parallel.
//!
//! Rows are made in chunks of [`CHUNK`]; chunk `c` draws from a ChaCha8 stream seeded
//! from (seed, entity, c), so the bytes depend only on the seed and row count, never
//! on the number of threads. Chunks are made in parallel a few at a time and written
//! in order: memory stays bounded however many rows are asked for.

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use time::{Date, Duration, PrimitiveDateTime, Time};

use crate::entity::Entity;
use crate::fingerprint::{Bloom, Keys};
use crate::row::{Format, RowBuf};
use crate::safe::{EMAIL_DOMAINS, TEST_CARDS};
use crate::vocab::*;

pub const CHUNK: u64 = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    EnUs,
    EnGb,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "en_US" | "en-US" | "us" => Some(Locale::EnUs),
            "en_GB" | "en-GB" | "gb" | "uk" => Some(Locale::EnGb),
            _ => None,
        }
    }
}

/// A product rows can reference.
#[derive(Debug, Clone)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub price_cents: u32,
}

pub fn default_products() -> Vec<Product> {
    PRODUCTS
        .iter()
        .map(|(s, n, p)| Product {
            sku: (*s).into(),
            name: (*n).into(),
            price_cents: *p,
        })
        .collect()
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub entity: Entity,
    pub rows: u64,
    pub seed: u64,
    pub locale: Locale,
    pub format: Format,
    /// Rows of the referenced tables: customers for orders and reviews, orders for
    /// items and payments, patients for appointments.
    pub parents: u64,
    pub products: Vec<Product>,
    /// Marker column and fingerprints, keyed by the store's secret.
    pub marking: Option<Marking>,
}

#[derive(Debug, Clone)]
pub struct Marking {
    pub keys: Keys,
    /// Names the dataset version inside each marker.
    pub version_token: String,
    /// Build the fingerprint filter (bounded by rows).
    pub fingerprints: bool,
    pub column: String,
}

/// What a run produced.
#[derive(Debug)]
pub struct Output {
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    pub bloom: Option<Bloom>,
}

/// Counts and hashes what passes through to the output.
pub(crate) struct Hashing<W: Write> {
    pub(crate) out: W,
    pub(crate) hasher: Sha256,
    pub(crate) bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub(crate) fn new(out: W) -> Self {
        Hashing {
            out,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    pub(crate) fn sha256(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes `spec.rows` rows to `out`, calling `progress(rows_done)` after each batch.
pub fn generate(
    spec: &Spec,
    out: &mut (dyn Write + Send),
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<Output> {
    let columns = spec.entity.columns();
    let marker_col = spec.marking.as_ref().map(|m| m.column.as_str());
    let mut hashing = Hashing::new(out);
    let mut bloom = spec
        .marking
        .as_ref()
        .filter(|m| m.fingerprints)
        .map(|_| spec.entity.prints().filter(spec.rows));
    let mut sink = Sink::new(spec.format, columns, &mut hashing, marker_col)?;
    if spec.format != Format::Parquet {
        let mut head = RowBuf::new(spec.format, columns, &[]);
        head.header(marker_col);
        sink.rows(&head.out)?;
    }
    let chunks = spec.rows.div_ceil(CHUNK);
    let batch = (rayon::current_num_threads() as u64 * 2).max(2);
    let mut c = 0;
    while c < chunks {
        let upto = (c + batch).min(chunks);
        let made: Vec<(String, Vec<[u8; 32]>)> = (c..upto)
            .into_par_iter()
            .map(|k| make_chunk(spec, k))
            .collect();
        for (text, prints) in made {
            sink.rows(&text)?;
            if let Some(b) = bloom.as_mut() {
                for p in &prints {
                    b.insert(p);
                }
            }
        }
        c = upto;
        progress((c * CHUNK).min(spec.rows));
    }
    sink.finish()?;
    Ok(Output {
        rows: spec.rows,
        bytes: hashing.bytes,
        sha256: hashing.sha256(),
        bloom,
    })
}

/// Where rows go: straight through as text, or typed into Parquet.
pub(crate) enum Sink<W: Write + Send> {
    Text(W),
    #[cfg(feature = "parquet")]
    // Boxed: the writer's state is large and the text path should stay small.
    Parquet(Box<crate::parquet_out::ParquetSink<W>>),
}

impl<W: Write + Send> Sink<W> {
    pub(crate) fn new(
        format: Format,
        columns: &[&str],
        out: W,
        marker: Option<&str>,
    ) -> std::io::Result<Self> {
        if format != Format::Parquet {
            return Ok(Sink::Text(out));
        }
        #[cfg(feature = "parquet")]
        {
            let schema = crate::parquet_out::schema(columns, marker);
            Ok(Sink::Parquet(Box::new(
                crate::parquet_out::ParquetSink::new(out, schema)?,
            )))
        }
        #[cfg(not(feature = "parquet"))]
        {
            let _ = (marker, columns);
            Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "built without the `parquet` feature",
            ))
        }
    }

    pub(crate) fn rows(&mut self, text: &str) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => out.write_all(text.as_bytes()),
            #[cfg(feature = "parquet")]
            Sink::Parquet(p) => p.write_csv_rows(text),
        }
    }

    pub(crate) fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Text(_) => Ok(()),
            #[cfg(feature = "parquet")]
            Sink::Parquet(p) => p.finish().map(|_| ()),
        }
    }
}

fn chunk_rng(spec: &Spec, k: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"synthgov-synth-v1");
    h.update(spec.seed.to_be_bytes());
    h.update(spec.entity.name().as_bytes());
    h.update(k.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}

fn make_chunk(spec: &Spec, k: u64) -> (String, Vec<[u8; 32]>) {
    let mut rng = chunk_rng(spec, k);
    let first = k * CHUNK + 1;
    let last = ((k + 1) * CHUNK).min(spec.rows);
    let mut row = RowBuf::new(
        spec.format,
        spec.entity.columns(),
        &spec.entity.prints().role_names(),
    );
    let mut prints = Vec::new();
    for id in first..=last {
        make_row(spec, id, &mut rng, &mut row);
        if let Some(m) = &spec.marking {
            let marker = m.keys.marker(&m.version_token, id);
            row.s(&marker);
            if m.fingerprints {
                spec.entity.prints().row_prints(
                    &m.keys,
                    spec.entity.name(),
                    &row.ident,
                    &mut prints,
                );
            }
        }
        row.end();
    }
    (std::mem::take(&mut row.out), prints)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T]) -> &'a T {
    &list[rng.gen_range(0..list.len())]
}

fn date_between(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> Date {
    let start = Date::from_calendar_date(from_year, time::Month::January, 1).expect("valid");
    let end = Date::from_calendar_date(to_year, time::Month::December, 31).expect("valid");
    let days = (end - start).whole_days();
    start + Duration::days(rng.gen_range(0..=days))
}

fn timestamp(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> String {
    let d = date_between(rng, from_year, to_year);
    let t = Time::from_hms(
        rng.gen_range(0..24),
        rng.gen_range(0..60),
        rng.gen_range(0..60),
    )
    .expect("valid");
    utc(PrimitiveDateTime::new(d, t))
}

/// A UTC time as the generators write it (RFC 3339, seconds, `Z`).
pub(crate) fn utc(dt: PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        dt.month() as u8,
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

pub(crate) fn phone(rng: &mut ChaCha8Rng, locale: Locale) -> String {
    match locale {
        // NANPA: 555-0100..555-0199 is reserved for fiction in every area code.
        Locale::EnUs => format!(
            "+1-{}-555-01{:02}",
            rng.gen_range(201..990),
            rng.gen_range(0..100)
        ),
        // Ofcom: 07700 900000..900999 is reserved for drama.
        Locale::EnGb => format!("+44 7700 900{:03}", rng.gen_range(0..1000)),
    }
}

pub(crate) fn email(rng: &mut ChaCha8Rng, first: &str, last: &str, id: u64) -> String {
    format!(
        "{}.{}{}@{}",
        first.to_ascii_lowercase(),
        last.to_ascii_lowercase(),
        id,
        pick(rng, &EMAIL_DOMAINS)
    )
}

pub(crate) fn address(
    rng: &mut ChaCha8Rng,
    locale: Locale,
) -> (String, &'static str, &'static str, String, &'static str) {
    let street = format!("{} {}", rng.gen_range(1..9999), pick(rng, &STREETS));
    match locale {
        Locale::EnUs => {
            let (city, region, zip) = *pick(rng, &US_PLACES);
            (
                street,
                city,
                region,
                format!("{zip}{:02}", rng.gen_range(0..100)),
                "US",
            )
        }
        Locale::EnGb => {
            let (city, county, area) = *pick(rng, &GB_PLACES);
            let pc = format!(
                "{area}{} {}{}{}",
                rng.gen_range(1..20),
                rng.gen_range(1..10),
                (b'A' + rng.gen_range(0..26u8)) as char,
                (b'A' + rng.gen_range(0..26u8)) as char
            );
            (street, city, county, pc, "GB")
        }
    }
}

fn parent(rng: &mut ChaCha8Rng, spec: &Spec) -> u64 {
    rng.gen_range(1..=spec.parents.max(1))
}

fn make_row(spec: &Spec, id: u64, rng: &mut ChaCha8Rng, r: &mut RowBuf) {
    let currency = if spec.locale == Locale::EnGb {
        "GBP"
    } else {
        "USD"
    };
    match spec.entity {
        Entity::Customers => {
            let first = *pick(rng, &FIRST_NAMES);
            let last = *pick(rng, &LAST_NAMES);
            let (street, city, region, postcode, country) = address(rng, spec.locale);
            r.i(id);
            r.s(first);
            r.s(last);
            r.s(&email(rng, first, last, id));
            r.s(&phone(rng, spec.locale));
            r.s(&street);
            r.s(city);
            r.s(region);
            r.s(&postcode);
            r.s(country);
            r.s(&date_between(rng, 1940, 2006).to_string());
            r.s(&timestamp(rng, 2019, 2026));
        }
        Entity::Orders => {
            let items = rng.gen_range(1..=5u64);
            let subtotal: u64 = (0..items)
                .map(|_| pick(rng, &spec.products).price_cents as u64)
                .sum();
            let tax = subtotal * 8 / 100;
            let shipping = if subtotal > 5000 { 0 } else { 599 };
            r.i(id);
            r.i(parent(rng, spec));
            r.s(&timestamp(rng, 2024, 2026));
            r.s(pick::<&str>(
                rng,
                &[
                    "complete",
                    "complete",
                    "complete",
                    "processing",
                    "canceled",
                    "closed",
                ],
            ));
            r.s(currency);
            r.i(items);
            r.cents(subtotal);
            r.cents(tax);
            r.cents(shipping);
            r.cents(subtotal + tax + shipping);
        }
        Entity::OrderItems => {
            let p = pick(rng, &spec.products).clone();
            let qty = rng.gen_range(1..=3u64);
            r.i(id);
            r.i(parent(rng, spec));
            r.s(&p.sku);
            r.s(&p.name);
            r.i(qty);
            r.cents(p.price_cents as u64);
            r.cents(p.price_cents as u64 * qty);
        }
        Entity::Payments => {
            let (brand, number) = *pick(rng, &TEST_CARDS);
            r.i(id);
            r.i(parent(rng, spec));
            r.s("card");
            r.s(brand);
            r.s(number);
            r.s(&number[number.len() - 4..]);
            r.cents(rng.gen_range(500..40_000));
            r.s(currency);
            r.s(pick::<&str>(
                rng,
                &[
                    "captured",
                    "captured",
                    "captured",
                    "authorized",
                    "refunded",
                    "declined",
                ],
            ));
            r.s(&format!("syn_txn_{:016x}", rng.r#gen::<u64>()));
            r.s(&timestamp(rng, 2024, 2026));
        }
        Entity::Reviews => {
            r.i(id);
            r.s(&pick(rng, &spec.products).sku.clone());
            r.i(parent(rng, spec));
            r.i(rng.gen_range(1..=5));
            r.s(pick::<&str>(rng, &REVIEW_TITLES));
            r.s(pick::<&str>(rng, &REVIEW_TEXTS));
            r.s(&timestamp(rng, 2023, 2026));
        }
        Entity::Patients => {
            let first = *pick(rng, &FIRST_NAMES);
            let last = *pick(rng, &LAST_NAMES);
            let (_, _, _, postcode, _) = address(rng, spec.locale);
            r.i(id);
            r.s(first);
            r.s(last);
            r.s(pick::<&str>(
                rng,
                &["female", "male", "female", "male", "other"],
            ));
            r.s(&date_between(rng, 1935, 2008).to_string());
            r.s(&email(rng, first, last, id));
            r.s(&phone(rng, spec.locale));
            r.s(&postcode);
            r.s(pick(rng, &ICD10).0);
            r.s(pick::<&str>(rng, &ALLERGIES));
            // Clearly synthetic member id: no real insurer issues the SYN prefix.
            r.s(&format!("SYN-{:09}", rng.gen_range(0..1_000_000_000u64)));
            r.s(&timestamp(rng, 2020, 2026));
        }
        Entity::Appointments => {
            r.i(id);
            r.i(parent(rng, spec));
            r.s(pick::<&str>(rng, &CLINICIANS));
            r.s(pick::<&str>(rng, &SPECIALTIES));
            r.s(&timestamp(rng, 2025, 2026));
            r.i(*pick(rng, &[15, 20, 30, 45, 60]));
            r.s(pick::<&str>(rng, &["video", "video", "phone", "chat"]));
            r.s(pick(rng, &ICD10).0);
            r.s(pick::<&str>(
                rng,
                &["completed", "completed", "scheduled", "no_show", "canceled"],
            ));
        }
    }
}
