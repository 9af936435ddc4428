//! The built-in entities and their columns (`shared/spec/synth.md`).

use serde::{Deserialize, Serialize};

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

    /// Columns whose values together identify a generated row, for fingerprints.
    pub fn identifying(self) -> &'static [&'static str] {
        match self {
            Entity::Customers | Entity::Patients => &["email"],
            Entity::Orders => &["order_id", "customer_id", "created_at", "grand_total"],
            Entity::OrderItems => &["item_id", "order_id", "sku", "row_total"],
            Entity::Payments => &["transaction_id"],
            Entity::Reviews => &["review_id", "customer_id", "created_at"],
            Entity::Appointments => &["appointment_id", "patient_id", "scheduled_at"],
        }
    }
}
