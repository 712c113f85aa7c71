//! # taem-server — the central server of Taem
//!
//! Many shops on one server. Counters push the operations of their outbox and pull the
//! shop's authoritative state; the owner administers shops, branches, enrolment codes,
//! devices and staff with the subcommands below. Embedded SQLite by default; storage sits
//! behind the `Store` trait so a PostgreSQL backend can be added.
//!
//! ```text
//! taem-server --data-dir DIR shop create --name "ร้านกาแฟ" --branch-code BKK01 --branch-name สยาม --owner สมชาย --owner-pin 1234
//! taem-server --data-dir DIR serve --listen 127.0.0.1:8700
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};
use taem_protocol::Role;
use uuid::Uuid;

mod demo;
mod import_cmd;

use taem_server::http;
use taem_server::sqlite::SqliteStore;
use taem_server::store::Store;

/// The Taem central server.
#[derive(Parser)]
#[command(name = "taem-server", version, about)]
struct Cli {
    /// Where the server keeps its database.
    #[arg(
        long,
        env = "TAEM_SERVER_DIR",
        default_value = "./taem-server-data",
        global = true
    )]
    data_dir: PathBuf,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on (port 0 picks a free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Minutes between checks for the daily tier re-evaluation.
        #[arg(long, default_value_t = 10)]
        reevaluate_every_minutes: u64,
    },
    /// Shops on this server.
    #[command(subcommand)]
    Shop(ShopCommand),
    /// List shops.
    Shops,
    /// Branches of a shop.
    #[command(subcommand)]
    Branch(BranchCommand),
    /// A one-time enrolment code for a new counter (valid 24 hours by default).
    EnrolCode {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// The branch the counter belongs to.
        #[arg(long)]
        branch: String,
        /// Hours the code stays valid: 1 to 720 (30 days).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=720))]
        hours: u32,
    },
    /// Counters (devices) of a shop.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Staff of a shop.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Create a demo shop: two branches, an owner, a manager and a cashier, and generated Thai
    /// members with a year of bills; prints an enrolment code per branch.
    Demo {
        /// Members to generate.
        #[arg(long, default_value_t = 10_000)]
        members: u64,
        /// Seed of the generator (the same seed makes the same shop).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Run the tier re-evaluation now (it also runs daily while serving).
    Reevaluate {
        /// Only this shop (always runs); default: every shop not yet evaluated today.
        #[arg(long)]
        shop: Option<Uuid>,
        /// The day to evaluate for (Bangkok), dd/mm/yyyy in B.E. or C.E. (or YYYY-MM-DD);
        /// default today. Another day saves the members' tiers as of that day (points dated
        /// after it left out), for catching up or trying a rule; the next daily run places them
        /// as of its own day.
        #[arg(long, value_parser = thai_date_arg)]
        today: Option<NaiveDate>,
    },
    /// Items for a manager's review (flagged redemptions, merged members, clock warnings).
    Reviews {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
    },
    /// Import a member list into a shop, registered at a branch: the member template's columns,
    /// as CSV (UTF-8 or Thai Windows-874) or XLSX; any number of rows for a chain moving to
    /// Taem. Every row is checked; bad rows and phones already members are reported, never
    /// imported; running it again imports nothing twice.
    Import {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// The branch the members registered at.
        #[arg(long)]
        branch: String,
        /// The member file (.csv or .xlsx).
        file: PathBuf,
        /// Write every row not imported, with its reason in Thai and English, to this CSV.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Check the file and report what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// A shop's upload: at most 5,000 rows, imported all at once or not at all.
        #[arg(long)]
        shop_upload: bool,
    },
    /// Download a shop's members, points ledger, redemptions or tier changes as CSV (UTF-8 with
    /// BOM, for Excel) or XLSX: the whole history, which counters keep only in part.
    Download {
        /// members, ledger, redemptions or tier-changes.
        dataset: String,
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// The file to write; .csv or .xlsx picks the format.
        #[arg(long, short)]
        output: PathBuf,
        /// Only this branch (members: where they registered; entries: where they were made).
        #[arg(long)]
        branch: Option<String>,
        /// From this date on (dd/mm/yyyy, Buddhist Era or C.E., Bangkok).
        #[arg(long)]
        from: Option<String>,
        /// Up to and including this date.
        #[arg(long)]
        to: Option<String>,
        /// Header language: th (ไทย) or en.
        #[arg(long, default_value = "th")]
        lang: String,
        /// Replace the output file if it exists (without it, an existing file is left alone
        /// and nothing is written).
        #[arg(long)]
        force: bool,
    },
    /// Every member's authoritative balance and tier, with the sum of their ledger.
    Balances {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
    },
}

