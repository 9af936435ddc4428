//! People and places per locale, drawn at the frequencies public statistics give.
//!
//! The tables under `crates/synth/data/` are built by `tools/vocab/build.py` from the
//! sources named in `crates/synth/data/SOURCES.md`: first names with their sex and
//! national frequency, surnames, and the largest cities of each country with their
//! real postcodes (or, where no open list exists, the postcode's fixed part). They are
//! compiled in and parsed once, on first use.
//!
//! What stays safe by construction: phone numbers come from ranges the national
//! regulators reserve for fiction (or, for Spain, which has none, from blocks its
//! national plan does not use), and e-mail addresses use reserved domains.

use std::sync::OnceLock;

use rand::Rng;
use rand::distributions::Distribution;
use rand_chacha::ChaCha8Rng;
use rand_distr::WeightedAliasIndex;
use time::{Date, Duration};
use unicode_normalization::UnicodeNormalization;

use crate::generate::Locale;

/// Draws items at fixed weights in O(1) (Walker's alias method).
pub(crate) struct Weighted<T> {
    items: Vec<T>,
    index: WeightedAliasIndex<f64>,
}

impl<T> Weighted<T> {
    pub(crate) fn new(items: Vec<(T, f64)>) -> Self {
        assert!(!items.is_empty(), "a weighted table needs items");
        let (items, weights): (Vec<T>, Vec<f64>) = items.into_iter().unzip();
        Weighted {
            items,
            index: WeightedAliasIndex::new(weights).expect("positive finite weights"),
        }
    }

