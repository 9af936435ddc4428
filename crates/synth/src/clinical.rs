//! Fictional patients with plausible medical histories, and clinicians' schedules.
//!
//! `data/conditions.tsv` lists chronic conditions with their prevalence by age band
//! and sex, and acute visit reasons with their relative frequency, each with the
//! ICD-10-CM codes used for it (billable codes, weighted) and first-line medications
//! in RxNorm's clinical-drug naming. A patient draws each chronic condition
//! independently at its prevalence for their age and sex; the primary diagnosis is
//! one of those, or an acute reason when they have none. The sources of the figures
//! are in `data/SOURCES.md`; comorbidity correlation is not modelled.
//!
//! A patient's sex, age and conditions depend only on (seed, patient id), so the
//! appointments generator can find each appointment's patient again and give a reason
//! that fits them.

use std::sync::OnceLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use time::{Date, Duration, PrimitiveDateTime, Time};

use crate::generate::{Locale, REFERENCE_DATE};
use crate::people::{Sex, Weighted, people};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Chronic,
    Acute,
}

pub struct Condition {
    pub kind: Kind,
    pub name: &'static str,
    /// Only this sex has it (sex-specific anatomy or care).
    pub sex: Option<Sex>,
    pub specialty: &'static str,
    /// Chronic: per cent of people in the band (0-17, 18-44, 45-64, 65+) who have it;
    /// acute: relative frequency of the reason among visits in the band.
    pub by_band: [f64; 4],
    /// Prevalence in women over prevalence in men.
    pub female_ratio: f64,
    codes: Weighted<&'static str>,
    pub medications: Vec<&'static str>,
}

impl Condition {
    pub fn codes(&self) -> &[&'static str] {
        self.codes.items()
    }

    /// Per cent of people of this sex and age who have it (chronic) or its weight
    /// among visit reasons (acute).
    fn rate(&self, sex: Sex, age: u32) -> f64 {
        if self.sex.is_some_and(|s| s != sex) {
            return 0.0;
        }
        let base = self.by_band[band(age)];
        if self.sex.is_some() {
            return base;
        }
        let r = self.female_ratio;
        match sex {
            Sex::Female => base * 2.0 * r / (1.0 + r),
            Sex::Male => base * 2.0 / (1.0 + r),
        }
    }
}

fn band(age: u32) -> usize {
    match age {
        0..18 => 0,
        18..45 => 1,
        45..65 => 2,
        _ => 3,
    }
}

/// Every condition and visit reason.
pub fn conditions() -> &'static [Condition] {
    static CELL: OnceLock<Vec<Condition>> = OnceLock::new();
    CELL.get_or_init(|| parse(include_str!("../data/conditions.tsv")))
}

fn parse(text: &'static str) -> Vec<Condition> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let [
            kind,
            name,
            sex,
            specialty,
            ratio,
            b0,
            b1,
            b2,
            b3,
            codes,
            meds,
        ] = f[..]
        else {
            panic!("conditions.tsv line {}: expected 11 fields", i + 1);
        };
        let num = |s: &str| -> f64 {
            s.parse()
                .unwrap_or_else(|_| panic!("conditions.tsv line {}: {s:?}", i + 1))
        };
        let codes = codes
            .split(' ')
            .map(|cw| {
                let (c, w) = cw.split_once(':').expect("code:weight");
                (c, num(w))
            })
            .collect();
        out.push(Condition {
            kind: match kind {
                "chronic" => Kind::Chronic,
                "acute" => Kind::Acute,
                k => panic!("conditions.tsv line {}: kind {k}", i + 1),
            },
            name,
            sex: match sex {
                "F" => Some(Sex::Female),
                "M" => Some(Sex::Male),
                _ => None,
            },
            specialty,
            by_band: [num(b0), num(b1), num(b2), num(b3)],
            female_ratio: num(ratio),
            codes: Weighted::new(codes),
            medications: meds.split('|').filter(|m| !m.is_empty()).collect(),
        });
    }
    out
}

