//! The built-in entities and their columns (`shared/spec/synth.md`).

use serde::{Deserialize, Serialize};

use crate::fingerprint::PrintSpec;
use crate::normalize::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Customers,
    Orders,
    OrderItems,
    Payments,
    Reviews,
    Patients,
    Appointments,
}

pub const ALL: [Entity; 7] = [
    Entity::Customers,
    Entity::Orders,
    Entity::OrderItems,
    Entity::Payments,
    Entity::Reviews,
    Entity::Patients,
    Entity::Appointments,
];

impl Entity {
    pub fn name(self) -> &'static str {
        match self {
            Entity::Customers => "customers",
            Entity::Orders => "orders",
            Entity::OrderItems => "order_items",
            Entity::Payments => "payments",
            Entity::Reviews => "reviews",
            Entity::Patients => "patients",
            Entity::Appointments => "appointments",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        ALL.into_iter().find(|e| e.name() == s)
    }

    /// Data columns, in output order (the marker column comes last when enabled).
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Entity::Customers => &[
                "customer_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "street",
                "city",
                "region",
                "postcode",
                "country",
                "date_of_birth",
                "created_at",
            ],
            Entity::Orders => &[
                "order_id",
                "customer_id",
                "created_at",
                "status",
                "currency",
                "items",
                "subtotal",
                "tax",
                "shipping",
                "grand_total",
            ],
            Entity::OrderItems => &[
                "item_id",
                "order_id",
                "sku",
                "name",
                "qty",
                "price",
                "row_total",
            ],
            Entity::Payments => &[
                "payment_id",
                "order_id",
                "method",
                "card_brand",
                "card_number",
                "card_last4",
                "amount",
                "currency",
                "status",
                "transaction_id",
                "created_at",
            ],
            Entity::Reviews => &[
                "review_id",
                "sku",
                "customer_id",
                "rating",
                "title",
                "text",
                "created_at",
            ],
            Entity::Patients => &[
                "patient_id",
                "first_name",
                "last_name",
                "sex",
                "date_of_birth",
                "email",
                "phone",
                "postcode",
                "primary_icd10",
                "medication",
                "allergies",
                "member_id",
                "created_at",
            ],
            Entity::Appointments => &[
                "appointment_id",
                "patient_id",
                "clinician",
                "specialty",
                "scheduled_at",
                "duration_min",
                "mode",
                "reason_icd10",
                "status",
            ],
        }
    }

    /// How rows are fingerprinted: identifying columns and the sets of them that
    /// each make a fingerprint (see [`PrintSpec`]). Each set identifies a generated
    /// row by itself; together they survive dropping or renaming any two identifying
    /// columns for customers, patients and payments, and any two but the time for
    /// orders, reviews and appointments (without it, every other column is needed).
    pub const fn prints(self) -> PrintSpec {
        use Kind::*;
        match self {
            Entity::Customers => CUSTOMER_PRINTS,
            Entity::Patients => PrintSpec {
                roles: &[
                    ("email", Email),
                    ("member_id", Id),
                    ("phone", Phone),
                    ("date_of_birth", Time),
                ],
                sets: &[&[0], &[1], &[2, 3]],
            },
            Entity::Orders => ORDER_PRINTS,
            Entity::OrderItems => ITEM_PRINTS,
            Entity::Payments => PAYMENT_PRINTS,
            Entity::Reviews => PrintSpec {
                roles: &[
                    ("review_id", Id),
                    ("customer_id", Id),
                    ("created_at", Time),
                    ("text", Text),
                ],
                sets: &[&[2, 0], &[2, 1], &[0, 1, 3]],
            },
            Entity::Appointments => PrintSpec {
                roles: &[
                    ("appointment_id", Id),
                    ("patient_id", Id),
                    ("scheduled_at", Time),
                    ("clinician", Text),
                ],
                sets: &[&[2, 0], &[2, 1], &[0, 1, 3]],
            },
        }
    }
}

pub const CUSTOMER_PRINTS: PrintSpec = PrintSpec {
    roles: &[
        ("email", Kind::Email),
        ("phone", Kind::Phone),
        ("street", Kind::Text),
        ("date_of_birth", Kind::Time),
    ],
    sets: &[&[0], &[1, 2], &[1, 3], &[2, 3]],
};

pub const ORDER_PRINTS: PrintSpec = PrintSpec {
    roles: &[
        ("order_id", Kind::Id),
        ("customer_id", Kind::Id),
        ("created_at", Kind::Time),
        ("grand_total", Kind::Number),
        ("subtotal", Kind::Number),
    ],
    sets: &[&[2, 0], &[2, 1], &[2, 3], &[0, 1, 3, 4]],
};

pub const ITEM_PRINTS: PrintSpec = PrintSpec {
    roles: &[
        ("item_id", Kind::Id),
        ("order_id", Kind::Id),
        ("sku", Kind::Id),
        ("row_total", Kind::Number),
    ],
    sets: &[&[0, 1, 2, 3]],
};

pub const PAYMENT_PRINTS: PrintSpec = PrintSpec {
    roles: &[
        ("transaction_id", Kind::Id),
        ("order_id", Kind::Id),
        ("amount", Kind::Number),
        ("created_at", Kind::Time),
        ("card_last4", Kind::Id),
    ],
    sets: &[&[0], &[1, 3], &[3, 2], &[1, 2, 4]],
};
