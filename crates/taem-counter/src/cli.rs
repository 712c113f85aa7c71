//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use uuid::Uuid;

/// The demo shop's name when `demo --shop` is not given.
pub const DEMO_SHOP_NAME: &str = "ร้านกาแฟแต้มดี (Taem Demo Coffee)";

const EXIT_CODES: &str = "Exit codes: 0 done; 1 refused (the message says why and what to do); \
2 a command line that cannot be read; 3 batch or member find --stdin refused some lines; \
141 the reader of the output went away (… | head -1).";
const AWARD_USAGE: &str = "taem-counter award [OPTIONS] --amount <AMOUNT> --bill <BILL> <MEMBER>
       taem-counter award [OPTIONS] --amount <AMOUNT> --preview <MEMBER>";
const AWARD_EXAMPLES: &str = "Examples:
  taem-counter award 081-234-5678 --amount 1250.50 --bill R-1001
  taem-counter award 081-234-5678 --amount 1250.50 --preview";
const REDEEM_EXAMPLES: &str = "Example:
  taem-counter redeem 081-234-5678 --points 100 --reward \"กาแฟฟรี 1 แก้ว\"";
const VOID_EXAMPLES: &str = "Example:
  taem-counter void R-1001 --reason \"ลูกค้าคืนสินค้า\"";
const ADJUST_EXAMPLES: &str = "Examples:
  taem-counter adjust 081-234-5678 --points +50 --reason \"goodwill for a late delivery\"
  taem-counter adjust 081-234-5678 --points -20 --reason \"double award on R-1001\" --counts-toward-tier";
const MEMBER_ADD_EXAMPLES: &str = "Example:
  taem-counter member add --phone 081-234-5678 --first-name สมชาย --last-name ใจดี --birthday 15/08/2530";
const MEMBER_FIND_EXAMPLES: &str = "Examples:
  taem-counter member find 5678          (last 4 digits of the phone)
  taem-counter member find ใจดี --limit 5  (part of a name)";
const IMPORT_EXAMPLES: &str = "Examples:
  taem-counter import members.xlsx --dry-run
  taem-counter import members.csv --branch BKK01 --report import-report.csv";
const EXPORT_EXAMPLES: &str = "Examples:
  taem-counter export members -o members.xlsx
  taem-counter export ledger -o ledger.csv --branch BKK01 --from 01/01/2569 --to 31/01/2569

An existing file is never overwritten without --force (it may be a filled-in template).

A counter enrolled with a server keeps only part of the shop's history: each member's latest
50 points entries from when it enrolled, what it received from the server since, and its own
operations. Its ledger, redemptions and tier-changes are therefore not the shop's whole
history, and a member's ledger sum need not equal their balance (members are complete). The
whole history comes from the server:
  taem-server download ledger --shop SHOP_ID -o ledger.xlsx";

/// A `--data-dir` value. An empty one is refused: a script whose variable is unset
/// (`--data-dir "$DIR"`) would otherwise work on the default replica, another shop's data.
/// (`TAEM_DATA_DIR` is read by `main`, where an empty value counts as unset, as in a shell.)
fn data_dir_value(text: &str) -> Result<PathBuf, String> {
    if text.trim().is_empty() {
        return Err(
            "--data-dir is empty: give the folder of this counter's replica \
                    (e.g. --data-dir ~/.local/share/taem), or leave the option out to use \
                    $TAEM_DATA_DIR or the default folder"
                .into(),
        );
    }
    Ok(PathBuf::from(text))
}

