//! The event catalogue: every event type synthgov writes itself, with who writes it,
//! which projection it updates and how a SIEM should weigh it.
//!
//! This is the one list. The types an outside caller may not append (everything in a
//! namespace of this catalogue, see [`is_reserved`]), the SIEM severity
//! ([`EventType::severity`]) and the audit pack's evidence readers
//! ([`EventType::is_disclosure_evidence`]) are derived from it. docs/EVENTS.md
//! documents it; a test keeps the two in step.
//!
//! Events reported from outside (store integrations, `POST /v1/events`,
//! `synthgov ledger append`) live in namespaces the catalogue never uses, such as
//! `magento.*`, `shopify.*` or `ext.*`.

use serde::{Deserialize, Serialize};

/// The projection table an event type updates (what `verify` replays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// `inventory_objects`, kind named by the event's namespace.
    Inventory,
    /// `inventory_objects` kind `token`.
    Tokens,
    /// `inventory_objects` kind `incident`.
    Incidents,
    Assets,
    DatasetVersions,
    SystemTraining,
    Flags,
    Fingerprints,
    /// `inventory_objects` kinds `assessment` and `approval`, one per system.
    Assessments,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Inventory => "inventory_objects",
            Table::Tokens => "tokens",
            Table::Incidents => "incidents",
            Table::Assets => "assets",
            Table::DatasetVersions => "dataset_versions",
            Table::SystemTraining => "system_training",
            Table::Flags => "flags",
            Table::Fingerprints => "fingerprints",
            Table::Assessments => "assessments",
        }
    }
}

/// How a SIEM should weigh an event (syslog severity, RFC 5424 table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 4: denials, refusals, the kill switch, incidents, tampering.
    Warning,
    /// 5: everything else.
    Notice,
    /// 2: the store's projections disagree with the log.
    Critical,
}

impl Severity {
    /// The RFC 5424 severity number.
    pub fn syslog(self) -> u8 {
        match self {
            Severity::Critical => 2,
            Severity::Warning => 4,
            Severity::Notice => 5,
        }
    }
}

macro_rules! catalogue {
    ($( $variant:ident = $name:literal, $producer:literal, $table:expr, $severity:ident, $readers:literal; )*) => {
        /// Every event type synthgov writes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum EventType { $( #[serde(rename = $name)] $variant, )* }

        impl EventType {
            /// The whole catalogue, in documentation order.
            pub const ALL: &'static [EventType] = &[ $( EventType::$variant, )* ];

            /// The dotted type written in the ledger entry.
            pub fn name(self) -> &'static str {
                match self { $( EventType::$variant => $name, )* }
            }

            /// What writes it.
            pub fn producer(self) -> &'static str {
                match self { $( EventType::$variant => $producer, )* }
            }

            /// The projection it updates, if any.
            pub fn table(self) -> Option<Table> {
                match self { $( EventType::$variant => $table, )* }
            }

            fn base_severity(self) -> Severity {
                match self { $( EventType::$variant => Severity::$severity, )* }
            }

            /// Who reads it.
            pub fn readers(self) -> &'static str {
                match self { $( EventType::$variant => $readers, )* }
            }
        }
    };
}