#[derive(Subcommand)]
enum ShopCommand {
    /// Create a shop with its first branch and owner; prints the first enrolment code.
    Create {
        /// The shop's name.
        #[arg(long)]
        name: String,
        /// First branch code (e.g. BKK01).
        #[arg(long)]
        branch_code: String,
        /// First branch name.
        #[arg(long)]
        branch_name: String,
        /// The owner's name (signs in with it).
        #[arg(long)]
        owner: String,
        /// The owner's PIN (4-12 digits).
        #[arg(long, env = "TAEM_OWNER_PIN")]
        owner_pin: String,
    },
}

#[derive(Subcommand)]
enum BranchCommand {
    /// Add a branch.
    Add {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// Branch code.
        #[arg(long)]
        code: String,
        /// Branch name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// List a shop's devices.
    List {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
    },
    /// Revoke a device: its token stops working at once.
    Revoke {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// The device id.
        #[arg(long)]
        device: Uuid,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff member.
    Add {
        /// The shop id.
        #[arg(long)]
        shop: Uuid,
        /// Name (they sign in with it).
        #[arg(long)]
        name: String,
        /// cashier, manager or owner.
        #[arg(long)]
        role: String,
        /// PIN (4-12 digits).
        #[arg(long, env = "TAEM_STAFF_PIN")]
        pin: String,
    },
}

fn print<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> std::io::Result<()> {
    if json {
        import_cmd::say(&serde_json::to_string(value).unwrap_or_default())
    } else {
        import_cmd::say(&text())
    }
}

/// Exit code when the reader of standard output went away (`… | head`): the code a shell
/// reports for a program ended by SIGPIPE (128 + 13), as other Unix tools end there.
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => usage(e),
    };
    let json = cli.json;
    if let Err(e) = run(cli) {
        // `taem-server balances … | head`: the reader has what it wanted; end quietly.
        let broken_pipe = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            std::process::exit(EXIT_BROKEN_PIPE);
        }
        if json {
            eprintln!("{}", json_error(&e));
        } else {
            eprintln!("error: {e:#}");
        }
        std::process::exit(1);
    }
}

/// A date on the command line as people write it (see `taem_core::thai_date`).
fn thai_date_arg(text: &str) -> Result<NaiveDate, String> {
    taem_core::thai_date::parse_thai_date(text).map_err(|e| e.to_string())
}

/// A command line clap refused: as clap prints it, or with `--json` as a JSON error whose code
/// is `usage` (help and version are printed as asked). Exits with clap's code, 2.
fn usage(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let json = std::env::args_os().any(|a| a == "--json");
    if !json || matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        e.exit();
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let message = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect::<Vec<_>>()
        .join(" ");
    let api = taem_protocol::ApiError {
        code: "usage".into(),
        message: format!("{message}; see --help"),
        hint: None,
    };
    eprintln!("{}", serde_json::json!({ "error": api }));
    std::process::exit(2);
}

