//! Command-line options (clap derive). Values here are only parsed; the commands turn
//! them into library calls.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// synthgov governs synthetic data and AI-generated content in Magento 2 / Adobe
/// Commerce and Shopify Plus stores. Every governance fact is an event in one
/// append-only, tamper-evident ledger (RFC 9162 Merkle tree, C2SP signed checkpoints)
/// that an auditor can verify without trusting you.
///
/// Exit codes: 0 success; 1 a check failed (verification, policy, findings);
/// 2 bad usage or bad input; 3 environment or internal error.
#[derive(Debug, Parser)]
#[command(
    name = "synthgov",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Home folder holding synthgov.toml, synthgov.db and keys/
    /// [default: $SYNTHGOV_HOME, else ./.synthgov]
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Keep the store in PostgreSQL (postgres://user@host:5432/db; add
    /// ?options=-csearch_path%3Dschema for a schema) instead of the home's SQLite
    /// file. Servers that share one database share one log. `init` remembers it in
    /// synthgov.toml ([store] url); keys and config stay in the home folder
    /// [env: SYNTHGOV_DATABASE]
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Hide progress bars.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the home folder: config, store (SQLite file, or PostgreSQL with
    /// --database), Ed25519 ledger key, store id.
    ///
    /// Safe to run again: it creates only what is missing and never replaces a key.
    Init,

    /// Append to, read and prove the ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),

    /// Check the whole ledger and every table built from it.
    ///
    /// Recomputes every leaf hash from the stored bytes, rebuilds the Merkle tree,
    /// checks each saved checkpoint's signature and root, and with --checkpoint that a
    /// checkpoint you kept earlier is a prefix of today's log. Then replays the log
    /// and compares every projection table (inventory, tokens, incidents, flags,
    /// assets, dataset versions, system training, fingerprints) with the replay.
    /// Exit 0 and "ok" when all holds; exit 1 naming the first bad entry index when
    /// anything was changed, removed, reordered or inserted behind the ledger's back,
    /// or naming the table, key and ledger index of every row that disagrees with the
    /// log (an edited token, a flipped flag, a deleted dataset version).
    Verify {
        /// A checkpoint note you kept earlier (from `synthgov ledger checkpoint`).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Check the log only (hashes, tree, checkpoints), not the projection tables.
        #[arg(long)]
        log_only: bool,
    },

    /// Recreate every projection table from the ledger, in one transaction.
    ///
    /// For a store whose tables were edited behind synthgov's back (`synthgov verify`
    /// names them): the log is verified first and nothing is written unless it holds.
    /// Fingerprint filters are kept where the log's hash confirms them (the log holds
    /// their hash, not their bytes). `synthgov verify` passes afterwards.
    Rebuild,

    /// Print the event catalogue: every event type synthgov writes, its producer,
    /// the projection it updates and its SIEM severity (docs/EVENTS.md).
    Events {
        /// As the Markdown table of docs/EVENTS.md.
        #[arg(long)]
        markdown: bool,
    },

    /// Make the inventory match a declared YAML file (sources, generators, datasets,
    /// systems, vendors), recording every change in the ledger.
    ///
    /// Shows what changes; applying an unchanged file adds no events. Objects in the
    /// registry that the file does not declare are listed, and removed with --prune.
    /// A typo'd field or a reference to an undeclared id is exit 2 naming the line.
    Apply {
        /// The inventory file (YAML, see shared/spec/inventory.md).
        file: PathBuf,
        /// Show the changes without recording them.
        #[arg(long)]
        dry_run: bool,
        /// Remove registry objects the file does not declare.
        #[arg(long)]
        prune: bool,
    },

    /// Record content files (images, descriptions, datasets) as AI-generated assets.
    ///
    /// Files are hashed in parallel (a text asset by its normalized text); a folder is
    /// walked; unchanged content adds nothing. With --dataset the files' content is a
    /// dataset version: new content makes a new version linked to the previous one.
    Register {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The generator that made them (an id from the inventory).
        #[arg(long)]
        generator: String,
        /// The synthetic dataset they form (an id from the inventory).
        #[arg(long)]
        dataset: Option<String>,
        /// Where they are used (storefront, checkout, patient-portal, ...).
        #[arg(long)]
        surface: Option<String>,
        /// Asset kind [default: from the file extension]
        #[arg(long, value_parser = ["image", "text", "tabular", "document"])]
        kind: Option<String>,
    },

    /// Show the inventory: store, sources, generators, datasets (with versions),
    /// systems (with the dataset versions they were trained on), vendors, assets.
    Inventory,

    /// Classify AI systems under the EU AI Act, GDPR, HIPAA, the FTC Health Breach
    /// Notification Rule and NIST AI RMF: tier, role, every obligation with the date it
    /// applies from, the assessment's state, and the rule ids and reasons behind it.
    ///
    /// Rules: rules/classification.yaml (shipped; `[classification] rules` in
    /// synthgov.toml extends it). Dates: rules/dates.yaml (`[classification] dates`).
    Classify {
        /// Only this system.
        system: Option<String>,
        /// Judge obligations on this day instead of today (YYYY-MM-DD): which are in
        /// force, which are still ahead.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Show what the current rules change against each system's last recorded
        /// assessment (tier, basis, role, flags, obligations, findings).
        #[arg(long)]
        diff: bool,
        /// List the facts rules may test (per system, source, vendor, generator) and
        /// exit.
        #[arg(long, conflicts_with_all = ["diff", "system"])]
        facts: bool,
        /// List the application dates in force with their legal sources, and exit.
        #[arg(long, conflicts_with_all = ["diff", "system", "facts"])]
        dates: bool,
    },

    /// Assess an AI system: answer the intake questions (role, Art. 5 practices,
    /// Annex III point, Art. 6(3) grounds, profiling, MDR Rule 11 class and notified
    /// body, data categories, people affected, deepfakes, public-interest text), record
    /// them with the outcome as an `assessment.recorded` event, and print the outcome.
    ///
    /// Without --answers, asks each question on the terminal, offering what the
    /// inventory already says. An answer fills an inventory field only where the
    /// inventory is silent. A high-risk system needs a current, approved assessment
    /// (`synthgov approve`); a later change of its model, a dataset version, a vendor
    /// or the rules makes it due again (SG-GOV-016).
    Assess {
        system: String,
        /// Answers as YAML or JSON: {role: deployer, practices: [], profiles_people:
        /// false, medical_device: {rule11_class: IIa, notified_body: true}, ...}.
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// Who assesses [default: $SYNTHGOV_ACTOR, else cli:$USER].
        #[arg(long, value_name = "NAME")]
        assessor: Option<String>,
        /// Judge obligations on this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },

    /// Approve a system's latest assessment (compliance or admin): recorded as
    /// `assessment.approved`. Refused when the assessment leaves required questions
    /// unanswered or is out of date.
    Approve {
        system: String,
        /// Why it is approved (recorded).
        #[arg(long)]
        reason: String,
        /// Who approves [default: $SYNTHGOV_ACTOR, else cli:$USER].
        #[arg(long, value_name = "NAME")]
        approver: Option<String>,
    },

    /// Show the lineage upstream and downstream of an id or asset hash.
    ///
    /// IDs: a bare id (unique across kinds), kind:id (source:orders-2025), a dataset
    /// version (synthetic-orders@2), or an asset's SHA-256.
    Lineage {
        id: String,
        /// Output format.
        #[arg(long, default_value = "json", value_parser = ["json", "dot", "mermaid", "openlineage"])]
        format: String,
    },

    /// Import a store's catalog: product descriptions and images, with the store's own
    /// AI-generated marks, recorded as assets in the inventory.
    #[command(subcommand)]
    Import(ImportCommand),

    /// Generate synthetic e-commerce or telehealth data, governed and marked.
    ///
    /// ENTITY: customers, orders, order_items, payments, reviews, patients,
    /// appointments, or `store` (all of them into the folder --out, with referential
    /// integrity). Safe by construction: emails at reserved domains, fiction phone
    /// ranges, processor test card numbers. Same seed, same bytes. Refused (exit 1)
    /// while the `generation` flag is off. Every run is a `generation.completed` ledger
    /// event and a new dataset version; rows carry a keyed marker column and the
    /// dataset's fingerprints are kept so leaked rows can be found (`synthgov detect`).
    Generate(GenerateArgs),

    /// Fit a generator to a sample: column types, marginals, Gaussian copula.
    ///
    /// The model never contains a raw row; categories seen fewer than --min-count
    /// times are merged into "(other)". Prints {"model", "columns", "rows_seen"}.
    ///
    /// With --child and --foreign-key, a second table whose rows reference the
    /// sample's (orders of customers) is fitted too, keeping how many children each
    /// parent has and how that depends on the parent's columns; `generate --model`
    /// then writes both tables.
    ///
    /// Examples:
    ///   synthgov fit customers.csv --out customers.model.json
    ///   synthgov fit customers.csv --child orders.csv --foreign-key customer_id --out shop.model.json
    ///   synthgov generate --model shop.model.json --rows 10000 --out out/customers.csv   # also out/customers-orders.csv
    Fit {
        /// The sample (CSV with a header).
        sample: PathBuf,
        #[arg(long, value_name = "MODEL.json")]
        out: PathBuf,
        /// Model id [default: the sample's file stem].
        #[arg(long)]
        id: Option<String>,
        /// Rarer categories are not reproduced verbatim.
        #[arg(long, default_value_t = 5)]
        min_count: u64,
        /// SDMetrics single-table metadata JSON fixing column types.
        #[arg(long, value_name = "JSON")]
        metadata: Option<PathBuf>,
        /// A child table (CSV) whose rows reference the sample's rows.
        #[arg(long, value_name = "CSV", requires = "foreign_key")]
        child: Option<PathBuf>,
        /// The child's column holding the parent's key.
        #[arg(long, value_name = "COLUMN", requires = "child")]
        foreign_key: Option<String>,
        /// The sample's id column the foreign key refers to [default: the foreign
        /// key's name].
        #[arg(long, value_name = "COLUMN", requires = "child")]
        parent_key: Option<String>,
        /// SDMetrics metadata JSON fixing the child's column types.
        #[arg(long, value_name = "JSON", requires = "child")]
        child_metadata: Option<PathBuf>,
    },

    /// Measure a synthetic table against the real one: fidelity (SDMetrics'
    /// QualityReport definitions), privacy (exact matches, distance to closest record,
    /// nearest-neighbour ratio) and bias (sensitive groups, real vs synthetic).
    Quality(QualityArgs),

    /// Find generated rows in files (CSV or JSONL): by marker, or by fingerprint when
    /// the marker column was dropped.
    Detect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },

    /// Run the governance service: the HTTP API of shared/spec/api.md, Cedar access
    /// control, the log as tlog tiles under /tlog/.
    ///
    /// Every endpoint except /healthz, /openapi.json and /tlog/ needs a bearer token
    /// (`synthgov token create --role admin --name me`). Ctrl-C (or SIGTERM) stops
    /// accepting requests and lets those in flight finish.
    ///
    /// Examples:
    ///   synthgov serve                                  # 127.0.0.1:8417
    ///   synthgov serve --addr 0.0.0.0:8417 --policies my-policies.cedar
    ///   synthgov serve --tls-cert cert.pem --tls-key key.pem
    ///   curl -H "Authorization: Bearer $TOKEN" localhost:8417/v1/flags
    Serve(ServeArgs),

    /// Create, list and revoke the server's bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),

    /// Check Cedar policy files against synthgov's schema.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Forward the ledger to SIEMs (syslog RFC 5424 / CEF, OCSF), or show how far
    /// each sink has got.
    ///
    /// Sinks are `[[siem.sinks]]` in synthgov.toml (see docs/SERVER.md); `serve`
    /// forwards continuously, `siem forward` does the same without the API (cron,
    /// systemd), `siem forward --once` catches up and exits. Each sink keeps a
    /// durable cursor: nothing is lost while a SIEM is down.
    ///
    /// Examples:
    ///   synthgov siem status
    ///   synthgov siem forward --once --sink soc
    #[command(subcommand)]
    Siem(SiemCommand),

    /// Show feature flags, or set one: `synthgov flags set generation off`.
    Flags {
        #[command(subcommand)]
        command: Option<FlagsCommand>,
    },

    /// Scan for compliance findings: the CI gate.
    ///
    /// Storefronts (saved pages or a live store), Magento and Shopify catalogs,
    /// production tables and files (synthetic rows that leaked), transport settings
    /// and the inventory's governance. Exit 1 when a finding is at or above
    /// --fail-on (default high), else 0. Every scan appends a `scan.completed` ledger
    /// event with the counts and the SHA-256 of the full JSON report.
    ///
    /// Examples:
    ///   synthgov scan storefront ./saved-pages --format sarif --output scan.sarif
    ///   synthgov scan segregation postgres://app@db/shop --table sales_order
    ///   synthgov scan all --config synthgov.toml --fail-on medium
    #[command(subcommand, verbatim_doc_comment)]
    Scan(ScanCommand),

    /// List the scan rule catalog: ids, severities, regulations, remediation.
    Rules,

    /// Write an audit pack: a folder an auditor verifies offline.
    ///
    /// index.html (printable report: scope, inventory, classification matrix, findings,
    /// incidents, vendor attestations, quality, provenance completeness), model-cards/,
    /// diagrams/data-flow.svg, inventory.json, findings.json and .sarif,
    /// oscal/assessment-results.json, lineage.openlineage.json, incidents.json,
    /// ledger/checkpoint + ledger/proofs.json (an inclusion proof for every ledger entry
    /// the pack cites) + ledger/key, and MANIFEST: a signed note listing every file's
    /// SHA-256 (`sha256sum -c` reads its lines). Runs the governance scan first (a
    /// `scan.completed` event); add other recorded scan reports with --report.
    ///
    /// Examples:
    ///   synthgov audit-pack --out pack-2026-Q3 --period 2026-Q3 --zip
    ///   synthgov scan all --format json -o scan.json; synthgov audit-pack --out p --report scan.json
    #[command(verbatim_doc_comment)]
    AuditPack(AuditPackArgs),

    /// Check an audit pack offline: signature, hashes, checkpoint, every proof.
    ///
    /// Needs no store: the manifest's signature (with --key, or the pack's own
    /// ledger/key, which proves integrity but not origin), every file's SHA-256, no file
    /// missing or added, the checkpoint's signature, every inclusion proof in
    /// ledger/proofs.json, and that every ledger entry the reports cite is proved. With
    /// --live, also that the pack's checkpoint is consistent with today's log in the
    /// home folder's store. Accepts the folder or its .zip. Exit 0, or 1 naming each
    /// file or entry that does not hold.
    VerifyPack {
        /// The pack folder (or .zip).
        dir: PathBuf,
        /// The verifier key line (`synthgov ledger key`), pinned by the auditor.
        #[arg(long, value_name = "KEYLINE")]
        key: Option<String>,
        /// Also prove the pack's checkpoint is a prefix of the store's log today.
        #[arg(long)]
        live: bool,
    },

    /// The quarterly audit rehearsal.
    #[command(subcommand)]
    Audit(AuditCommand),

    /// Record incidents and follow their regulatory notification clocks.
    ///
    /// Each kind comes with a playbook (steps, owners, evidence) and the clocks that
    /// apply to it given the jurisdictions and what is affected: GDPR Art. 33 (72 hours
    /// to the supervisory authority) and Art. 34, HIPAA breach notification (60 days;
    /// HHS and media by the number affected), EU AI Act Art. 73 (15, 10 or 2 days).
    /// Clocks run from the detection time. Every change is a ledger event; an overdue
    /// clock is finding SG-GOV-006 in `scan governance`.
    ///
    /// Examples:
    ///   synthgov incident open --kind personal_data_breach --title "Orders export leaked" \
    ///       --jurisdiction FR --personal-data --affected 1200 --detected 2026-11-20T09:30:00Z
    ///   synthgov incident update INC-0001 --notified gdpr-art33=2026-11-22T10:00:00Z
    ///   synthgov incident list --json
    #[command(subcommand, verbatim_doc_comment)]
    Incident(IncidentCommand),

    /// Fix what the scans find: disclose pages, mark images, set store attributes.
    ///
    /// `html`: every element the scanner recognises as synthetic (registered image bytes,
    /// registered AI text, `data-synthetic` without a disclosure) gets
    /// `data-synthetic="true"`, `data-synthetic-asset`, an `aria-describedby` to a
    /// visible note ("AI-generated image") and the disclosure widget (hover and
    /// keyboard focus explain what was generated, by which generator, with a link to
    /// the provenance record); product JSON-LD gets `digitalSourceType`. Idempotent:
    /// a second run changes nothing. Appends a `disclosure.applied` ledger event.
    /// `image`: C2PA content credentials and IPTC marking (see also `verify-media`).
    /// `magento`, `shopify`: the disclosure attributes / metafields in the store.
    ///
    /// Examples:
    ///   synthgov disclose html ./saved-pages --out ./disclosed --mark-images
    ///   synthgov disclose html theme/templates --in-place
    ///   synthgov disclose html page.html --dry-run --json
    #[command(subcommand, verbatim_doc_comment)]
    Disclose(DiscloseCommand),

    /// Read and validate an image's content credentials (C2PA) and IPTC marking.
    ///
    /// Says whether the image is AI-generated, by what, and whether the manifest's
    /// signature and hashes hold. Exit 0 for unmarked or valid, 1 for an invalid
    /// manifest. Images signed by this store's local CA are checked against it as a
    /// trust anchor; add others with --trust-anchors.
    VerifyMedia {
        file: PathBuf,
        /// PEM file of CA certificates to trust.
        #[arg(long, value_name = "PEM")]
        trust_anchors: Option<PathBuf>,
    },

    /// Walk through synthgov on a throwaway store (no service needed), then serve
    /// its dashboard and API until Ctrl-C, printing the URL and an admin token.
    Demo {
        /// Keep the demo store in DIR instead of a temporary folder.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// End after the walk-through instead of serving the dashboard.
        #[arg(long)]
        no_serve: bool,
        /// Where to serve the dashboard (another free port if this one is taken).
        #[arg(long, default_value = "127.0.0.1:8417")]
        addr: std::net::SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Append one event, or many from JSONL (all or nothing).
    ///
    /// One event:   synthgov ledger append --type asset.registered --data '{"sha256":"…"}'
    ///   prints {"index": N, "leaf_hash": "<hex>"}
    ///
    /// Many:        synthgov ledger append --jsonl events.jsonl   (- for stdin)
    ///   each line {"type": …, "data": {…}} with optional "actor", "time", "tenant";
    ///   prints {"appended": K, "first_index": N, "tree_size": S}. One bad line
    ///   appends nothing and the error names its line number.
    ///
    /// Returns only after the entries are durable.
    Append(AppendArgs),

    /// Sign and print a checkpoint of the current tree (C2SP signed note).
    Checkpoint,

    /// Print the verifier key (signed-note vkey) auditors use to check checkpoints.
    Key,

    /// Print one entry: its index, leaf bytes (base64) and leaf hash.
    Entry {
        /// Entry index, from 0.
        index: u64,
    },

    /// List entries in index order.
    List {
        /// Only types with this dotted prefix ("generation" matches "generation.completed").
        #[arg(long = "type", value_name = "PREFIX")]
        type_prefix: Option<String>,
        /// First index to list.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Most entries to list.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },

    /// Inclusion proof (RFC 9162 audit path) of entry N.
    Prove {
        /// Entry index.
        index: u64,
        /// Tree size to prove against [default: current size].
        #[arg(long)]
        size: Option<u64>,
    },

    /// Consistency proof (RFC 9162) that the tree of size M is a prefix of today's.
    Consistency {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size [default: current size].
        #[arg(long)]
        size: Option<u64>,
    },
}

#[derive(Debug, Args)]
pub struct QualityArgs {
    #[arg(long, value_name = "CSV")]
    pub real: PathBuf,
    #[arg(long, value_name = "CSV")]
    pub synthetic: PathBuf,
    /// Real rows held out of training, for the overfitting check.
    #[arg(long, value_name = "CSV")]
    pub holdout: Option<PathBuf>,
    /// SDMetrics single-table metadata JSON fixing column types.
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<PathBuf>,
    /// Sensitive columns for the bias check [default: detected by name].
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// A binary outcome column: report its demographic parity difference across the
    /// sensitive columns in the real and the synthetic data (as fairlearn's).
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// The target's positive value [default: True, true, 1 or yes when present].
    #[arg(long, value_name = "VALUE", requires = "target")]
    pub positive: Option<String>,
    /// Count every column pair in Column Pair Trends. By default pairs count as in
    /// SDMetrics' QualityReport: numerical pairs whose real |Pearson r| > 0.5 and
    /// other pairs whose real Cramér's V > 0.3.
    #[arg(long)]
    pub every_pair: bool,
    /// With --target: write each scored row's outcome and both models' predictions
    /// (CSV), so the equalized-odds figures can be recomputed with other tools.
    #[arg(long, value_name = "CSV", requires = "target")]
    pub predictions: Option<PathBuf>,
    /// Skip anonymeter's singling-out, linkability and inference attacks.
    #[arg(long)]
    pub no_attacks: bool,
    /// Attacks per privacy evaluation (anonymeter's n_attacks).
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub attacks: usize,
    /// Columns a multivariate singling-out query combines (anonymeter's n_cols).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub query_columns: usize,
    /// The linkability attacker's two datasets, as `a,b/c,d` [default: the columns
    /// split in two halves].
    #[arg(long, value_name = "COLS/COLS")]
    pub link_columns: Option<String>,
    /// Secret columns the inference attack guesses [default: each column in turn].
    #[arg(long, value_delimiter = ',', value_name = "COLUMN")]
    pub secret: Vec<String>,
    /// Seed of the attacks and the random baselines: the same seed, the same report.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also write a self-contained HTML report (inline SVG charts).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Record the scores as a `quality.measured` ledger event for this inventory
    /// dataset (its latest version), so audit packs report them.
    #[arg(long, value_name = "ID")]
    pub dataset: Option<String>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// customers | orders | order_items | payments | reviews | patients | appointments,
    /// each a table of its own; or `store`: a whole store whose tables agree (customers,
    /// products, orders, order_items, payments, refunds, reviews, with labelled fraud;
    /// plus patients and appointments), see docs/SYNTH.md.
    #[arg(required_unless_present = "model")]
    pub entity: Option<String>,
    /// Generate from a fitted model (`synthgov fit`) instead of a built-in entity.
    #[arg(long, value_name = "MODEL.json", conflicts_with = "entity")]
    pub model: Option<PathBuf>,
    /// With --model: a real sample to score the output against (recorded in the event).
    #[arg(long, value_name = "CSV", requires = "model")]
    pub reference: Option<PathBuf>,
    /// Rows to generate (for `store`: see --customers).
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (a folder for `store`).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl", "parquet"])]
    pub format: String,
    /// Whose names, addresses, phone ranges, currency and age pyramid: en_US, en_GB,
    /// de_DE, fr_FR or es_ES (docs/SYNTH.md, "People and places").
    #[arg(long, default_value = "en_US", value_parser = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES"])]
    pub locale: String,
    /// Dataset id [default: synthetic-<entity>].
    #[arg(long)]
    pub dataset: Option<String>,
    /// Rows of the referenced table (customers for orders...) [default: rows / 3].
    #[arg(long)]
    pub parents: Option<u64>,
    /// Products to reference: a CSV with sku,name,price columns (e.g. from a catalog export).
    #[arg(long, value_name = "FILE")]
    pub products: Option<PathBuf>,
    /// For `store`: the number of customer accounts (orders, items, payments, refunds,
    /// reviews, patients and appointments follow from it: about 1.7 orders each).
    #[arg(long, default_value_t = 1000)]
    pub customers: u64,
    /// For `store`: the share of orders that are fraudulent, labelled in the orders'
    /// `is_fraud` and `fraud_pattern` columns (card_testing, account_takeover,
    /// friendly_fraud, promotion_abuse, shipping_mismatch, in equal parts).
    #[arg(long, default_value_t = 0.01, value_name = "SHARE")]
    pub fraud_rate: f64,
    /// Name of the marker column.
    #[arg(long, default_value = "synthgov_marker")]
    pub marker_column: String,
    /// Leave out the marker column (fingerprints need it off: they are kept only
    /// with markers on).
    #[arg(long)]
    pub no_marker: bool,
}

#[derive(Debug, Subcommand)]
pub enum FlagsCommand {
    /// Set a flag on or off (a ledger event).
    Set {
        name: String,
        #[arg(value_parser = ["on", "off"])]
        value: String,
        /// Why (recorded with the event).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read a Magento 2 / Adobe Commerce database (MySQL or MariaDB).
    ///
    /// One asset per product description and short description (per store view) and
    /// per gallery image; the AI flag is the product attribute --ai-attribute, read per
    /// store view with the default as fallback.
    Magento {
        /// mysql://USER:PASS@HOST[:PORT]/DB
        #[arg(long, value_name = "URL")]
        db: String,
        /// The store's pub/media folder, to hash gallery images.
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        /// The attribute code that marks AI-generated content.
        #[arg(long, default_value = "ai_generated", value_name = "CODE")]
        ai_attribute: String,
        /// The inventory generator behind the marked content.
        #[arg(long)]
        generator: Option<String>,
    },
    /// Read a Shopify product CSV export or Admin API products JSON.
    ///
    /// Metafields in the namespace `synthgov` mark AI-generated content
    /// (ai_generated, ai_generated_description, ai_generated_images).
    Shopify {
        /// Product CSV export.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "json_file",
            required_unless_present = "json_file"
        )]
        csv: Option<PathBuf>,
        /// Admin API JSON ({"products": [...]}).
        #[arg(long = "json-file", value_name = "FILE")]
        json_file: Option<PathBuf>,
        /// The inventory generator behind the marked content.
        #[arg(long)]
        generator: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AppendArgs {
    /// Event type, dotted lowercase (e.g. asset.registered).
    #[arg(
        long = "type",
        value_name = "TYPE",
        conflicts_with = "jsonl",
        requires = "data"
    )]
    pub kind: Option<String>,
    /// Event data: a JSON object.
    #[arg(long, value_name = "JSON", conflicts_with = "jsonl")]
    pub data: Option<String>,
    /// Who acts [default: $SYNTHGOV_ACTOR, else cli:$USER].
    #[arg(long)]
    pub actor: Option<String>,
    /// Read events from a JSONL file (- for stdin).
    #[arg(long, value_name = "FILE", required_unless_present = "kind")]
    pub jsonl: Option<PathBuf>,
}

/// `import shopify --json FILE` (the contract's spelling; `scan shopify` likewise) reuses the name of the global
/// `--json` output flag: a `--json` there followed by a value is the input file, and is
/// rewritten to `--json-file FILE` before parsing.
pub fn rewrite_args(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let is = |a: &std::ffi::OsString, s: &str| a.to_str() == Some(s);
    let Some(i) = args.iter().position(|a| is(a, "import") || is(a, "scan")) else {
        return args;
    };
    if !args.get(i + 1).is_some_and(|a| is(a, "shopify")) {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    let mut k = 0;
    while k < args.len() {
        let a = &args[k];
        if k > i + 1 && is(a, "--json") {
            if let Some(next) = args
                .get(k + 1)
                .filter(|n| !n.to_string_lossy().starts_with('-'))
            {
                out.push("--json-file".into());
                out.push(next.clone());
                k += 2;
                continue;
            }
        } else if k > i + 1
            && let Some(v) = a.to_str().and_then(|s| s.strip_prefix("--json="))
        {
            out.push("--json-file".into());
            out.push(v.into());
            k += 1;
            continue;
        }
        out.push(a.clone());
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(Into::into).collect()
    }

    #[test]
    fn shopify_json_input_is_told_from_the_output_flag() {
        assert_eq!(
            rewrite_args(v(&[
                "synthgov", "import", "shopify", "--json", "p.json", "--json"
            ])),
            v(&[
                "synthgov",
                "import",
                "shopify",
                "--json-file",
                "p.json",
                "--json"
            ])
        );
        assert_eq!(
            rewrite_args(v(&[
                "synthgov", "import", "shopify", "--csv", "a.csv", "--json"
            ])),
            v(&["synthgov", "import", "shopify", "--csv", "a.csv", "--json"])
        );
        assert_eq!(
            rewrite_args(v(&["synthgov", "ledger", "list", "--json"])),
            v(&["synthgov", "ledger", "list", "--json"])
        );
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

/// Output options every scan takes.
#[derive(Debug, Args, Clone)]
pub struct ScanOutput {
    /// Report format: text (grouped, coloured on a terminal), json (shared/spec/findings.md)
    /// or sarif (SARIF 2.1.0, for GitHub code scanning). --json means --format json.
    #[arg(long, value_parser = ["text", "json", "sarif"])]
    pub format: Option<String>,
    /// Exit 1 when any finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low"])]
    pub fail_on: Option<String>,
    /// Write the report to FILE instead of stdout (a one-line summary still prints).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// SARIF: the repository root file URIs are relative to (declared as SRCROOT)
    /// [default: the git top level of the current folder, else the scanned folder].
    #[arg(long, value_name = "DIR")]
    pub repo_root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Saved pages (a folder) or a live store (a base URL).
    ///
    /// Finds registered synthetic images and AI text shown without disclosure
    /// (SG-DISC-001..005), synthetic images without C2PA / IPTC marking (SG-MARK-001)
    /// and product JSON-LD naming them without digitalSourceType (SG-MARK-002).
    /// Images are read from the folder, relative to each page.
    Storefront {
        /// A folder of saved pages, or http(s)://host/ to crawl (same origin only).
        target: String,
        /// The live store's origin, so absolute image URLs on it are read from the folder.
        #[arg(long, value_name = "URL")]
        origin: Option<String>,
        /// Pages larger than this many bytes are skipped, with a note in the report.
        #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
        max_page_bytes: u64,
        /// The encoding of pages that declare none (no BOM, no meta charset), e.g.
        /// windows-1252. A page that does not decode is reported as a problem.
        #[arg(long, value_name = "LABEL")]
        encoding: Option<String>,
        /// Crawl: stop after this many pages.
        #[arg(long, default_value_t = 500)]
        max_pages: usize,
        /// Crawl: follow links at most this deep from the base URL.
        #[arg(long, default_value_t = 5)]
        max_depth: usize,
        /// Crawl: requests in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Crawl: seconds before a request is abandoned.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        #[command(flatten)]
        out: ScanOutput,
    },
    /// The inventory's governance: SG-GOV-001..018 (classification, assessments,
    /// vendors, transfers, lineage, incidents).
    Governance {
        /// The inventory file the registry was applied from: findings about an
        /// inventory object are then located in it, at the declaration's line (for
        /// SARIF and code review), keeping the object as their logical location.
        #[arg(long, value_name = "FILE")]
        inventory: Option<PathBuf>,
        #[command(flatten)]
        out: ScanOutput,
    },
    /// Synthetic rows in production (SG-SEG-001), real-looking personal data in
    /// synthetic datasets (SG-SEG-002).
    ///
    /// TARGET: postgres://... or mysql://... (every table, or --table), or a CSV,
    /// JSONL or Parquet file, or a folder of them. Rows are found by their marker or,
    /// with the marker column dropped, by the fingerprints of their identifying columns.
    /// Every registered synthetic dataset version file still on disk is also checked
    /// for real-looking personal data (--no-synthetic-check to skip).
    Segregation {
        #[arg(required = true)]
        targets: Vec<String>,
        /// Only these tables (repeatable); default: every table.
        #[arg(long = "table", value_name = "TABLE")]
        tables: Vec<String>,
        /// Skip the check of registered synthetic datasets for real personal data.
        #[arg(long)]
        no_synthetic_check: bool,
        #[command(flatten)]
        out: ScanOutput,
    },
    /// A Magento 2 database: AI-marked products without disclosure, synthetic gallery
    /// images, admin roles that may trigger generation, transport settings (--env).
    Magento {
        /// mysql://USER:PASS@HOST[:PORT]/DB
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// The product attribute that marks AI-generated content.
        #[arg(long, default_value = "ai_generated", value_name = "CODE")]
        ai_attribute: String,
        /// The attribute that holds the disclosure label shown to shoppers.
        #[arg(long, default_value = "ai_disclosure_text", value_name = "CODE")]
        disclosure_attribute: String,
        /// The store's pub/media folder, to hash gallery images.
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        /// app/etc/env.php, for SG-TLS-001/002.
        #[arg(long, value_name = "FILE")]
        env: Option<PathBuf>,
        #[command(flatten)]
        out: ScanOutput,
    },
    /// A Shopify product export (CSV) or Admin API products JSON, with metafields.
    Shopify {
        #[arg(long, value_name = "FILE", conflicts_with = "json_file")]
        csv: Option<PathBuf>,
        #[arg(long = "json-file", value_name = "FILE")]
        json_file: Option<PathBuf>,
        #[command(flatten)]
        out: ScanOutput,
    },
    /// Everything the config's [scan] section names, in one report.
    All {
        /// The config file (default: the home's synthgov.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        out: ScanOutput,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiscloseCommand {
    /// Rewrite saved pages or theme templates (files or folders).
    ///
    /// Template code is never changed: Liquid {{ }} / {% %} (.liquid), PHP <?php ?> /
    /// <?= ?> (.phtml), Twig (.twig), Handlebars (.hbs) and Magento CMS directives
    /// {{...}} (everywhere). Attributes go in before a start tag's `>`; nothing else
    /// in the tag moves. A disclosure that cannot be made that way is reported as
    /// refused and the command exits 3, the rest of the folder still done.
    #[command(group(clap::ArgGroup::new("dest").required(true).args(["out", "in_place", "dry_run"])))]
    Html {
        /// Pages and templates, or folders of them (walked for --ext).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The extensions a folder is walked for [default: html htm xhtml liquid phtml
        /// twig hbs handlebars]; repeat or separate with commas.
        #[arg(long, value_name = "EXT", value_delimiter = ',')]
        ext: Vec<String>,
        /// The encoding of pages that declare none (no BOM, no meta charset), e.g.
        /// windows-1252; a disclosed page is written back in its own encoding.
        #[arg(long, value_name = "LABEL")]
        encoding: Option<String>,
        /// Write the disclosed pages here, with the folder's other files copied beside them.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Rewrite the pages where they are; each changed page's original is kept
        /// beside it with --backup-suffix.
        #[arg(long)]
        in_place: bool,
        #[arg(long, default_value = ".orig", value_name = "SUFFIX")]
        backup_suffix: String,
        /// Report what would change; write nothing and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// The live store's origin, so absolute image URLs on it are read from the folder.
        #[arg(long, value_name = "URL")]
        origin: Option<String>,
        /// Language of the disclosure texts (en, de, fr, es; or set the texts in
        /// synthgov.toml [disclose]).
        #[arg(long)]
        locale: Option<String>,
        /// Pages larger than this many bytes are left alone, with a note.
        #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
        max_page_bytes: u64,
        /// Also mark the folder's registered synthetic images that carry no marking
        /// (C2PA + IPTC, as `disclose image`), in the output folder or in place.
        #[arg(long)]
        mark_images: bool,
    },
    /// Set the disclosure in a Magento store: ai_generated = 1 and ai_disclosure_text.
    ///
    /// Reads the catalog from the database (--db) and plans one change per product
    /// whose AI-generated content (marked by the store or registered in synthgov)
    /// lacks the marker or the disclosure label. Dry run unless --apply; applies
    /// through the REST API (--rest-url, bearer token from --token-env) or, without
    /// it, directly in the database in one transaction. A journal makes an
    /// interrupted run resumable: started again, it skips what was applied.
    ///
    /// Examples:
    ///   synthgov disclose magento --db mysql://m2:***@db/magento
    ///   SYNTHGOV_MAGENTO_TOKEN=... synthgov disclose magento --db mysql://... --rest-url https://shop.example --apply
    #[command(verbatim_doc_comment)]
    Magento {
        /// mysql://USER:PASS@HOST[:PORT]/DB
        #[arg(long, value_name = "URL")]
        db: String,
        /// Apply through Magento's REST API at this base URL instead of the database.
        #[arg(long, value_name = "URL")]
        rest_url: Option<String>,
        /// The environment variable holding the REST bearer token.
        #[arg(long, default_value = "SYNTHGOV_MAGENTO_TOKEN", value_name = "VAR")]
        token_env: String,
        #[arg(long, default_value = "ai_generated", value_name = "CODE")]
        ai_attribute: String,
        #[arg(long, default_value = "ai_disclosure_text", value_name = "CODE")]
        disclosure_attribute: String,
        /// The store's pub/media folder, to recognise registered gallery images.
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        #[command(flatten)]
        apply: WritebackArgs,
    },
    /// Set the disclosure metafields of Shopify products (namespace synthgov).
    ///
    /// Plans from an Admin API products export (--json-file): every product whose
    /// AI-generated content lacks synthgov.ai_generated / synthgov.disclosure. Dry
    /// run unless --apply; applies with the GraphQL metafieldsSet mutation, 12
    /// products per request, retrying on throttling and 5xx, resumable by journal.
    ///
    /// Example:
    ///   SYNTHGOV_SHOPIFY_TOKEN=shpat_... synthgov disclose shopify --json-file products.json --shop https://acme.myshopify.com --apply
    #[command(verbatim_doc_comment)]
    Shopify {
        /// Admin API products JSON ({"products": [...]}).
        #[arg(long, value_name = "FILE")]
        json_file: PathBuf,
        /// https://STORE.myshopify.com
        #[arg(long, value_name = "URL")]
        shop: Option<String>,
        #[arg(long, default_value = "2025-01", value_name = "VERSION")]
        api_version: String,
        /// The full GraphQL endpoint, instead of one made from --shop and --api-version.
        #[arg(long, value_name = "URL")]
        graphql_url: Option<String>,
        /// The environment variable holding the Admin API access token.
        #[arg(long, default_value = "SYNTHGOV_SHOPIFY_TOKEN", value_name = "VAR")]
        token_env: String,
        #[command(flatten)]
        apply: WritebackArgs,
    },
    /// Embed C2PA content credentials and IPTC DigitalSourceType in an image.
    ///
    /// The image must be registered as AI-generated (or name --generator). The
    /// manifest's c2pa.created action carries digitalSourceType
    /// trainedAlgorithmicMedia, the generator as softwareAgent, and the ledger entry
    /// of the asset's registration with a signed checkpoint covering it. Signed with
    /// the store's C2PA certificate (made by `synthgov init`, or configured in
    /// [disclose]). The marked file is registered as a new asset derived from the
    /// original.
    ///
    /// Example:
    ///   synthgov disclose image media/tea.jpg --out media/tea.marked.jpg
    #[command(verbatim_doc_comment)]
    Image {
        /// A JPEG or PNG.
        input: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The generator, when the image is not registered (or to name another).
        #[arg(long, value_name = "ID")]
        generator: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct WritebackArgs {
    /// Make the changes (without it: show the plan, change nothing).
    #[arg(long)]
    pub apply: bool,
    /// The journal of applied changes [default: HOME/journal/PLATFORM-PLAN.jsonl].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// The disclosure text [default: the configured content label, "AI-generated content"].
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// Attempts per request before an item is given up (429 and 5xx are retried).
    #[arg(long, default_value_t = 6)]
    pub attempts: u32,
}

#[derive(Debug, Args)]
pub struct IncidentFacts {
    /// Country or region codes where affected people are (FR, DE, US, US-CA...).
    #[arg(long = "jurisdiction", value_name = "CODE", value_delimiter = ',')]
    pub jurisdictions: Vec<String>,
    /// Personal data of real people is affected.
    #[arg(long)]
    pub personal_data: bool,
    /// Protected health information is affected (implies personal data).
    #[arg(long)]
    pub phi: bool,
    /// The breach is likely to result in a high risk to people (GDPR Art. 34).
    #[arg(long)]
    pub high_risk: bool,
    /// Number of people affected (HIPAA's HHS and media clocks depend on it).
    #[arg(long, value_name = "N")]
    pub affected: Option<u64>,
    /// For serious_incident_high_risk_ai: serious (15 days), widespread (2 days) or
    /// death (10 days), per EU AI Act Art. 73; for medical-device software MDR Art. 87
    /// instead: serious (15 days), widespread = a serious public health threat (2
    /// days), death or serious_deterioration (10 days).
    #[arg(long, value_parser = ["serious", "widespread", "death", "serious_deterioration"])]
    pub ai_severity: Option<String>,
    /// People affected in one jurisdiction, repeatable: US-CA=600 (adds the
    /// jurisdiction; HIPAA media and California clocks count residents per state).
    #[arg(long = "affected-in", value_name = "CODE=N")]
    pub affected_in: Vec<String>,
    /// The store processes this data for another controller (GDPR Art. 33(2): notify
    /// the controller, not the authority).
    #[arg(long)]
    pub processor: bool,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident; prints its clocks and playbook.
    Open {
        /// synthetic_leak_to_production, undisclosed_ai_content, phi_in_synthetic_data,
        /// personal_data_breach, vendor_breach or serious_incident_high_risk_ai.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        /// When the store became aware (RFC 3339) [default: now].
        #[arg(long, value_name = "TIME")]
        detected: Option<String>,
        #[command(flatten)]
        facts: IncidentFacts,
        /// Affected asset (uri), dataset or system ids. A system's tier, role and
        /// device class decide the Art. 73 / MDR Art. 87 routing.
        #[arg(long = "asset", value_name = "URI")]
        assets: Vec<String>,
        #[arg(long = "dataset", value_name = "ID")]
        datasets: Vec<String>,
        #[arg(long = "system", value_name = "ID")]
        systems: Vec<String>,
    },
    /// Record a notification, a note or corrected facts.
    Update {
        id: String,
        /// A notification made: CLOCK or CLOCK=TIME (default now), e.g. gdpr-art33.
        #[arg(long, value_name = "CLOCK[=TIME]")]
        notified: Vec<String>,
        #[arg(long)]
        note: Option<String>,
        /// Corrected detection time (RFC 3339).
        #[arg(long, value_name = "TIME")]
        detected: Option<String>,
        #[command(flatten)]
        facts: IncidentFacts,
        /// Link these AI systems instead (replaces the linked systems).
        #[arg(long = "system", value_name = "ID")]
        systems: Vec<String>,
    },
    /// Close an incident with how it was resolved.
    Close {
        id: String,
        #[arg(long)]
        resolution: String,
    },
    /// List incidents with every deadline and whether it is met.
    List {
        /// Closed incidents too.
        #[arg(long)]
        all: bool,
    },
    /// Show the playbook of a kind (or every kind).
    Playbook { kind: Option<String> },
}

#[derive(Debug, Args)]
pub struct AuditPackArgs {
    /// The folder to write (must not exist, or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The period the activity sections cover: 2026-Q3, 2026-11 or 2026 [default: all].
    #[arg(long)]
    pub period: Option<String>,
    /// Frameworks to report against [default: all four].
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "eu-ai-act,gdpr,nist-ai-rmf,hipaa"
    )]
    pub frameworks: Vec<String>,
    /// Also write DIR.zip.
    #[arg(long)]
    pub zip: bool,
    /// A scan JSON report (`scan ... --format json -o FILE`) to include; its SHA-256
    /// must match a recorded `scan.completed` event, which the pack then cites.
    #[arg(long = "report", value_name = "FILE")]
    pub reports: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Rehearse an audit: the full scan (`scan all`), a random sample of storefront
    /// pages checked for disclosure, provenance completeness, attestation expiries and
    /// open incidents, a score with what to fix first, and the pack.
    Simulate {
        /// Storefront pages to sample.
        #[arg(long, default_value_t = 20)]
        sample: usize,
        /// Seed for the sample [default: random].
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the pack [default: audit-simulation-<date> in the current folder].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8417")]
    pub addr: std::net::SocketAddr,
    /// A Cedar policy file replacing the default policies (checked at start).
    #[arg(long, value_name = "FILE")]
    pub policies: Option<PathBuf>,
    /// Read connections to the store.
    #[arg(long, default_value_t = 4)]
    pub readers: usize,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's PEM private key (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once (only its hash is kept).
    ///
    /// Roles: admin (everything), compliance (read; inventory, assets, flags, incidents, audit
    /// packs), engineer (read; register assets, generate, scan), service (append
    /// events, register assets), auditor (read everything, change nothing).
    Create {
        #[arg(long, value_parser = ["admin", "compliance", "engineer", "service", "auditor"])]
        role: String,
        /// Who or what uses it (recorded on every event it causes).
        #[arg(long)]
        name: String,
        /// Bind the token to one tenant (store or website): it sees and touches only
        /// that tenant's records.
        #[arg(long)]
        tenant: Option<String>,
        /// Expire after this many days, 1 to 36500 [default: never].
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
        expires_in: Option<u32>,
    },
    /// Revoke a token by id (takes effect on every server within a second).
    Revoke { id: String },
    /// List tokens (never the secrets).
    List,
}

#[derive(Debug, Subcommand)]
pub enum SiemCommand {
    /// Each sink, its cursor and how many entries it is behind.
    Status,
    /// Deliver every entry past each sink's cursor; keep following the log unless
    /// --once.
    Forward {
        /// Catch up and exit (exit 3 if a sink cannot be reached).
        #[arg(long)]
        once: bool,
        /// Only this sink.
        #[arg(long)]
        sink: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a Cedar policy file against the schema; exit 1 naming each problem.
    Check { file: PathBuf },
    /// Print the default policies (a starting point for your own file).
    Default,
    /// Print the Cedar schema policies are checked against.
    Schema,
}