catalogue! {
    StoreConfigured = "store.configured", "apply", Some(Table::Inventory), Notice, "classify, audit pack";
    StoreRemoved = "store.removed", "apply --prune", Some(Table::Inventory), Notice, "classify, audit pack";
    SourceRegistered = "source.registered", "apply", Some(Table::Inventory), Notice, "lineage, classify, audit pack";
    SourceUpdated = "source.updated", "apply", Some(Table::Inventory), Notice, "lineage, classify, audit pack";
    SourceRemoved = "source.removed", "apply --prune", Some(Table::Inventory), Notice, "lineage, classify";
    VendorRegistered = "vendor.registered", "apply", Some(Table::Inventory), Notice, "classify, scan governance";
    VendorUpdated = "vendor.updated", "apply", Some(Table::Inventory), Notice, "classify, scan governance";
    VendorRemoved = "vendor.removed", "apply --prune", Some(Table::Inventory), Notice, "classify";
    GeneratorRegistered = "generator.registered", "apply, generate (built-in generators)", Some(Table::Inventory), Notice, "lineage, classify, model cards";
    GeneratorUpdated = "generator.updated", "apply", Some(Table::Inventory), Notice, "lineage, classify, model cards";
    GeneratorRemoved = "generator.removed", "apply --prune", Some(Table::Inventory), Notice, "lineage";
    DatasetRegistered = "dataset.registered", "apply, generate", Some(Table::Inventory), Notice, "lineage, classify, segregation";
    DatasetUpdated = "dataset.updated", "apply", Some(Table::Inventory), Notice, "lineage, classify, segregation";
    DatasetRemoved = "dataset.removed", "apply --prune", Some(Table::Inventory), Notice, "lineage";
    SystemRegistered = "system.registered", "apply", Some(Table::Inventory), Notice, "classify, audit pack";
    SystemUpdated = "system.updated", "apply", Some(Table::Inventory), Notice, "classify, audit pack";
    SystemRemoved = "system.removed", "apply --prune", Some(Table::Inventory), Notice, "classify";
    SystemTrainingRecorded = "system.training_recorded", "apply", Some(Table::SystemTraining), Notice, "lineage, retrain findings";
    AssetRegistered = "asset.registered", "register, POST /v1/assets, import, disclose image", Some(Table::Assets), Notice, "scan, disclose, verify-media, GET /v1/assets";
    AssetUpdated = "asset.updated", "register, POST /v1/assets, import", Some(Table::Assets), Notice, "scan, disclose, verify-media";
    DatasetVersionCreated = "dataset.version_created", "register --dataset, generate", Some(Table::DatasetVersions), Notice, "lineage, OpenLineage, audit pack";
    DatasetFingerprinted = "dataset.fingerprinted", "generate", Some(Table::Fingerprints), Notice, "detect";
    FingerprintLost = "dataset.fingerprint_lost", "rebuild (a filter the log could not confirm)", Some(Table::Fingerprints), Warning, "detect, operators";
    GenerationCompleted = "generation.completed", "generate, POST /v1/generate", None, Notice, "audit pack, OpenLineage";
    GenerationRefused = "generation.refused", "generate (kill switch)", None, Warning, "audit pack, SIEM";
    ModelFitted = "model.fitted", "fit", None, Notice, "audit pack, model cards";
    QualityMeasured = "quality.measured", "quality", None, Notice, "audit pack";
    ScanCompleted = "scan.completed", "scan", None, Notice, "audit pack, GET /v1/findings, dashboard";
    DisclosureApplied = "disclosure.applied", "disclose html, disclose image", None, Notice, "audit pack (disclosed share)";
    DisclosurePlatformApplied = "disclosure.platform_applied", "disclose magento|shopify --apply", None, Notice, "audit pack (disclosed share)";
    FlagChanged = "flag.changed", "flags set, PUT /v1/flags", Some(Table::Flags), Notice, "generate, serve, audit pack";
    TokenCreated = "token.created", "token create, POST /v1/tokens", Some(Table::Tokens), Notice, "serve (authentication)";
    TokenRevoked = "token.revoked", "token revoke", Some(Table::Tokens), Warning, "serve (authentication)";
    AccessDenied = "access.denied", "the write path, serve", None, Warning, "SIEM, audit pack";
    EventRefused = "ingest.refused", "ledger append, POST /v1/events", None, Warning, "SIEM";
    IntegrityViolation = "integrity.violation", "serve (row checked against its ledger entry)", None, Critical, "SIEM, operators";
    IncidentOpened = "incident.opened", "incident open", Some(Table::Incidents), Warning, "incident clocks, audit pack";
    IncidentUpdated = "incident.updated", "incident update", Some(Table::Incidents), Warning, "incident clocks, audit pack";
    IncidentClosed = "incident.closed", "incident close", Some(Table::Incidents), Warning, "incident clocks, audit pack";
    AssessmentRecorded = "assessment.recorded", "assess", Some(Table::Assessments), Notice, "classify, scan governance, audit pack";
    AssessmentApproved = "assessment.approved", "approve", Some(Table::Assessments), Notice, "classify, scan governance, audit pack";
    AuditPackWritten = "audit.pack_written", "audit-pack", None, Notice, "audit pack (previous packs)";
}