/// What the generators need to know of a patient.
pub struct Profile {
    pub sex: Sex,
    pub born: Date,
    pub age: u32,
    /// Indices into [`conditions`] of the chronic conditions they have, with the code.
    pub chronic: Vec<(usize, &'static str)>,
    /// The primary diagnosis: one of `chronic`, or an acute reason.
    pub primary: (usize, &'static str),
    /// A first-line medication for the primary diagnosis, or "" when untreated.
    pub medication: &'static str,
}

/// The patient `id` of the run seeded `seed`: the same wherever it is asked for.
pub fn profile(seed: u64, locale: Locale, id: u64) -> Profile {
    let mut rng = row_rng(seed, b"patient", id);
    let folk = people(locale);
    let sex = folk.sex(&mut rng);
    let born = folk.birth_date(&mut rng, REFERENCE_DATE, 0, 100);
    let age = ((REFERENCE_DATE - born).whole_days() / 365) as u32;
    let all = conditions();
    let mut chronic = Vec::new();
    for (i, c) in all.iter().enumerate() {
        if c.kind == Kind::Chronic {
            let p = (c.rate(sex, age) / 100.0).min(0.95);
            if p > 0.0 && rng.gen_bool(p) {
                chronic.push((i, *c.codes.draw(&mut rng)));
            }
        }
    }
    let primary = if chronic.is_empty() {
        acute(&mut rng, sex, age)
    } else {
        chronic[rng.gen_range(0..chronic.len())]
    };
    let meds = &all[primary.0].medications;
    // Some conditions are managed without a prescription (lifestyle, watchful waiting).
    let medication = if !meds.is_empty() && rng.gen_bool(0.85) {
        // The list is in order of use: the first is prescribed most.
        let w: f64 = (1..=meds.len()).map(|k| 1.0 / k as f64).sum();
        let mut u = rng.gen_range(0.0..w);
        let mut pick = meds.len() - 1;
        for (k, _) in meds.iter().enumerate() {
            u -= 1.0 / (k + 1) as f64;
            if u < 0.0 {
                pick = k;
                break;
            }
        }
        meds[pick]
    } else {
        ""
    };
    Profile {
        sex,
        born,
        age,
        chronic,
        primary,
        medication,
    }
}

/// An acute visit reason for someone of this sex and age.
pub fn acute(rng: &mut ChaCha8Rng, sex: Sex, age: u32) -> (usize, &'static str) {
    let all = conditions();
    let total: f64 = all
        .iter()
        .filter(|c| c.kind == Kind::Acute)
        .map(|c| c.rate(sex, age))
        .sum();
    let mut u = rng.gen_range(0.0..total);
    let mut last = 0;
    for (i, c) in all.iter().enumerate() {
        if c.kind != Kind::Acute {
            continue;
        }
        last = i;
        u -= c.rate(sex, age);
        if u < 0.0 {
            break;
        }
    }
    (last, *all[last].codes.draw(rng))
}

/// A reason for this patient to see a clinician: a follow-up of a chronic condition
/// they have, or something acute.
pub fn visit_reason(rng: &mut ChaCha8Rng, p: &Profile) -> (usize, &'static str) {
    if !p.chronic.is_empty() && rng.gen_bool(0.65) {
        p.chronic[rng.gen_range(0..p.chronic.len())]
    } else {
        acute(rng, p.sex, p.age)
    }
}

pub(crate) fn row_rng(seed: u64, what: &[u8], id: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"synthgov-synth-row-v1");
    h.update(seed.to_be_bytes());
    h.update(what);
    h.update(id.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// The clinicians of a run and their calendars.
///
/// Each clinician works fixed slots (08:00-18:00 UTC, Monday to Friday, from
/// [`SCHEDULE_START`]); a slot is 60 minutes in psychiatry and nutrition, 30
/// elsewhere, and an appointment never runs past its slot. Generation is in chunks
/// made in parallel, so chunk `k` of `K` books only slots `s` with `s % K == k`:
/// no two appointments of a clinician can overlap, whichever chunk made them.
pub struct Roster {
    pub specialties: Vec<Specialty>,
}

pub struct Specialty {
    pub name: &'static str,
    pub slot_minutes: u32,
    pub clinicians: Vec<String>,
}

pub const SCHEDULE_START: Date = time::macros::date!(2025 - 01 - 06);
const DAY_MINUTES: u32 = 10 * 60;

impl Roster {
    /// Enough clinicians per specialty for `rows` appointments to fit about two years
    /// of calendar.
    pub fn new(seed: u64, locale: Locale, rows: u64) -> Roster {
        let mut names: Vec<&'static str> = conditions().iter().map(|c| c.specialty).collect();
        names.sort_unstable();
        names.dedup();
        let folk = people(locale);
        let mut rng = row_rng(seed, b"roster", 0);
        let mut seen = std::collections::HashSet::new();
        let specialties = names
            .into_iter()
            .map(|name| {
                let slot_minutes = if matches!(name, "psychiatry" | "nutrition") {
                    60
                } else {
                    30
                };
                let per_year = 250 * (DAY_MINUTES / slot_minutes) as u64;
                let n = (rows * 3 / 2).div_ceil(2 * per_year).clamp(2, 5000);
                let clinicians = (0..n)
                    .map(|_| {
                        loop {
                            let sex = folk.sex(&mut rng);
                            let name = format!(
                                "Dr. {} {}",
                                folk.first_name(&mut rng, sex).text,
                                folk.last_name(&mut rng).text
                            );
                            // A name is the clinician's identity in the output: unique.
                            if seen.insert(name.clone()) {
                                break name;
                            }
                        }
                    })
                    .collect();
                Specialty {
                    name,
                    slot_minutes,
                    clinicians,
                }
            })
            .collect();
        Roster { specialties }
    }

    pub fn specialty(&self, name: &str) -> usize {
        self.specialties
            .iter()
            .position(|s| s.name == name)
            .expect("every condition's specialty is in the roster")
    }
}

/// The slots a chunk has booked so far, per specialty and clinician.
pub struct Calendar {
    next: Vec<Vec<u64>>,
    /// Per specialty, the clinician whose turn it is (round robin).
    turn: Vec<usize>,
    chunk: u64,
    chunks: u64,
}

impl Calendar {
    pub fn new(roster: &Roster, chunk: u64, chunks: u64) -> Calendar {
        Calendar {
            next: roster
                .specialties
                .iter()
                .map(|s| vec![0; s.clinicians.len()])
                .collect(),
            turn: vec![0; roster.specialties.len()],
            chunk,
            chunks,
        }
    }

    /// Books the next free slot of the specialty's clinicians in turn: (clinician
    /// index, start). About one slot in four is left empty.
    pub fn book(
        &mut self,
        rng: &mut ChaCha8Rng,
        roster: &Roster,
        specialty: usize,
    ) -> (usize, PrimitiveDateTime) {
        let counts = &mut self.next[specialty];
        let c = self.turn[specialty];
        self.turn[specialty] = (c + 1) % counts.len();
        if rng.gen_bool(0.25) {
            counts[c] += 1;
        }
        let j = counts[c];
        counts[c] += 1;
        let slot = j * self.chunks + self.chunk;
        let per_day = (DAY_MINUTES / roster.specialties[specialty].slot_minutes) as u64;
        let day = slot / per_day;
        let date = SCHEDULE_START + Duration::days(((day / 5) * 7 + day % 5) as i64);
        let minutes = 8 * 60 + (slot % per_day) as u32 * roster.specialties[specialty].slot_minutes;
        let t = Time::from_hms((minutes / 60) as u8, (minutes % 60) as u8, 0).expect("in day");
        (c, PrimitiveDateTime::new(date, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_sex_specific_codes_stay_with_their_sex() {
        let all = conditions();
        let codes: usize = all.iter().map(|c| c.codes().len()).sum();
        assert!(codes >= 200, "{codes} codes");
        for c in all {
            for code in c.codes() {
                // Pregnancy, contraception and female genital organs; male genital organs.
                let female_only = code.starts_with('O')
                    || code.starts_with("Z3")
                    || ("N70".."N99").contains(code);
                let male_only = ("N40".."N54").contains(code);
                if female_only {
                    assert_eq!(c.sex, Some(Sex::Female), "{} {code}", c.name);
                }
                if male_only {
                    assert_eq!(c.sex, Some(Sex::Male), "{} {code}", c.name);
                }
            }
        }
    }

    #[test]
    fn prevalence_follows_age_and_sex() {
        let n = 20_000;
        let ps: Vec<Profile> = (1..=n).map(|i| profile(9, Locale::EnUs, i)).collect();
        let has =
            |p: &Profile, name: &str| p.chronic.iter().any(|(i, _)| conditions()[*i].name == name);
        let share = |f: &dyn Fn(&Profile) -> bool, g: &dyn Fn(&Profile) -> bool| {
            let sel: Vec<&Profile> = ps.iter().filter(|p| f(p)).collect();
            sel.iter().filter(|p| g(p)).count() as f64 / sel.len() as f64
        };
        let old = share(&|p| p.age >= 65, &|p| has(p, "hypertension"));
        let young = share(&|p| (18..45).contains(&p.age), &|p| has(p, "hypertension"));
        assert!((0.68..0.80).contains(&old), "hypertension 65+: {old}");
        assert!((0.17..0.27).contains(&young), "hypertension 18-44: {young}");
        let f = share(&|p| p.sex == Sex::Female, &|p| has(p, "hypothyroidism"));
        let m = share(&|p| p.sex == Sex::Male, &|p| has(p, "hypothyroidism"));
        assert!(f > 3.0 * m, "hypothyroidism women {f} men {m}");
        assert!(
            ps.iter()
                .all(|p| p.sex == Sex::Male || !has(p, "benign prostatic hyperplasia"))
        );
        // Child and adult check-ups go to children and adults.
        for p in &ps {
            let code = p.primary.1;
            assert!(
                !code.starts_with("Z00.12") || p.age < 18,
                "{code} at {}",
                p.age
            );
            assert!(
                !code.starts_with("Z00.0") || p.age >= 18,
                "{code} at {}",
                p.age
            );
        }
        // The same id gives the same patient.
        assert_eq!(profile(9, Locale::EnUs, 77).primary, ps[76].primary);
    }
}
