//! Word lists the built-in generators draw from (people and places are in
//! `people.rs`, clinical codes in `clinical.rs`).

/// A health-and-wellness catalog: (sku, name, price in cents).
pub const PRODUCTS: [(&str, &str, u32); 16] = [
    ("MH01", "Vitamin D3 2000 IU", 1299),
    ("MH02", "Omega-3 Fish Oil", 2199),
    ("MH03", "Calm Sleep Tea", 899),
    ("MH04", "Yoga Mat Pro", 4999),
    ("MH05", "Blood Pressure Monitor", 5999),
    ("MH06", "Whey Protein Vanilla", 3499),
    ("MH07", "Magnesium Glycinate", 1799),
    ("MH08", "Glucose Test Strips (50)", 2499),
    ("MH09", "Probiotic 30B", 2999),
    ("MH10", "Electrolyte Tabs", 999),
    ("MH11", "Foam Roller", 2599),
    ("MH12", "Digital Thermometer", 1499),
    ("MH13", "Pulse Oximeter", 3299),
    ("MH14", "Collagen Peptides", 2799),
    ("MH15", "Resistance Bands Set", 1999),
    ("MH16", "Zinc + Vitamin C", 1099),
];

pub const ALLERGIES: [&str; 6] = [
    "none",
    "penicillin",
    "peanuts",
    "latex",
    "sulfa",
    "shellfish",
];
/// Review titles: the first half praise, the second half lukewarm or critical (the
/// store generator picks by rating).
pub const REVIEW_TITLES: [&str; 12] = [
    "Works as described",
    "Great value",
    "Helped me sleep",
    "Arrived quickly",
    "Good quality",
    "Would buy again",
    "Decent",
    "Not for me",
    "Stopped working",
    "Smaller than expected",
    "Arrived damaged",
    "Not worth the price",
];
/// Review texts, ordered like the titles.
pub const REVIEW_TEXTS: [&str; 12] = [
    "Easy to use and the instructions were clear.",
    "I noticed a difference after two weeks.",
    "Packaging was recyclable, which I appreciate.",
    "Accurate readings compared with my clinic's device.",
    "Sturdy and well made.",
    "Taste is mild; mixes well with water.",
    "Does the job, nothing special.",
    "Did not agree with me, but customer service was helpful.",
    "The seal was broken when it arrived.",
    "Readings were inconsistent from one day to the next.",
    "Returned it; the refund took a week.",
    "Cheaper elsewhere and no better.",
];