/// An error as `--json` prints it on stderr: `{"error":{"code","message","hint"}}`, with the
/// server's stable code when the error is one of its own, else `error`.
fn json_error(e: &anyhow::Error) -> String {
    let api = e
        .chain()
        .find_map(|c| c.downcast_ref::<taem_server::error::ServerError>())
        .map(|server| taem_protocol::ApiError {
            message: format!("{e:#}"),
            ..server.api()
        })
        .unwrap_or_else(|| taem_protocol::ApiError {
            code: "error".into(),
            message: format!("{e:#}"),
            hint: None,
        });
    serde_json::json!({ "error": api }).to_string()
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    // Only starting the server, creating a shop and the demo make a new data directory: any
    // other command on a folder without one is a mistyped --data-dir, not an empty server.
    let creates = matches!(
        cli.command,
        Command::Serve { .. } | Command::Shop(ShopCommand::Create { .. }) | Command::Demo { .. }
    );
    if !creates
        && !cli
            .data_dir
            .join(taem_server::sqlite::DB_FILE_NAME)
            .exists()
    {
        return Err(taem_server::error::ServerError::NotFound(format!(
            "no Taem server data in {}: check --data-dir (or TAEM_SERVER_DIR), or create a shop there first with `taem-server --data-dir {} shop create …`",
            cli.data_dir.display(),
            cli.data_dir.display()
        ))
        .into());
    }
    let store = SqliteStore::open(&cli.data_dir)?;
    let now = Utc::now();
    match cli.command {
        Command::Serve {
            listen,
            reevaluate_every_minutes,
        } => serve(store, listen, reevaluate_every_minutes),
        Command::Shop(ShopCommand::Create {
            name,
            branch_code,
            branch_name,
            owner,
            owner_pin,
        }) => {
            let created = store.create_shop(
                &name,
                (&branch_code, &branch_name),
                (&owner, &owner_pin),
                now,
            )?;
            let value = serde_json::json!({
                "shop_id": created.shop_id,
                "enrol_code": created.enrol_code,
                "expires_at": created.expires_at,
            });
            print(json, &value, || {
                format!(
                    "shop created: {name}\n  shop id:        {}\n  enrolment code: {}  (for the first counter at {}; valid until {} Bangkok time)\n  enrol a counter: taem-counter --data-dir DIR enrol http://SERVER:PORT {}",
                    created.shop_id,
                    created.enrol_code,
                    branch_code.to_uppercase(),
                    taem_core::time::format_bangkok_be(created.expires_at),
                    created.enrol_code
                )
            })?;
            Ok(())
        }
        Command::Demo { members, seed } => {
            let bar = indicatif::ProgressBar::new(members);
            if json {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} demo shop {bar:30} {pos}/{len} members ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let shop = demo::create(&store, members, seed, now, |n| bar.set_position(n))?;
            bar.finish_and_clear();
            print(json, &shop, || {
                let mut text = format!(
                    "demo shop created: {} ({} members, {} bills)\n  shop id: {}\n",
                    demo::SHOP_NAME,
                    shop.members,
                    shop.bills,
                    shop.shop_id
                );
                for (branch, code) in &shop.enrol_codes {
                    text.push_str(&format!(
                        "  enrolment code for a counter at {branch}: {code}\n"
                    ));
                }
                for (name, role, pin) in &shop.staff {
                    text.push_str(&format!("  staff: {name} ({role}), PIN {pin}\n"));
                }
                text
            })?;
            Ok(())
        }
        Command::Shops => {
            let shops = store.list_shops()?;
            print(json, &shops, || {
                shops
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  ({} members, {} devices)",
                            s.shop_id, s.name, s.members, s.devices
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(())
        }
        Command::Branch(BranchCommand::Add { shop, code, name }) => {
            store.add_branch(shop, &code, &name)?;
            print(json, &serde_json::json!({"added": code}), || {
                format!("branch {} added", code.to_uppercase())
            })?;
            Ok(())
        }
        Command::EnrolCode {
            shop,
            branch,
            hours,
        } => {
            let (code, expires) = store.create_enrol_code(shop, &branch, hours, now)?;
            let value = serde_json::json!({"enrol_code": code, "expires_at": expires});
            print(json, &value, || {
                format!(
                    "enrolment code: {code}  (one counter at {}; valid until {} Bangkok time)",
                    branch.to_uppercase(),
                    taem_core::time::format_bangkok_be(expires)
                )
            })?;
            Ok(())
        }
        Command::Devices(DevicesCommand::List { shop }) => {
            let devices = store.list_devices(shop)?;
            print(json, &devices, || {
                devices
                    .iter()
                    .map(|d| {
                        format!(
                            "{}  {}  branch {}  synced through #{}{}",
                            d.device_id,
                            d.name,
                            d.branch,
                            d.acked_seq,
                            if d.revoked_at.is_some() {
                                "  REVOKED"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(())
        }
        Command::Devices(DevicesCommand::Revoke { shop, device }) => {
            store.revoke_device(shop, device, now)?;
            print(json, &serde_json::json!({"revoked": device}), || {
                format!("device {device} revoked")
            })?;
            Ok(())
        }
        Command::Staff(StaffCommand::Add {
            shop,
            name,
            role,
            pin,
        }) => {
            let role = Role::parse(&role).with_context(|| {
                format!("\"{role}\" is not a role: use cashier, manager or owner")
            })?;
            let id = store.add_staff(shop, &name, role, &pin)?;
            print(json, &serde_json::json!({"staff_id": id}), || {
                format!("{} added as {}", name, role.as_str())
            })?;
            Ok(())
        }
        Command::Reevaluate { shop, today } => {
            let today = today.unwrap_or_else(|| taem_core::time::bangkok_date(now));
            let summary = store.reevaluate(shop, today, now)?;
            print(json, &summary, || {
                format!(
                    "re-evaluated {} shop(s): {} members checked, {} moved",
                    summary.shops, summary.members_checked, summary.moved
                )
            })?;
            Ok(())
        }
        Command::Reviews { shop } => {
            let reviews = store.reviews(shop)?;
            print(json, &reviews, || {
                reviews
                    .iter()
                    .map(|r| format!("#{} {}: {}", r.review_id, r.kind, r.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(())
        }
        Command::Import {
            shop,
            branch,
            file,
            report,
            dry_run,
            shop_upload,
        } => import_cmd::run(
            &store,
            import_cmd::ImportArgs {
                shop,
                branch: &branch,
                file: &file,
                report: report.as_deref(),
                dry_run,
                shop_upload,
            },
            now,
            json,
        ),
        Command::Download {
            dataset,
            shop,
            output,
            branch,
            from,
            to,
            lang,
            force,
        } => import_cmd::download(
            &store,
            import_cmd::DownloadArgs {
                shop,
                dataset: &dataset,
                output: &output,
                force,
                branch,
                from: from.as_deref(),
                to: to.as_deref(),
                lang: &lang,
            },
            json,
        ),
        Command::Balances { shop } => {
            let balances = store.balances(shop)?;
            print(json, &balances, || {
                balances
                    .iter()
                    .map(|b| {
                        format!(
                            "{}  {}  {} pts  tier {}",
                            b.phone, b.name, b.balance, b.tier_id
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(())
        }
    }
}

fn serve(
    store: SqliteStore,
    listen: SocketAddr,
    reevaluate_every_minutes: u64,
) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "taem_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let db = store.path().display().to_string();
    let store: Arc<dyn Store> = Arc::new(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to learn the port.
        import_cmd::say(&format!(
            "taem-server listening on http://{addr} (database {db})"
        ))?;
        use std::io::Write;
        std::io::stdout().flush()?;
        let daily = store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(
                reevaluate_every_minutes.max(1) * 60,
            ));
            loop {
                tick.tick().await;
                let store = daily.clone();
                let now = Utc::now();
                let result = tokio::task::spawn_blocking(move || {
                    store.reevaluate(None, taem_core::time::bangkok_date(now), now)
                })
                .await;
                match result {
                    Ok(Ok(s)) if s.shops > 0 => tracing::info!(
                        "daily tier re-evaluation: {} shops, {} members, {} moved",
                        s.shops,
                        s.members_checked,
                        s.moved
                    ),
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!("daily tier re-evaluation failed: {e}"),
                    Err(e) => tracing::error!("daily tier re-evaluation panicked: {e}"),
                }
            }
        });
        let app = http::router(http::AppState { store });
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        anyhow::Ok(())
    })
}