/// Taem counter: look members up and award or redeem points, online or not.
#[derive(Debug, Parser)]
#[command(name = "taem-counter", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Folder of this counter's replica (default: $TAEM_DATA_DIR or ~/.local/share/taem;
    /// an empty TAEM_DATA_DIR counts as unset, an empty --data-dir is refused).
    #[arg(long, global = true, value_parser = data_dir_value)]
    pub data_dir: Option<PathBuf>,
    /// Print JSON instead of text (errors go to stderr as {"error":{"code","message"}}).
    #[arg(long, global = true)]
    pub json: bool,
    /// How long to wait for another program's lock on the replica, in milliseconds: at most
    /// 600000 (10 minutes).
    #[arg(
        long,
        global = true,
        default_value_t = taem_replica::WAIT_FOR_LOCK_MS_DEFAULT,
        value_parser = crate::input::wait_ms
    )]
    pub wait_ms: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty replica for a shop's branch.
    Init {
        /// The shop's name.
        #[arg(long)]
        shop: String,
        /// This counter's branch code, e.g. BKK01.
        #[arg(long)]
        branch: String,
    },
    /// Create a replica holding a generated demo shop (Thai members, branches, bills).
    Demo(DemoArgs),
    /// Write the member template (member-template.csv or .xlsx) for a shop to fill.
    MemberTemplate {
        /// The file to write; its extension (.csv or .xlsx) picks the format.
        #[arg(long, short, default_value = "member-template.xlsx")]
        output: PathBuf,
        /// Header language: th or en.
        #[arg(long, default_value = "th")]
        lang: String,
        /// Overwrite the file when it exists (it may be a template someone filled in).
        #[arg(long)]
        force: bool,
    },
    /// Import members from a filled template (CSV in UTF-8 or Windows-874, or XLSX), at most
    /// 5,000 rows; every bad row is reported and nothing is imported twice.
    #[command(after_help = IMPORT_EXAMPLES)]
    Import {
        /// The file.
        file: PathBuf,
        /// The branch code the members registered at, e.g. BKK01 (default: this counter's
        /// branch).
        #[arg(long)]
        branch: Option<String>,
        /// Also write the report (every row not imported, and why) as CSV to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Check the file only: write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Bulk import for a migrating chain: no row limit, streamed in batches (each batch
        /// is all-or-nothing; running it again skips what was imported).
        #[arg(long)]
        bulk: bool,
    },
    /// Download members, ledger, redemptions or tier-changes as CSV (UTF-8 with BOM) or XLSX.
    #[command(after_help = EXPORT_EXAMPLES)]
    Export {
        /// What: members, ledger, redemptions or tier-changes.
        dataset: String,
        /// The file to write; its extension (.csv or .xlsx) picks the format.
        #[arg(long, short)]
        output: PathBuf,
        /// Only this branch (members: where they registered; entries: where they were made).
        #[arg(long)]
        branch: Option<String>,
        /// From this date (dd/mm/yyyy, B.E. or C.E.; Asia/Bangkok).
        #[arg(long)]
        from: Option<String>,
        /// Up to and including this date.
        #[arg(long)]
        to: Option<String>,
        /// Header and value language: th or en.
        #[arg(long, default_value = "th")]
        lang: String,
        /// Overwrite the file when it exists (it may be a filled-in template or an earlier
        /// download).
        #[arg(long)]
        force: bool,
    },
    /// Show the replica: members, entries, operations waiting to sync.
    Status,
    /// Run SQLite's integrity check on the replica.
    Check,
    /// Members: add, edit, find, show.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Award points for a purchase.
    #[command(after_help = AWARD_EXAMPLES, override_usage = AWARD_USAGE)]
    Award {
        /// The member: phone (any form) or member code.
        member: String,
        /// Purchase amount in baht, e.g. 1250.50.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Bill (receipt) number; a bill earns once. Required, except with --preview.
        #[arg(long, required_unless_present = "preview")]
        bill: Option<String>,
        /// Operation id (UUID) to make a retry safe; minted when absent.
        #[arg(long)]
        op_id: Option<Uuid>,
        /// Only show the points the purchase would earn.
        #[arg(long)]
        preview: bool,
    },
    /// Redeem points for a reward.
    #[command(after_help = REDEEM_EXAMPLES)]
    Redeem {
        /// The member.
        member: String,
        /// Points to spend.
        #[arg(long, allow_hyphen_values = true)]
        points: String,
        /// What the member received.
        #[arg(long)]
        reward: String,
        /// Operation id for a safe retry.
        #[arg(long)]
        op_id: Option<Uuid>,
    },
    /// Void a bill: take back the points it earned.
    #[command(after_help = VOID_EXAMPLES)]
    Void {
        /// The bill number.
        bill: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Operation id for a safe retry.
        #[arg(long)]
        op_id: Option<Uuid>,
    },
    /// A manager's manual adjustment (+ or -) with a reason.
    #[command(after_help = ADJUST_EXAMPLES)]
    Adjust {
        /// The member.
        member: String,
        /// The change, e.g. +50 or -20 (a typographic minus, −20, is read as -20).
        #[arg(long, allow_hyphen_values = true)]
        points: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Count the adjustment toward the member's tier.
        #[arg(long)]
        counts_toward_tier: bool,
        /// Operation id for a safe retry.
        #[arg(long)]
        op_id: Option<Uuid>,
    },
    /// A member's points entries and tier changes, newest first.
    History {
        /// The member.
        member: String,
        /// How many lines: 1 to 1000.
        #[arg(long, default_value_t = 50, value_parser = crate::input::history_limit)]
        limit: usize,
    },
    /// Tier settings and re-evaluation.
    #[command(subcommand)]
    Tiers(TiersCommand),
    /// Point rates.
    #[command(subcommand)]
    Rates(RatesCommand),
    /// Apply operations from standard input, one JSON line each (for POS integrations).
    ///
    /// One JSON object per input line, one JSON answer per output line, e.g.
    /// {"op":"award","member":"0812345678","amount":250,"bill":"B-1"}.
    /// Ops: award, redeem, void, adjust, find, show (fields as the commands' options;
    /// amount and points as JSON numbers or numeric strings).
    ///
    /// Every answer carries "line": the number of the input line it answers, counting every
    /// line (blank lines are skipped and get no answer; a UTF-8 byte order mark at the start
    /// is skipped). A refused line answers {"line":N,"error":{"code","message"}} and the run
    /// goes on.
    ///
    /// Exit code: 0 when every line was applied; 3 when the input ended and one or more
    /// lines were refused (a summary goes to stderr); 1 when the batch could not run at all.
    Batch,
    /// Operations waiting to be sent to the server.
    Outbox {
        /// How many (1 or more).
        #[arg(long, default_value_t = 100, value_parser = crate::input::limit)]
        limit: usize,
    },
    /// Enrol this counter with a central server, using a one-time code from the shop owner;
    /// downloads the shop's members and settings. The --data-dir must be new or empty.
    Enrol {
        /// The server, e.g. http://192.168.1.10:8700.
        url: String,
        /// The enrolment code, e.g. ABCD-EFGH-JKMN.
        code: String,
        /// A name for this counter in the shop's device list.
        #[arg(long, default_value = "counter")]
        device_name: String,
    },
    /// Send waiting operations to the server and fetch the shop's changes.
    Sync {
        /// Keep syncing every --interval seconds until stopped (Ctrl-C).
        #[arg(long)]
        watch: bool,
        /// Seconds between syncs with --watch.
        #[arg(long, default_value_t = 5)]
        interval: u64,
    },
    /// Operations the server rejected (e.g. a bill that already earned at another branch).
    Rejections,
    /// Items for a manager's review: offline redemptions that overdrew, merged members.
    Reviews,
    /// Check a staff member's PIN (works offline); prints their role.
    Signin {
        /// The staff member's name.
        name: String,
        /// The PIN (read from stdin when absent).
        #[arg(long, env = "TAEM_PIN")]
        pin: Option<String>,
    },
    /// The shop's settings on the server (owned by the head office).
    #[command(subcommand)]
    Settings(SettingsCommand),
}

