//! Determinism and safety of the built-in generators, over a million rows.

use synthgov_synth::entity::{ALL, Entity};
use synthgov_synth::fingerprint::Keys;
use synthgov_synth::generate::{Locale, Marking, Spec, default_products, generate};
use synthgov_synth::row::Format;
use synthgov_synth::safe::{is_fiction_phone, is_reserved_email, is_test_card, luhn_valid};

fn spec(entity: Entity, rows: u64, seed: u64, format: Format, locale: Locale) -> Spec {
    Spec {
        entity,
        rows,
        seed,
        locale,
        format,
        parents: (rows / 3).max(1),
        products: default_products(),
        marking: Some(Marking {
            keys: Keys::new([9; 32]),
            version_token: "0badf00d".into(),
            fingerprints: false,
            column: "synthgov_marker".into(),
        }),
    }
}

fn bytes(s: &Spec) -> Vec<u8> {
    let mut out = Vec::new();
    generate(s, &mut out, &mut |_| {}).unwrap();
    out
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    for e in ALL {
        for format in [Format::Csv, Format::Jsonl] {
            let a = bytes(&spec(e, 40_000, 7, format, Locale::EnUs));
            let b = bytes(&spec(e, 40_000, 7, format, Locale::EnUs));
            let c = bytes(&spec(e, 40_000, 8, format, Locale::EnUs));
            assert_eq!(a, b, "{} {format:?}", e.name());
            assert_ne!(a, c, "{} {format:?}", e.name());
        }
    }
}

#[test]
fn bytes_do_not_depend_on_the_number_of_threads() {
    let s = spec(Entity::Customers, 100_000, 1, Format::Csv, Locale::EnGb);
    let many = bytes(&s);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| bytes(&s));
    assert_eq!(many, one);
}

#[test]
fn a_million_rows_are_safe_by_construction() {
    let n = 1_000_000;
    for (entity, locale) in [
        (Entity::Customers, Locale::EnUs),
        (Entity::Patients, Locale::EnGb),
        (Entity::Payments, Locale::EnUs),
    ] {
        let text = String::from_utf8(bytes(&spec(entity, n, 42, Format::Csv, locale))).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let h = rdr.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|c| c == name);
        let (email, phone, card) = (col("email"), col("phone"), col("card_number"));
        let mut rows = 0u64;
        for r in rdr.records() {
            let r = r.unwrap();
            rows += 1;
            if let Some(i) = email {
                assert!(is_reserved_email(&r[i]), "{}: {}", entity.name(), &r[i]);
            }
            if let Some(i) = phone {
                assert!(is_fiction_phone(&r[i]), "{}: {}", entity.name(), &r[i]);
            }
            if let Some(i) = card {
                assert!(is_test_card(&r[i]) && luhn_valid(&r[i]), "{}", &r[i]);
            }
        }
        assert_eq!(rows, n);
    }
}

#[test]
fn references_stay_within_parent_tables() {
    let s = spec(Entity::Orders, 10_000, 3, Format::Csv, Locale::EnUs);
    let text = String::from_utf8(bytes(&s)).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for r in rdr.records() {
        let c: u64 = r.unwrap()[1].parse().unwrap();
        assert!((1..=s.parents).contains(&c));
    }
}

#[test]
fn parquet_holds_the_same_rows_typed() {
    use arrow_array::{Array, Float64Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let csv_spec = spec(Entity::Payments, 40_000, 5, Format::Csv, Locale::EnUs);
    let pq_spec = Spec {
        format: Format::Parquet,
        ..csv_spec.clone()
    };
    let pq = bytes(&pq_spec);
    assert_eq!(pq, bytes(&pq_spec), "same seed, same Parquet bytes");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    std::fs::write(&path, &pq).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let text = String::from_utf8(bytes(&csv_spec)).unwrap();
    let mut csv_rows = csv::Reader::from_reader(text.as_bytes());
    let want: Vec<csv::StringRecord> = csv_rows.records().map(|r| r.unwrap()).collect();
    let mut row = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let ids = batch
            .column_by_name("payment_id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let cards = batch
            .column_by_name("card_number")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let amounts = batch
            .column_by_name("amount")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        let markers = batch
            .column_by_name("synthgov_marker")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        for i in 0..batch.num_rows() {
            let w = &want[row];
            assert_eq!(ids.value(i).to_string(), &w[0]);
            assert_eq!(cards.value(i), &w[4]);
            assert_eq!(format!("{:.2}", amounts.value(i)), &w[6]);
            assert_eq!(markers.value(i), &w[11]);
            row += 1;
        }
        assert_eq!(ids.null_count(), 0);
    }
    assert_eq!(row, 40_000);
}