    pub(crate) fn draw(&self, rng: &mut ChaCha8Rng) -> &T {
        &self.items[self.index.sample(rng)]
    }

    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn name(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

/// A name as written, and its ASCII form for e-mail addresses.
#[derive(Debug, Clone, Copy)]
pub struct Name {
    pub text: &'static str,
    pub ascii: &'static str,
}

#[derive(Debug)]
pub struct Place {
    pub city: &'static str,
    pub region: &'static str,
    postcodes: Postcodes,
}

#[derive(Debug)]
enum Postcodes {
    /// The postcodes that serve the city.
    Listed(Vec<&'static str>),
    /// Spain: the province's two digits; the other three are drawn.
    Province(&'static str),
    /// Great Britain: postcode areas with their districts.
    Areas(Vec<(&'static str, Vec<u8>)>),
}

pub struct People {
    female: Weighted<Name>,
    male: Weighted<Name>,
    last: Weighted<Name>,
    places: Weighted<Place>,
    /// Single-year ages drawn in O(1) for the ranges the generators ask for.
    ages: Vec<((u32, u32), Weighted<u32>)>,
    locale: Locale,
}

/// The age ranges with a ready table: patients, customers, store customers.
const AGE_RANGES: [(u32, u32); 3] = [(0, 100), (18, 100), (18, 90)];

/// The tables of a locale.
pub fn people(locale: Locale) -> &'static People {
    static CELLS: [OnceLock<People>; 5] = [const { OnceLock::new() }; 5];
    let (i, names, places) = match locale {
        Locale::EnUs => (
            0,
            include_str!("../data/names_en_US.tsv"),
            include_str!("../data/places_US.tsv"),
        ),
        Locale::EnGb => (
            1,
            include_str!("../data/names_en_GB.tsv"),
            include_str!("../data/places_GB.tsv"),
        ),
        Locale::DeDe => (
            2,
            include_str!("../data/names_de_DE.tsv"),
            include_str!("../data/places_DE.tsv"),
        ),
        Locale::FrFr => (
            3,
            include_str!("../data/names_fr_FR.tsv"),
            include_str!("../data/places_FR.tsv"),
        ),
        Locale::EsEs => (
            4,
            include_str!("../data/names_es_ES.tsv"),
            include_str!("../data/places_ES.tsv"),
        ),
    };
    CELLS[i].get_or_init(|| People::parse(locale, names, places))
}

impl People {
    fn parse(locale: Locale, names: &'static str, places: &'static str) -> People {
        let (mut female, mut male, mut last) = (Vec::new(), Vec::new(), Vec::new());
        for (n, line) in data_lines(names) {
            let f: Vec<&str> = line.split('\t').collect();
            let [kind, text, weight] = f[..] else {
                panic!("names table line {n}: expected 3 fields");
            };
            let name = Name {
                text,
                ascii: Box::leak(ascii_fold(text).into_boxed_str()),
            };
            let w: f64 = weight.parse().expect("weight is a number");
            match kind {
                "F" => female.push((name, w)),
                "M" => male.push((name, w)),
                "L" => last.push((name, w)),
                _ => panic!("names table line {n}: kind {kind}"),
            }
        }
        let mut rows = Vec::new();
        for (n, line) in data_lines(places) {
            let f: Vec<&str> = line.split('\t').collect();
            let [city, region, population, codes] = f[..] else {
                panic!("places table line {n}: expected 4 fields");
            };
            let postcodes = if let Some(p) = codes.strip_suffix("***") {
                Postcodes::Province(p)
            } else if codes.contains(':') {
                Postcodes::Areas(codes.split('|').map(gb_area).collect())
            } else {
                Postcodes::Listed(codes.split(' ').collect())
            };
            let w: f64 = population.parse().expect("population is a number");
            rows.push((
                Place {
                    city,
                    region,
                    postcodes,
                },
                w,
            ));
        }
        let ages = AGE_RANGES
            .iter()
            .map(|&(lo, hi)| {
                let years = (lo..=hi)
                    .map(|a| (a, year_weight(pyramid(locale), a)))
                    .collect();
                ((lo, hi), Weighted::new(years))
            })
            .collect();
        People {
            female: Weighted::new(female),
            male: Weighted::new(male),
            last: Weighted::new(last),
            places: Weighted::new(rows),
            ages,
            locale,
        }
    }

    /// How many first names (female, male), surnames and places the locale has.
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.female.len(),
            self.male.len(),
            self.last.len(),
            self.places.len(),
        )
    }

    /// Sex at birth in the population's ratio (women are the majority in all five
    /// countries: US Census 2020, ONS, Destatis, INSEE and INE).
    pub fn sex(&self, rng: &mut ChaCha8Rng) -> Sex {
        let female = match self.locale {
            Locale::EnUs => 0.505,
            Locale::EnGb => 0.507,
            Locale::DeDe => 0.507,
            Locale::FrFr => 0.516,
            Locale::EsEs => 0.510,
        };
        if rng.gen_bool(female) {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    pub fn first_name(&self, rng: &mut ChaCha8Rng, sex: Sex) -> Name {
        match sex {
            Sex::Female => *self.female.draw(rng),
            Sex::Male => *self.male.draw(rng),
        }
    }

    pub fn last_name(&self, rng: &mut ChaCha8Rng) -> Name {
        *self.last.draw(rng)
    }

    /// A city, drawn by population.
    pub fn place(&self, rng: &mut ChaCha8Rng) -> &Place {
        self.places.draw(rng)
    }

    /// A postcode of the place.
    pub fn postcode(&self, rng: &mut ChaCha8Rng, place: &Place) -> String {
        match &place.postcodes {
            Postcodes::Listed(codes) => codes[rng.gen_range(0..codes.len())].to_string(),
            Postcodes::Province(p) => format!("{p}{:03}", rng.gen_range(1..1000)),
            Postcodes::Areas(areas) => {
                let (area, districts) = &areas[rng.gen_range(0..areas.len())];
                let d = districts[rng.gen_range(0..districts.len())];
                // The unit's two letters never use C, I, K, M, O or V (Royal Mail).
                const UNIT: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
                format!(
                    "{area}{d} {}{}{}",
                    rng.gen_range(0..10),
                    UNIT[rng.gen_range(0..UNIT.len())] as char,
                    UNIT[rng.gen_range(0..UNIT.len())] as char
                )
            }
        }
    }

    /// A street address line in the country's usual order.
    pub fn street(&self, rng: &mut ChaCha8Rng) -> String {
        let n = rng.gen_range(1..200);
        let pick = |rng: &mut ChaCha8Rng, list: &[&'static str]| list[rng.gen_range(0..list.len())];
        match self.locale {
            Locale::EnUs => format!("{} {}", rng.gen_range(1..9999), pick(rng, &US_STREETS)),
            Locale::EnGb => format!("{n} {}", pick(rng, &GB_STREETS)),
            Locale::DeDe => format!("{} {n}", pick(rng, &DE_STREETS)),
            Locale::FrFr => format!("{n} {}", pick(rng, &FR_STREETS)),
            Locale::EsEs => format!("{}, {n}", pick(rng, &ES_STREETS)),
        }
    }

    /// A date of birth for someone aged `min_age..=max_age` on `on`, following the
    /// country's age pyramid.
    pub fn birth_date(&self, rng: &mut ChaCha8Rng, on: Date, min_age: u32, max_age: u32) -> Date {
        let age = match self.ages.iter().find(|(r, _)| *r == (min_age, max_age)) {
            Some((_, t)) => *t.draw(rng),
            None => age(rng, pyramid(self.locale), min_age, max_age),
        };
        let born = on - Duration::days(age as i64 * 365 + (age as i64) / 4);
        // 1..=365: never born on `on` itself.
        born - Duration::days(rng.gen_range(1..=365))
    }

    /// A phone number no one can be reached at.
    pub fn phone(&self, rng: &mut ChaCha8Rng) -> String {
        match self.locale {
            // NANPA: 555-0100..555-0199 is reserved for fiction in every area code.
            Locale::EnUs => format!(
                "+1-{}-555-01{:02}",
                rng.gen_range(201..990),
                rng.gen_range(0..100)
            ),
            // Ofcom: 07700 900000..900999 is reserved for drama.
            Locale::EnGb => format!("+44 7700 900{:03}", rng.gen_range(0..1000)),
            // Bundesnetzagentur: blocks reserved for film and television.
            Locale::DeDe => {
                let (area, block) = [
                    ("30", "23125"),
                    ("69", "90009"),
                    ("40", "66969"),
                    ("89", "99998"),
                ][rng.gen_range(0..4)];
                format!("+49 {area} {block} {:03}", rng.gen_range(0..1000))
            }
            // ARCEP: numbers reserved for audiovisual works.
            Locale::FrFr => {
                let block = ["1 99 00", "6 39 98"][rng.gen_range(0..2)];
                format!(
                    "+33 {block} {:02} {:02}",
                    rng.gen_range(0..100),
                    rng.gen_range(0..100)
                )
            }
            // Spain reserves no range for fiction. Numbers starting 41-49 are in no
            // block of its national plan (libphonenumber rejects every one; 400 is
            // a valid block and is left out), so these can never be dialled.
            Locale::EsEs => format!(
                "+34 4{:02} {:03} {:03}",
                rng.gen_range(10..100),
                rng.gen_range(0..1000),
                rng.gen_range(0..1000)
            ),
        }
    }
}

/// Age-band shares (per cent, five-year bands 0-4 ... 80-84, then 85+), rounded from
/// the national statistics offices' latest estimates: US Census Bureau 2020 (DP1),
/// ONS mid-2022 (England and Wales), Destatis 2022, INSEE 2024, INE 2024. They are
/// transcribed, not read by the build; they are normalised when drawn.
fn pyramid(locale: Locale) -> &'static [f64; 18] {
    match locale {
        Locale::EnUs => &[
            5.7, 6.0, 6.4, 6.6, 6.4, 6.7, 6.8, 6.6, 6.3, 6.0, 6.2, 6.5, 6.4, 5.5, 4.4, 2.9, 1.8,
            1.8,
        ],
        Locale::EnGb => &[
            5.4, 5.9, 6.1, 5.8, 6.0, 6.5, 6.9, 6.7, 6.4, 6.1, 6.8, 6.8, 6.1, 5.3, 5.0, 3.7, 2.5,
            2.4,
        ],
        Locale::DeDe => &[
            4.8, 4.6, 4.5, 4.6, 5.3, 5.8, 6.6, 6.5, 6.1, 5.8, 7.2, 8.2, 7.4, 6.3, 5.0, 4.0, 4.3,
            2.9,
        ],
        Locale::FrFr => &[
            5.2, 5.8, 6.2, 6.2, 5.8, 5.6, 6.0, 6.3, 6.2, 6.3, 6.5, 6.5, 6.3, 5.9, 5.5, 4.3, 2.9,
            3.5,
        ],
        Locale::EsEs => &[
            3.9, 4.7, 5.3, 5.3, 5.2, 5.4, 5.8, 6.6, 7.7, 8.1, 7.9, 7.5, 6.8, 5.6, 4.7, 4.0, 2.8,
            3.2,
        ],
    }
}

/// An age in whole years from the pyramid, limited to `min..=max`. Within a band ages
/// are uniform; the open 85+ band runs to 100 and thins out.
fn age(rng: &mut ChaCha8Rng, bands: &[f64; 18], min: u32, max: u32) -> u32 {
    // Weight of each single year of age, then one draw over the allowed years.
    let year = |a: u32| year_weight(bands, a);
    let max = max.min(100);
    let total: f64 = (min..=max).map(year).sum();
    let mut u = rng.gen_range(0.0..total);
    for a in min..=max {
        u -= year(a);
        if u < 0.0 {
            return a;
        }
    }
    max
}

/// The share of one year of age: a five-year band's share split evenly, and the
/// open 85+ band run to 100 with linearly falling weight summing to its share.
fn year_weight(bands: &[f64; 18], a: u32) -> f64 {
    if a < 85 {
        bands[(a / 5) as usize] / 5.0
    } else {
        bands[17] * (101 - a.min(100)) as f64 / 136.0
    }
}

/// `AB:10-16,21-25` into the area and its districts.
fn gb_area(spec: &'static str) -> (&'static str, Vec<u8>) {
    let (area, ranges) = spec.split_once(':').expect("area:districts");
    let mut districts = Vec::new();
    for r in ranges.split(',') {
        let (a, b) = r.split_once('-').unwrap_or((r, r));
        let (a, b): (u8, u8) = (a.parse().expect("district"), b.parse().expect("district"));
        districts.extend(a..=b);
    }
    (area, districts)
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Lower-case ASCII letters of a name, for the local part of an e-mail address:
/// accents dropped, ß as ss, anything else that is not a letter or digit left out.
pub fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}

// Common street names of each country (the most frequent in its national lists).
const US_STREETS: [&str; 24] = [
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Park Ave",
    "Lake St",
    "Hill Rd",
    "Church St",
    "2nd St",
    "3rd St",
    "Walnut St",
    "Sunset Blvd",
    "Jefferson St",
    "Lincoln Ave",
    "Highland Ave",
    "Center St",
    "Ridge Rd",
    "River Rd",
    "Chestnut St",
    "Spring St",
    "Mill Rd",
];
const GB_STREETS: [&str; 24] = [
    "High Street",
    "Station Road",
    "Main Street",
    "Park Road",
    "Church Road",
    "Church Street",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Lane",
    "Park Avenue",
    "The Avenue",
    "The Crescent",
    "Queens Road",
    "New Road",
    "Grange Road",
    "Kings Road",
    "Kingsway",
    "Windsor Road",
    "Highfield Road",
    "Mill Lane",
    "Alexandra Road",
    "York Road",
];
const DE_STREETS: [&str; 24] = [
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Birkenweg",
    "Lindenstraße",
    "Kirchstraße",
    "Waldstraße",
    "Ringstraße",
    "Schillerstraße",
    "Goethestraße",
    "Jahnstraße",
    "Wiesenweg",
    "Am Sportplatz",
    "Feldstraße",
    "Mühlenweg",
    "Friedhofstraße",
    "Amselweg",
    "Rosenstraße",
    "Buchenweg",
    "Blumenstraße",
    "Mozartstraße",
];
const FR_STREETS: [&str; 24] = [
    "rue de l'Église",
    "Grande Rue",
    "rue du Moulin",
    "place de l'Église",
    "rue de la Mairie",
    "rue du Château",
    "rue des Écoles",
    "rue de la Gare",
    "rue Principale",
    "rue Victor Hugo",
    "rue Pasteur",
    "rue Jean Jaurès",
    "rue de la Fontaine",
    "allée des Tilleuls",
    "rue du Stade",
    "impasse des Lilas",
    "rue des Jardins",
    "chemin du Moulin",
    "avenue de la République",
    "rue de la Paix",
    "rue du Général de Gaulle",
    "rue Nationale",
    "rue de Verdun",
    "boulevard Gambetta",
];
const ES_STREETS: [&str; 24] = [
    "Calle Mayor",
    "Calle Real",
    "Calle Nueva",
    "Plaza Mayor",
    "Calle de la Iglesia",
    "Calle del Sol",
    "Calle San José",
    "Avenida de la Constitución",
    "Calle de la Paz",
    "Calle Cervantes",
    "Calle del Carmen",
    "Calle Santa Ana",
    "Calle de la Fuente",
    "Calle Alta",
    "Calle Baja",
    "Calle del Río",
    "Calle San Juan",
    "Paseo de la Estación",
    "Calle Castilla",
    "Calle Málaga",
    "Calle de Goya",
    "Calle Antonio Machado",
    "Avenida de Andalucía",
    "Calle Sevilla",
];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_locale_parses_with_thousands_of_names_and_places() {
        for l in [
            Locale::EnUs,
            Locale::EnGb,
            Locale::DeDe,
            Locale::FrFr,
            Locale::EsEs,
        ] {
            let (f, m, last, places) = people(l).sizes();
            assert!(
                f > 500 && m > 500,
                "{l:?}: {f} female, {m} male first names"
            );
            assert!(last >= 400, "{l:?}: {last} surnames");
            assert!(places >= 2000, "{l:?}: {places} places");
        }
    }

    #[test]
    fn ages_follow_the_limits_and_the_pyramid() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let b = pyramid(Locale::DeDe);
        let ages: Vec<u32> = (0..200_000).map(|_| age(&mut rng, b, 18, 100)).collect();
        assert!(ages.iter().all(|a| (18..=100).contains(a)));
        // Germany has more people in their late fifties than in their late twenties.
        let n = |lo: u32| ages.iter().filter(|a| (lo..lo + 5).contains(*a)).count();
        assert!(n(55) as f64 > 1.3 * n(25) as f64, "{} vs {}", n(55), n(25));
    }

    #[test]
    fn folding_keeps_letters_only() {
        assert_eq!(ascii_fold("Jürgen"), "jurgen");
        assert_eq!(ascii_fold("Weiß"), "weiss");
        assert_eq!(ascii_fold("José María"), "josemaria");
        assert_eq!(ascii_fold("O'Brien-Smith"), "obriensmith");
    }
}