/// `settings` subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print the server's current settings document (JSON).
    Pull,
    /// Replace the shop's settings on the server (owner only, online).
    Push {
        /// A settings document, as `settings pull` prints it.
        #[arg(long)]
        file: std::path::PathBuf,
        /// The owner's staff name.
        #[arg(long)]
        staff: String,
        /// The owner's PIN.
        #[arg(long, env = "TAEM_PIN")]
        pin: String,
    },
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many members.
    #[arg(long, default_value_t = 10_000)]
    pub members: u64,
    /// Seed: the same seed gives the same shop.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Days of bill history.
    #[arg(long, default_value_t = 365)]
    pub history_days: u32,
    /// Average bills per member.
    #[arg(long, default_value_t = 10.0)]
    pub bills_per_member: f64,
    /// The shop's name [default: ร้านกาแฟแต้มดี (Taem Demo Coffee)].
    // clap would print this default as Rust source ("ร\u{e49}าน…"), so the help says it.
    #[arg(long, default_value = DEMO_SHOP_NAME, hide_default_value = true)]
    pub shop: String,
}

/// Profile fields; each given field is set, an empty value clears an optional field.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// First name (required when adding).
    #[arg(long)]
    pub first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    pub last_name: Option<String>,
    /// Birthday, dd/mm/yyyy in B.E. or C.E. (15/08/2530 or 15/08/1987).
    #[arg(long)]
    pub birthday: Option<String>,
    /// female/หญิง, male/ชาย, other/อื่น, unspecified.
    #[arg(long)]
    pub gender: Option<String>,
    /// Email address.
    #[arg(long)]
    pub email: Option<String>,
    /// Postal address for shipped rewards.
    #[arg(long)]
    pub address: Option<String>,
    /// A tag (repeat for several; replaces the tag list; --tag "" clears it).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Marketing consent (opt-in): true or false.
    #[arg(long)]
    pub marketing_consent: Option<bool>,
    /// PDPA consent: true or false.
    #[arg(long)]
    pub pdpa_consent: Option<bool>,
    /// A note.
    #[arg(long)]
    pub note: Option<String>,
}