impl EventType {
    /// The catalogue type named `name`.
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// The namespace: what comes before the first dot.
    pub fn namespace(self) -> &'static str {
        self.name().split('.').next().unwrap_or("")
    }

    /// The inventory kind a declaration event projects into (`source.registered` ->
    /// `source`).
    pub fn inventory_kind(self) -> Option<&'static str> {
        (self.table() == Some(Table::Inventory)).then(|| self.namespace())
    }

    /// The syslog severity, which for a flag change depends on the flag: turning the
    /// kill switch (or any flag) is what a SOC wants to see.
    pub fn severity(self, data: &serde_json::Value) -> Severity {
        match self {
            EventType::FlagChanged
                if data["flag"] == "generation" || data["flag"] == "audit_mode" =>
            {
                Severity::Warning
            }
            t => t.base_severity(),
        }
    }

    /// Events that make an asset count as disclosed in the audit pack: only
    /// synthgov's own disclosure runs.
    pub fn is_disclosure_evidence(self) -> bool {
        matches!(
            self,
            EventType::DisclosureApplied | EventType::DisclosurePlatformApplied
        )
    }

    /// The inventory declaration events of `kind` (`registered`/`configured`,
    /// `updated`, `removed`).
    pub fn declaration(kind: &str, change: DeclarationChange) -> Option<EventType> {
        let name = match (kind, change) {
            ("store", DeclarationChange::Removed) => "store.removed".to_owned(),
            ("store", _) => "store.configured".to_owned(),
            (k, DeclarationChange::Created) => format!("{k}.registered"),
            (k, DeclarationChange::Updated) => format!("{k}.updated"),
            (k, DeclarationChange::Removed) => format!("{k}.removed"),
        };
        EventType::from_name(&name)
    }
}

/// Which declaration event an inventory change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclarationChange {
    Created,
    Updated,
    Removed,
}

/// The namespaces synthgov writes in, sorted: an outside caller may not use them.
pub fn reserved_namespaces() -> &'static [&'static str] {
    static NAMESPACES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMESPACES.get_or_init(|| {
        let mut v: Vec<&str> = EventType::ALL.iter().map(|t| t.namespace()).collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// Whether `kind` is in a namespace of the catalogue (and so only synthgov's own
/// write paths may append it). Returns the namespace. Called for every line of a
/// bulk append, so a binary search over the sorted namespaces.
pub fn is_reserved(kind: &str) -> Option<&'static str> {
    let ns = kind.split('.').next().unwrap_or(kind);
    let all = reserved_namespaces();
    all.binary_search(&ns).ok().map(|i| all[i])
}

/// The catalogue as a Markdown table (docs/EVENTS.md holds this).
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| type | producer | projection | severity | read by |\n|---|---|---|---|---|\n",
    );
    for t in EventType::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            t.name(),
            t.producer(),
            t.table().map_or("-", Table::as_str),
            match t.base_severity() {
                Severity::Critical => "critical",
                Severity::Warning => "warning",
                Severity::Notice => "notice",
            },
            t.readers()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid() {
        let mut names: Vec<&str> = EventType::ALL.iter().map(|t| t.name()).collect();
        for n in &names {
            synthgov_core::event::validate_type(n).unwrap();
            assert_eq!(EventType::from_name(n).map(|t| t.name()), Some(*n));
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn reserved_covers_every_catalogue_namespace_and_not_integrations() {
        assert_eq!(is_reserved("disclosure.applied"), Some("disclosure"));
        assert_eq!(is_reserved("model.fitted"), Some("model"));
        assert_eq!(is_reserved("asset.registered"), Some("asset"));
        assert_eq!(is_reserved("asset.anything_else"), Some("asset"));
        assert_eq!(is_reserved("magento.product_saved"), None);
        assert_eq!(is_reserved("shopify.products_update"), None);
        assert_eq!(is_reserved("ext.thing"), None);
    }

    #[test]
    fn flag_changes_of_the_kill_switch_are_warnings() {
        let t = EventType::FlagChanged;
        assert_eq!(
            t.severity(&serde_json::json!({"flag": "generation"})),
            Severity::Warning
        );
        assert_eq!(
            t.severity(&serde_json::json!({"flag": "other"})),
            Severity::Notice
        );
    }

    #[test]
    fn docs_events_md_lists_the_catalogue() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/EVENTS.md"))
                .expect("docs/EVENTS.md");
        assert!(
            doc.contains(&markdown_table()),
            "docs/EVENTS.md is out of date: paste `synthgov events --markdown` into it"
        );
    }
}
