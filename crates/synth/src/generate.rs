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

use crate::clinical::{self, Calendar, Roster};
use crate::entity::Entity;
use crate::fingerprint::{Bloom, Keys, SharedBloom};
use crate::people::{Name, people};
use crate::row::{Format, RowBuf};
use crate::safe::{EMAIL_DOMAINS, TEST_CARDS};
use crate::vocab::*;

pub const CHUNK: u64 = 16 * 1024;

/// The day ages are counted to, fixed so that output depends only on the seed.
pub const REFERENCE_DATE: Date = time::macros::date!(2026 - 01 - 01);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    EnUs,
    EnGb,
    DeDe,
    FrFr,
    EsEs,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "en_US" | "en-US" | "us" => Some(Locale::EnUs),
            "en_GB" | "en-GB" | "gb" | "uk" => Some(Locale::EnGb),
            "de_DE" | "de-DE" | "de" => Some(Locale::DeDe),
            "fr_FR" | "fr-FR" | "fr" => Some(Locale::FrFr),
            "es_ES" | "es-ES" | "es" => Some(Locale::EsEs),
            _ => None,
        }
    }

    /// The ISO 3166 country the locale's addresses are in.
    pub fn country(self) -> &'static str {
        match self {
            Locale::EnUs => "US",
            Locale::EnGb => "GB",
            Locale::DeDe => "DE",
            Locale::FrFr => "FR",
            Locale::EsEs => "ES",
        }
    }

    /// The locale whose addresses are in `country`, where there is one.
    pub fn of_country(country: &str) -> Option<Locale> {
        [
            Locale::EnUs,
            Locale::EnGb,
            Locale::DeDe,
            Locale::FrFr,
            Locale::EsEs,
        ]
        .into_iter()
        .find(|l| l.country() == country)
    }

    pub fn currency(self) -> &'static str {
        match self {
            Locale::EnUs => "USD",
            Locale::EnGb => "GBP",
            Locale::DeDe | Locale::FrFr | Locale::EsEs => "EUR",
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
    // Filled by the workers as they make rows: the inserts are most of a marked
    // run's serial work otherwise.
    let bloom = spec
        .marking
        .as_ref()
        .filter(|m| m.fingerprints)
        .map(|_| SharedBloom::new(spec.entity.prints().filter(spec.rows)));
    let mut sink = Sink::new(spec.format, columns, &mut hashing, marker_col)?;
    if spec.format != Format::Parquet {
        let mut head = RowBuf::new(spec.format, columns, &[]);
        head.header(marker_col);
        sink.rows(&head.out)?;
    }
    let chunks = spec.rows.div_ceil(CHUNK);
    let roster = (spec.entity == Entity::Appointments)
        .then(|| Roster::new(spec.seed, spec.locale, spec.rows));
    let batch = (rayon::current_num_threads() as u64 * 2).max(2);
    let mut c = 0;
    while c < chunks {
        let upto = (c + batch).min(chunks);
        let made: Vec<String> = (c..upto)
            .into_par_iter()
            .map(|k| make_chunk(spec, roster.as_ref(), bloom.as_ref(), k))
            .collect();
        for text in made {
            sink.rows(&text)?;
        }
        c = upto;
        progress((c * CHUNK).min(spec.rows));
    }
    sink.finish()?;
    Ok(Output {
        rows: spec.rows,
        bytes: hashing.bytes,
        sha256: hashing.sha256(),
        bloom: bloom.map(SharedBloom::into_bloom),
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

fn make_chunk(spec: &Spec, roster: Option<&Roster>, bloom: Option<&SharedBloom>, k: u64) -> String {
    let mut rng = chunk_rng(spec, k);
    let mut calendar = roster.map(|r| (r, Calendar::new(r, k, spec.rows.div_ceil(CHUNK))));
    let first = k * CHUNK + 1;
    let last = ((k + 1) * CHUNK).min(spec.rows);
    let mut row = RowBuf::new(
        spec.format,
        spec.entity.columns(),
        &spec.entity.prints().role_names(),
    );
    let mut prints = Vec::new();
    for id in first..=last {
        make_row(spec, id, &mut rng, &mut row, calendar.as_mut());
        if let Some(m) = &spec.marking {
            let marker = m.keys.marker(&m.version_token, id);
            row.s(&marker);
            if let Some(b) = bloom {
                spec.entity.prints().row_prints(
                    &m.keys,
                    spec.entity.name(),
                    &row.ident,
                    &mut prints,
                );
                for p in prints.drain(..) {
                    b.insert(&p);
                }
            }
        }
        row.end();
    }
    std::mem::take(&mut row.out)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, list: &'a [T]) -> &'a T {
    &list[rng.gen_range(0..list.len())]
}

fn date_between(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> Date {
    let start = Date::from_calendar_date(from_year, time::Month::January, 1).expect("valid");
    let end = Date::from_calendar_date(to_year, time::Month::December, 31).expect("valid");
    days_between(rng, start, end)
}

fn days_between(rng: &mut ChaCha8Rng, start: Date, end: Date) -> Date {
    let days = (end - start).whole_days().max(0);
    start + Duration::days(rng.gen_range(0..=days))
}

fn timestamp(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> String {
    let d = date_between(rng, from_year, to_year);
    time_on(rng, d)
}

/// A time of day on `d`, as the generators write it.
fn time_on(rng: &mut ChaCha8Rng, d: Date) -> String {
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
    people(locale).phone(rng)
}

/// first.last plus the row id at a reserved domain: unique, and no one's mailbox.
pub(crate) fn email(rng: &mut ChaCha8Rng, first: Name, last: Name, id: u64) -> String {
    format!(
        "{}.{}{}@{}",
        first.ascii,
        last.ascii,
        id,
        pick(rng, &EMAIL_DOMAINS)
    )
}

/// (street, city, region, postcode, country) of a place drawn by population.
pub(crate) fn address(
    rng: &mut ChaCha8Rng,
    locale: Locale,
) -> (String, &'static str, &'static str, String, &'static str) {
    let p = people(locale);
    let street = p.street(rng);
    let place = p.place(rng);
    let postcode = p.postcode(rng, place);
    (street, place.city, place.region, postcode, locale.country())
}

fn parent(rng: &mut ChaCha8Rng, spec: &Spec) -> u64 {
    rng.gen_range(1..=spec.parents.max(1))
}

fn make_row(
    spec: &Spec,
    id: u64,
    rng: &mut ChaCha8Rng,
    r: &mut RowBuf,
    calendar: Option<&mut (&Roster, Calendar)>,
) {
    let currency = spec.locale.currency();
    let folk = people(spec.locale);
    match spec.entity {
        Entity::Customers => {
            let sex = folk.sex(rng);
            let first = folk.first_name(rng, sex);
            let last = folk.last_name(rng);
            let (street, city, region, postcode, country) = address(rng, spec.locale);
            r.i(id);
            r.s(first.text);
            r.s(last.text);
            r.s(&email(rng, first, last, id));
            r.s(&phone(rng, spec.locale));
            r.s(&street);
            r.s(city);
            r.s(region);
            r.s(&postcode);
            r.s(country);
            r.s(&folk.birth_date(rng, REFERENCE_DATE, 18, 100).to_string());
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
            let p = clinical::profile(spec.seed, spec.locale, id);
            let first = folk.first_name(rng, p.sex);
            let last = folk.last_name(rng);
            let (_, _, _, postcode, _) = address(rng, spec.locale);
            r.i(id);
            r.s(first.text);
            r.s(last.text);
            r.s(p.sex.name());
            r.s(&p.born.to_string());
            r.s(&email(rng, first, last, id));
            r.s(&phone(rng, spec.locale));
            r.s(&postcode);
            r.s(p.primary.1);
            r.s(p.medication);
            r.s(pick::<&str>(rng, &ALLERGIES));
            // Clearly synthetic member id: no real insurer issues the SYN prefix.
            r.s(&format!("SYN-{:09}", rng.gen_range(0..1_000_000_000u64)));
            // Registered on or after birth, and before the reference date.
            let from = p.born.max(time::macros::date!(2020 - 01 - 01));
            let registered = days_between(rng, from, REFERENCE_DATE - Duration::days(1));
            r.s(&time_on(rng, registered));
        }
        Entity::Appointments => {
            let (roster, calendar) = calendar.expect("appointments have a roster");
            let patient = parent(rng, spec);
            let p = clinical::profile(spec.seed, spec.locale, patient);
            let (condition, code) = clinical::visit_reason(rng, &p);
            let sp = roster.specialty(clinical::conditions()[condition].specialty);
            let (clinician, start) = calendar.book(rng, roster, sp);
            let specialty = &roster.specialties[sp];
            let duration = if specialty.slot_minutes == 60 {
                *pick(rng, &[45, 60, 60])
            } else {
                *pick(rng, &[15, 20, 20, 30])
            };
            let past = start.date() < REFERENCE_DATE;
            let u = rng.gen_range(0..100);
            let status = match (past, u) {
                (true, 0..85) => "completed",
                (true, 85..93) => "no_show",
                (false, 0..92) => "scheduled",
                _ => "canceled",
            };
            r.i(id);
            r.i(patient);
            r.s(&specialty.clinicians[clinician]);
            r.s(specialty.name);
            r.s(&utc(start));
            r.i(duration);
            r.s(pick::<&str>(rng, &["video", "video", "phone", "chat"]));
            r.s(code);
            r.s(status);
        }
    }
}