/// `member …`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Register a new member at this branch.
    #[command(after_help = MEMBER_ADD_EXAMPLES)]
    Add {
        /// Mobile number, e.g. 081-234-5678.
        #[arg(long)]
        phone: String,
        /// Profile fields.
        #[command(flatten)]
        profile: ProfileArgs,
        /// Operation id for a safe retry.
        #[arg(long)]
        op_id: Option<Uuid>,
    },
    /// Edit a member's profile or phone.
    Edit {
        /// The member.
        member: String,
        /// New mobile number.
        #[arg(long)]
        phone: Option<String>,
        /// Profile fields.
        #[command(flatten)]
        profile: ProfileArgs,
        /// Operation id for a safe retry.
        #[arg(long)]
        op_id: Option<Uuid>,
    },
    /// Find members by phone, last 4+ digits, member code or part of a name.
    #[command(after_help = MEMBER_FIND_EXAMPLES)]
    Find {
        /// What the cashier typed or scanned.
        query: Option<String>,
        /// Most results: 1 to 100.
        #[arg(long, default_value_t = 20, value_parser = crate::input::search_limit)]
        limit: usize,
        /// Answer one search per line of standard input (for POS integrations); blank
        /// lines, line numbers ("line" in every --json answer) and the exit code as
        /// `batch --help` describes.
        #[arg(long, conflicts_with = "query")]
        stdin: bool,
    },
    /// Show a member card.
    Show {
        /// The member.
        member: String,
    },
}

/// `tiers …`
#[derive(Debug, Subcommand)]
pub enum TiersCommand {
    /// Show the tier settings and members per tier.
    Show,
    /// Replace the whole tier settings from a JSON file (as printed by `tiers show --json`).
    Set {
        /// The JSON file.
        #[arg(long)]
        file: PathBuf,
    },
    /// Switch the tier system on.
    Enable,
    /// Switch the tier system off.
    Disable,
    /// Set the calculation period: registration, 3, 6, 9 or 12 (months).
    Period {
        /// The period.
        period: String,
    },
    /// Add a tier.
    Add(TierArgs),
    /// Edit a tier.
    Edit {
        /// The tier's id.
        id: u32,
        /// Fields to change.
        #[command(flatten)]
        tier: TierArgs,
    },
    /// Remove a tier (its members are re-placed).
    Remove {
        /// The tier's id.
        id: u32,
    },
    /// Re-evaluate tiers (the daily job; --full re-places every member).
    Reevaluate {
        /// Re-place every member instead of only those whose window moved.
        #[arg(long)]
        full: bool,
        /// Evaluate as of this date (dd/mm/yyyy B.E./C.E.); default today in Bangkok. Any
        /// other day needs --preview: moves are saved, so they are made as of today only
        /// (points earned after a past day are left out of its preview).
        #[arg(long)]
        today: Option<String>,
        /// Count who would move up and down, and move nobody (e.g. with --today at the end of
        /// the month: who drops then?).
        #[arg(long)]
        preview: bool,
    },
}

/// Tier fields.
#[derive(Debug, Args)]
pub struct TierArgs {
    /// Name.
    #[arg(long)]
    pub name: Option<String>,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Start point (accumulated points at which the tier begins).
    #[arg(long)]
    pub start: Option<i64>,
    /// Icon: seedling, leaf, heart, star, silver, gold, platinum, diamond, gem, crown, trophy.
    #[arg(long)]
    pub icon: Option<String>,
    /// Custom rate BAHT:POINTS, e.g. 20:1.
    #[arg(long, conflicts_with = "based_on_system")]
    pub rate: Option<String>,
    /// Use the shop's main rates.
    #[arg(long)]
    pub based_on_system: bool,
}

/// `rates …`
#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// Show the rates.
    Show,
    /// Change rates (BAHT:POINTS).
    Set {
        /// The main rate, used at the counter.
        #[arg(long)]
        counter: Option<String>,
        /// The e-commerce rate.
        #[arg(long)]
        ecommerce: Option<String>,
        /// The e-commerce SMS rate.
        #[arg(long)]
        sms: Option<String>,
    },
}
