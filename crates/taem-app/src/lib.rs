//! # taem-app — the desktop counter app's commands
//!
//! Everything the window (`ui/`) can ask for, as plain Rust methods on [`App`]: the Tauri shell
//! (`src-tauri/`) forwards each command to one of them and does nothing else, so every command
//! is tested here over a real replica file without a window.
//!
//! What it owns:
//! - which replica the app uses (one data folder), who is signed in and with which role, and
//!   which commands a role may run;
//! - a background sync worker: its own replica connection and tokio runtime, a cycle every few
//!   seconds while enrolled (backing off while offline) and at once after every write;
//! - errors as [`AppError`]: a code, the form field, and the message in English and Thai.
//!
//! What it must not do: decide a business rule. Points, tiers, balances, sign-in lock-outs and
//! conflict handling belong to `taem-core`, `taem-replica`, `taem-sync` and the server.

pub mod bindings;
mod dto;
mod error;
mod transfer;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use taem_core::{Money, Points};
use taem_replica::{
    AdjustRequest, AwardReceipt, AwardRequest, DropCandidate, Environment, HistoryItem, MemberKey,
    MemberView, NewMember, OpenMode, OperationReceipt, RedeemRequest, Replica, ReplicaError,
    StaffSession, TierCandidate, TierOverview, VoidRequest,
};
use uuid::Uuid;

pub use dto::{
    AppState, AwardPreview, Language, MemberForm, Message, PendingOperation, Phase, Progress,
    ProgressStage, SearchAnswer, SettingsView, StatusBar, UpgradeView,
};
pub use error::AppError;
pub use taem_replica::sync::{Rejection, ReviewItem};
pub use transfer::{ImportChoices, ImportProblem, ImportView, SavedFile};

/// Results of app commands.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Where progress of long work goes (the shell emits it as the `taem://progress` event).
pub type ProgressSink = Arc<dyn Fn(Progress) + Send + Sync>;

/// The shop name of a demo shop started from the first-run screen.
pub const DEMO_SHOP_NAME: &str = "ร้านกาแฟแต้มดี (ร้านตัวอย่าง)";
/// Members in that demo shop.
pub const DEMO_MEMBERS: u64 = 10_000;
const LANGUAGE_FILE: &str = "taem-app-language";

struct Inner {
    replica: Option<Replica>,
    session: Option<StaffSession>,
    /// The schema upgrade of the replica, while it runs in the background or after it failed.
    upgrade: Option<UpgradeView>,
}

fn lock_inner(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app: one data folder, its replica, the signed-in staff member and the sync worker.
pub struct App {
    data_dir: PathBuf,
    env: Arc<dyn Environment>,
    /// Shared with the thread that upgrades an older replica.
    inner: Arc<Mutex<Inner>>,
    worker: worker::Worker,
    progress: ProgressSink,
    /// Where downloads, templates and reports are saved.
    download_dir: Mutex<PathBuf>,
    /// The last import's report, for "download the report".
    last_report: Mutex<Option<taem_import::ImportReport>>,
}

fn role_rank(role: &str) -> u8 {
    match role {
        "owner" => 3,
        "manager" => 2,
        _ => 1,
    }
}

fn parse_key(key: &str) -> Result<MemberKey> {
    MemberKey::parse(key).map_err(|e| AppError::from(e).at("key"))
}

fn parse_op_id(op_id: &str) -> Result<Option<Uuid>> {
    if op_id.trim().is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(op_id.trim()).map(Some).map_err(|_| {
        AppError::new(
            "bad_op_id",
            None,
            format!("`{op_id}` is not an operation id: the window sends the id new_op_id gave it"),
            "รหัสรายการไม่ถูกต้อง: เริ่มรายการใหม่",
        )
    })
}

fn parse_amount(amount: &str) -> Result<Money> {
    Money::parse(amount).map_err(|e| AppError::from(ReplicaError::from(e)).at("amount"))
}

fn parse_points(points: &str, signed: bool) -> Result<Points> {
    let parsed = if signed {
        Points::parse_adjustment(points)
    } else {
        Points::parse_positive(points)
    };
    parsed.map_err(|e| AppError::from(ReplicaError::from(e)).at("points"))
}

/// How much of the replica the app's connections memory-map. None: a look-up in the window
/// spends ≈10 ms in the webview and the IPC hop against well under 1 ms in SQLite, so the map's
/// few microseconds are not worth its resident pages (≈40 MB after 200 searches on a 1M-member
/// replica, docs/benchmarks.md), which the app's memory goal counts.
pub(crate) const APP_MMAP_BYTES: i64 = 0;

/// Opens the replica the way the app's connections use it.
pub(crate) fn open_replica(
    dir: &Path,
    env: Arc<dyn Environment>,
) -> std::result::Result<Replica, ReplicaError> {
    let replica = Replica::open(dir, OpenMode::ReadWrite, env)?;
    replica.set_memory_map(APP_MMAP_BYTES)?;
    Ok(replica)
}

/// Opens the replica the window's sales and look-ups go through: as [`open_replica`], with
/// its WAL checkpointed in the background while the app stays open (automatic checkpoints
/// are off so that none lands on a sale).
pub(crate) fn open_counter_replica(
    dir: &Path,
    env: Arc<dyn Environment>,
) -> std::result::Result<Replica, ReplicaError> {
    let mut replica = open_replica(dir, env)?;
    replica.checkpoint_in_background()?;
    Ok(replica)
}

impl App {
    /// Opens the app on `data_dir` (the replica is opened if there is one; the sync worker
    /// starts and syncs whenever the replica is enrolled).
    ///
    /// A replica of an older schema is upgraded on a background thread, so the window opens at
    /// once and says what is happening (phase `upgrading`); a `ProgressStage::Upgrade` event
    /// tells it when the upgrade has ended.
    pub fn open(data_dir: &Path, env: Arc<dyn Environment>, progress: ProgressSink) -> Result<App> {
        std::fs::create_dir_all(data_dir).map_err(|source| {
            AppError::from(ReplicaError::Io {
                path: data_dir.to_path_buf(),
                source,
            })
        })?;
        let upgrade = Replica::upgrade_due(data_dir).map(|(from, to)| UpgradeView {
            from,
            to,
            error: None,
        });
        let replica = match upgrade {
            Some(_) => None,
            None => match open_counter_replica(data_dir, env.clone()) {
                Ok(r) => Some(r),
                Err(ReplicaError::NotInitialised { .. }) => None,
                Err(e) => return Err(e.into()),
            },
        };
        let upgrading = upgrade.is_some();
        let worker = worker::Worker::start(data_dir, env.clone(), progress.clone());
        let app = App {
            data_dir: data_dir.to_path_buf(),
            env,
            inner: Arc::new(Mutex::new(Inner {
                replica,
                session: None,
                upgrade,
            })),
            worker,
            progress,
            download_dir: Mutex::new(data_dir.join("downloads")),
            last_report: Mutex::new(None),
        };
        if upgrading {
            app.start_upgrade();
        }
        Ok(app)
    }

    /// Opens (so upgrades) the replica on its own thread; the result lands in `inner`, then the
    /// window and the sync worker are told.
    fn start_upgrade(&self) {
        let (inner, dir, env) = (self.inner.clone(), self.data_dir.clone(), self.env.clone());
        let (progress, wake) = (self.progress.clone(), self.worker.waker());
        let spawned = std::thread::Builder::new()
            .name("taem-upgrade".into())
            .spawn(move || {
                let opened = open_counter_replica(&dir, env);
                {
                    let mut inner = lock_inner(&inner);
                    match opened {
                        Ok(replica) => {
                            inner.replica = Some(replica);
                            inner.upgrade = None;
                        }
                        Err(e) => {
                            tracing::error!("upgrading the replica failed: {e}");
                            if let Some(upgrade) = inner.upgrade.as_mut() {
                                upgrade.error = Some(e.into());
                            }
                        }
                    }
                }
                progress(Progress {
                    stage: ProgressStage::Upgrade,
                    done: 1,
                    total: Some(1),
                });
                wake();
            });
        if let Err(e) = spawned {
            let mut inner = self.lock();
            if let Some(upgrade) = inner.upgrade.as_mut() {
                upgrade.error = Some(AppError::new(
                    "upgrade_not_started",
                    None,
                    format!(
                        "the upgrade of this counter's data could not start ({e}): close other programs and start Taem again"
                    ),
                    format!("เริ่มปรับปรุงข้อมูลของเครื่องนี้ไม่ได้ ({e}): ปิดโปรแกรมอื่นแล้วเปิด Taem ใหม่"),
                ));
            }
        }
    }

    /// Tries a failed upgrade again (e.g. after the program holding the data folder closed).
    pub fn retry_upgrade(&self) -> Result<AppState> {
        let retry = {
            let mut inner = self.lock();
            match inner.upgrade.as_mut() {
                Some(upgrade) if upgrade.error.is_some() => {
                    upgrade.error = None;
                    true
                }
                _ => false,
            }
        };
        if retry {
            self.start_upgrade();
        }
        self.app_state()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock_inner(&self.inner)
    }

    /// A replica is open here, or one is being upgraded: first-run set-up must not start.
    fn already_set_up(&self) -> bool {
        let inner = self.lock();
        inner.replica.is_some() || inner.upgrade.is_some()
    }

    fn with_replica<T>(&self, f: impl FnOnce(&mut Replica) -> Result<T>) -> Result<T> {
        let mut inner = self.lock();
        let replica = inner.replica.as_mut().ok_or_else(AppError::not_set_up)?;
        f(replica)
    }

    /// Runs `f` for a signed-in staff member whose role is at least `min_role`.
    fn as_staff<T>(
        &self,
        min_role: &str,
        what: (&str, &str),
        f: impl FnOnce(&mut Replica, &StaffSession) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.lock();
        let Inner {
            replica, session, ..
        } = &mut *inner;
        let replica = replica.as_mut().ok_or_else(AppError::not_set_up)?;
        let session = session.as_ref().ok_or_else(AppError::not_signed_in)?;
        if role_rank(&session.role) < role_rank(min_role) {
            return Err(AppError::not_allowed(what.0, what.1));
        }
        f(replica, session)
    }

    /// A write by a signed-in staff member; the sync worker is woken afterwards.
    fn write<T>(&self, f: impl FnOnce(&mut Replica) -> Result<T>) -> Result<T> {
        let out = self.as_staff("cashier", ("this", "รายการนี้"), |r, _| f(r))?;
        self.worker.wake();
        Ok(out)
    }

    // --- start, enrolment, sign-in ------------------------------------------------------------

    /// The window language (remembered in the data folder).
    pub fn language(&self) -> Language {
        match std::fs::read_to_string(self.data_dir.join(LANGUAGE_FILE)).as_deref() {
            Ok("en") => Language::En,
            _ => Language::Th,
        }
    }

    /// What to show.
    pub fn app_state(&self) -> Result<AppState> {
        let language = self.language();
        let inner = self.lock();
        let version = env!("CARGO_PKG_VERSION").to_string();
        let Some(replica) = inner.replica.as_ref() else {
            return Ok(AppState {
                phase: if inner.upgrade.is_some() {
                    Phase::Upgrading
                } else {
                    Phase::FirstRun
                },
                language,
                shop_name: None,
                branch: None,
                enrolled: false,
                server_url: None,
                session: None,
                staff_names: Vec::new(),
                members: 0,
                version,
                upgrade: inner.upgrade.clone(),
            });
        };
        let status = replica.status()?;
        Ok(AppState {
            phase: if inner.session.is_some() {
                Phase::Ready
            } else {
                Phase::SignIn
            },
            language,
            shop_name: Some(status.shop_name),
            branch: Some(status.branch),
            enrolled: status.sync.enrolled,
            server_url: status.sync.server_url,
            session: inner.session.clone(),
            staff_names: replica.staff_names()?,
            members: status.members,
            version,
            upgrade: None,
        })
    }

    /// Switches the window language.
    pub fn set_language(&self, language: Language) -> Result<AppState> {
        let text = match language {
            Language::Th => "th",
            Language::En => "en",
        };
        let path = self.data_dir.join(LANGUAGE_FILE);
        std::fs::write(&path, text)
            .map_err(|source| AppError::from(ReplicaError::Io { path, source }))?;
        self.app_state()
    }

    /// Enrols this (new) counter with a server and receives the shop's members.
    pub async fn enrol(&self, server_url: &str, code: &str, device_name: &str) -> Result<AppState> {
        if self.already_set_up() {
            return Err(AppError::new(
                "already_set_up",
                None,
                "this counter already holds a shop: a counter is enrolled once; use a new data folder for another shop",
                "เครื่องนี้มีข้อมูลร้านอยู่แล้ว: ลงทะเบียนได้ครั้งเดียว ใช้โฟลเดอร์ข้อมูลใหม่สำหรับร้านอื่น",
            ));
        }
        if server_url.trim().is_empty() {
            return Err(AppError::from(taem_sync::SyncError::BadUrl(String::new())));
        }
        if code.trim().is_empty() {
            return Err(AppError::new(
                "bad_enrol_code",
                Some("enrol_code"),
                "type the enrolment code the shop owner gave you",
                "กรอกรหัสลงทะเบียนที่ได้รับจากเจ้าของร้าน",
            ));
        }
        // Enrolment writes the replica on this task while pages arrive; the worker stays away
        // until it is in place.
        let mut replica = Replica::create(&self.data_dir, "(enrolling)", "-", self.env.clone())?;
        let progress = self.progress.clone();
        let name = if device_name.trim().is_empty() {
            "Taem counter"
        } else {
            device_name.trim()
        };
        let result = taem_sync::enrol(&mut replica, server_url.trim(), code, name, &mut |p| {
            if let taem_sync::Progress::Bootstrap { members } = p {
                progress(Progress {
                    stage: ProgressStage::Bootstrap,
                    done: members,
                    total: None,
                });
            }
        })
        .await;
        match result {
            Ok(_) => {}
            Err(e) => {
                let enrolled = replica.sync_identity().ok().flatten().is_some();
                if !enrolled {
                    // Nothing happened on the server: leave no half-made counter behind.
                    drop(replica);
                    self.remove_replica_files();
                    return Err(error::enrol_refused(e));
                }
                // Enrolled, but the snapshot did not finish: the worker resumes it.
                tracing::warn!("bootstrap interrupted, the sync worker resumes it: {e}");
            }
        }
        replica.set_memory_map(APP_MMAP_BYTES)?;
        replica.checkpoint_in_background()?;
        self.lock().replica = Some(replica);
        self.worker.wake();
        self.app_state()
    }

    fn remove_replica_files(&self) {
        if let Err(e) = Replica::remove_files(&self.data_dir) {
            tracing::warn!("could not remove the half-made replica: {e}");
        }
    }

    /// Starts a local demo shop (no server): 10,000 generated members with a year of bills,
    /// and the demo staff (`taem_demo::load::DEMO_STAFF`).
    pub fn start_demo(&self) -> Result<AppState> {
        self.start_demo_with(DEMO_MEMBERS)
    }

    /// [`App::start_demo`] with another number of members.
    pub fn start_demo_with(&self, members: u64) -> Result<AppState> {
        if self.already_set_up() {
            return Err(AppError::new(
                "already_set_up",
                None,
                "this counter already holds a shop",
                "เครื่องนี้มีข้อมูลร้านอยู่แล้ว",
            ));
        }
        let config = taem_demo::DemoConfig {
            members,
            now: self.env.now(),
            ..taem_demo::DemoConfig::default()
        };
        let progress = self.progress.clone();
        taem_demo::load::create_demo_replica(
            &self.data_dir,
            DEMO_SHOP_NAME,
            &config,
            self.env.clone(),
            |p| {
                progress(Progress {
                    stage: ProgressStage::Demo,
                    done: p.members,
                    total: Some(members),
                })
            },
        )?;
        let replica = open_counter_replica(&self.data_dir, self.env.clone())?;
        self.lock().replica = Some(replica);
        self.app_state()
    }

    /// Signs a staff member in with their PIN (checked on this counter, offline).
    pub fn sign_in(&self, name: &str, pin: &str) -> Result<AppState> {
        if name.trim().is_empty() {
            return Err(AppError::new(
                "name_required",
                Some("name"),
                "type your name as the shop registered it",
                "กรอกชื่อของคุณตามที่ร้านลงทะเบียนไว้",
            ));
        }
        let session = {
            let mut inner = self.lock();
            let replica = inner.replica.as_mut().ok_or_else(AppError::not_set_up)?;
            replica.sign_in(name, pin)?
        };
        self.lock().session = Some(session);
        self.app_state()
    }

    /// Signs out.
    pub fn sign_out(&self) -> Result<AppState> {
        self.lock().session = None;
        self.app_state()
    }

    // --- status bar -----------------------------------------------------------------------------

    /// The status bar.
    pub fn status(&self) -> Result<StatusBar> {
        let sync = self.with_replica(|r| Ok(r.sync_status()?))?;
        Ok(StatusBar {
            enrolled: sync.enrolled,
            online: sync.enrolled && sync.online,
            syncing: self.worker.syncing(),
            waiting: sync.waiting,
            rejected: sync.rejected,
            reviews: sync.reviews,
            last_sync_ok: sync.last_sync_ok,
            last_error: sync.last_error,
        })
    }

    /// One sync cycle now (waits for it; offline is reported in the status, not as an error).
    pub fn sync_now(&self) -> Result<StatusBar> {
        self.worker
            .sync_and_wait(std::time::Duration::from_secs(60));
        self.status()
    }

    // --- the counter ----------------------------------------------------------------------------

    /// Finds members from what the cashier typed or scanned.
    ///
    /// A query that looks like a member code but does not check out is searched as a name, and
    /// the answer says why in both languages (`hint`).
    pub fn find(&self, query: &str, limit: u32) -> Result<SearchAnswer> {
        let found = self.as_staff(
            "cashier",
            ("searching", "การค้นหา"),
            |r, _| {
                r.find(query, limit as usize)
                    .map_err(|e| AppError::from(e).at("query"))
            },
        )?;
        let hint = found
            .hint
            .and_then(|_| taem_core::MemberCode::parse(query).err())
            .map(|e| AppError::from(ReplicaError::MemberCode(e)).at("query"));
        Ok(SearchAnswer {
            kind: found.kind,
            members: found.members,
            hint,
        })
    }

    /// A member card.
    pub fn member(&self, key: &str) -> Result<MemberView> {
        let key = parse_key(key)?;
        self.as_staff("cashier", ("this", "รายการนี้"), |r, _| Ok(r.member(&key)?))
    }

    /// The register / edit form of a member, filled in.
    pub fn member_form(&self, key: &str) -> Result<MemberForm> {
        let view = self.member(key)?;
        Ok(MemberForm::of(&view.phone, &view.profile))
    }

    /// A member's history, newest first.
    pub fn history(&self, key: &str, limit: u32) -> Result<Vec<HistoryItem>> {
        let key = parse_key(key)?;
        self.as_staff(
            "cashier",
            ("this", "รายการนี้"),
            |r, _| Ok(r.history(&key, limit.clamp(1, 500) as usize)?),
        )
    }

    /// A fresh operation id for a form (sent again on a retry, so it applies once).
    pub fn new_op_id(&self) -> String {
        self.env.new_op_id().to_string()
    }

    /// What an award would earn.
    pub fn preview_award(&self, key: &str, amount: &str) -> Result<AwardPreview> {
        let key = parse_key(key)?;
        let amount = parse_amount(amount)?;
        self.as_staff(
            "cashier",
            ("this", "รายการนี้"),
            |r, _| {
                let (points, rate) = r.preview_award(&key, amount)?;
                Ok(AwardPreview {
                    points: points.0,
                    rate_baht: rate.baht().to_string(),
                    rate_points: rate.points().0,
                })
            },
        )
    }

    /// Awards points for a bill.
    pub fn award(
        &self,
        key: &str,
        amount: &str,
        bill_no: &str,
        op_id: &str,
    ) -> Result<AwardReceipt> {
        let request = AwardRequest {
            member: parse_key(key)?,
            bill_no: bill_no.trim().to_string(),
            amount: parse_amount(amount)?,
            op_id: parse_op_id(op_id)?,
        };
        self.write(|r| Ok(r.award(request)?))
    }

    /// Redeems points for a reward.
    pub fn redeem(
        &self,
        key: &str,
        points: &str,
        reward: &str,
        op_id: &str,
    ) -> Result<AwardReceipt> {
        let request = RedeemRequest {
            member: parse_key(key)?,
            points: parse_points(points, false)?,
            reward: reward.trim().to_string(),
            op_id: parse_op_id(op_id)?,
        };
        if request.reward.is_empty() {
            return Err(AppError::new(
                "reward_required",
                Some("reward"),
                "say what the member received for the points, e.g. \"iced coffee\"",
                "ระบุของรางวัลที่สมาชิกได้รับ เช่น \"กาแฟเย็น 1 แก้ว\"",
            ));
        }
        self.write(|r| Ok(r.redeem(request)?))
    }

    /// Voids a bill: the points it earned are taken back.
    pub fn void_bill(&self, bill_no: &str, reason: &str, op_id: &str) -> Result<AwardReceipt> {
        let request = VoidRequest {
            bill_no: bill_no.trim().to_string(),
            reason: reason.trim().to_string(),
            op_id: parse_op_id(op_id)?,
        };
        self.write(|r| Ok(r.void_bill(request)?))
    }

    /// A manual adjustment (managers and owners).
    pub fn adjust(
        &self,
        key: &str,
        points: &str,
        reason: &str,
        counts_toward_tier: bool,
        op_id: &str,
    ) -> Result<AwardReceipt> {
        let request = AdjustRequest {
            member: parse_key(key)?,
            points: parse_points(points, true)?,
            reason: reason.trim().to_string(),
            counts_toward_tier,
            op_id: parse_op_id(op_id)?,
        };
        let receipt = self.as_staff(
            "manager",
            ("an adjustment", "การปรับแต้ม"),
            |r, _| Ok(r.adjust(request)?),
        )?;
        self.worker.wake();
        Ok(receipt)
    }

    /// Registers a new member.
    pub fn register_member(&self, form: &MemberForm, op_id: &str) -> Result<OperationReceipt> {
        let new = NewMember {
            phone: form.phone()?,
            profile: form.profile()?,
            op_id: parse_op_id(op_id)?,
        };
        self.write(|r| Ok(r.register_member(new)?))
    }

    /// Edits a member (only the fields the form changes are sent).
    pub fn edit_member(
        &self,
        key: &str,
        form: &MemberForm,
        op_id: &str,
    ) -> Result<OperationReceipt> {
        let key = parse_key(key)?;
        let op_id = parse_op_id(op_id)?;
        self.write(|r| {
            let current = r.member(&key)?;
            let changes = form.changes_from(&current.phone, &current.profile)?;
            Ok(r.edit_member(&key, changes, op_id)?)
        })
    }

    // --- manager views --------------------------------------------------------------------------

    fn manager<T>(&self, f: impl FnOnce(&mut Replica) -> Result<T>) -> Result<T> {
        self.as_staff("manager", ("the manager views", "หน้าผู้จัดการ"), |r, _| f(r))
    }

    /// Members per tier, overall and per branch.
    pub fn tier_overview(&self) -> Result<TierOverview> {
        self.manager(|r| Ok(r.tier_overview()?))
    }

    /// Members nearest to their next tier.
    pub fn close_to_next_tier(&self, limit: u32) -> Result<Vec<TierCandidate>> {
        self.manager(|r| Ok(r.close_to_next_tier(limit as usize)?))
    }

    /// Members the next re-evaluation would move down.
    pub fn due_to_drop(&self, limit: u32) -> Result<Vec<DropCandidate>> {
        self.manager(|r| Ok(r.due_to_drop(limit as usize)?))
    }

    /// Flagged redemptions and merged members to review.
    pub fn reviews(&self) -> Result<Vec<ReviewItem>> {
        self.manager(|r| Ok(r.reviews()?))
    }

    /// Operations the server refused.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        self.manager(|r| Ok(r.rejections()?))
    }

    /// Operations waiting to sync, oldest first.
    pub fn pending_operations(&self, limit: u32) -> Result<Vec<PendingOperation>> {
        self.manager(|r| {
            Ok(r.pending_operations(limit.clamp(1, 1000) as usize)?
                .iter()
                .map(PendingOperation::from)
                .collect())
        })
    }

    // --- settings -------------------------------------------------------------------------------

    /// The settings screen: the settings this counter applies, and whether they can be changed.
    pub fn settings(&self) -> Result<SettingsView> {
        let online = self.status()?.online;
        self.as_staff("cashier", ("settings", "การตั้งค่า"), |r, session| {
            let enrolled = r.sync_identity()?.is_some();
            let read_only_reason = if session.role != "owner" {
                Some(Message {
                    en: "Only the shop owner can change settings.".into(),
                    th: "เฉพาะเจ้าของร้านเท่านั้นที่แก้ไขการตั้งค่าได้".into(),
                })
            } else if enrolled && !online {
                Some(Message {
                    en: "Settings belong to the head office: they can be changed only while the counter is online.".into(),
                    th: "การตั้งค่าเป็นของสำนักงานใหญ่: แก้ไขได้เฉพาะเมื่อเครื่องออนไลน์".into(),
                })
            } else {
                None
            };
            Ok(SettingsView {
                settings: r.settings()?,
                editable: read_only_reason.is_none(),
                read_only_reason,
            })
        })
    }

    /// Saves new settings: through the server (owner's name and PIN) on an enrolled counter,
    /// or locally on a local shop.
    pub async fn save_settings(
        &self,
        owner_name: &str,
        pin: &str,
        settings: serde_json::Value,
    ) -> Result<SettingsView> {
        // Read here, not by the shell: a tier list that breaks a rule gets a clear answer, in
        // Thai too (the tiers are read as a draft, then checked, so the rule they break is
        // known by name).
        #[derive(serde::Deserialize)]
        struct Draft {
            rates: taem_core::SystemRates,
            tiers: taem_core::TierSettingsDraft,
        }
        let draft: Draft = serde_json::from_value(settings).map_err(|e| {
            AppError::new(
                "bad_tier_settings",
                Some("tiers"),
                format!("these settings cannot be saved: {e}"),
                format!("บันทึกการตั้งค่านี้ไม่ได้: {e} (ตรวจสอบแต้มเริ่มต้นของแต่ละระดับให้เรียงจากน้อยไปมาก ชื่อไม่ซ้ำ และอัตราแต้มมากกว่า 0)"),
            )
        })?;
        let tiers = draft.tiers.validated().map_err(|e| {
            AppError::new(
                "bad_tier_settings",
                Some("tiers"),
                format!("these settings cannot be saved: {e}"),
                format!("บันทึกการตั้งค่านี้ไม่ได้: {}", e.th()),
            )
        })?;
        let settings = taem_replica::ShopSettings {
            rates: draft.rates,
            tiers,
        };
        let enrolled = self.as_staff(
            "owner",
            ("changing settings", "การแก้ไขการตั้งค่า"),
            |r, _| Ok(r.sync_identity()?),
        )?;
        match enrolled {
            None => {
                self.as_staff(
                    "owner",
                    ("changing settings", "การแก้ไขการตั้งค่า"),
                    |r, _| {
                        // The PIN is checked on a local shop too: the same rule as on the server.
                        r.sign_in(owner_name, pin)
                            .map_err(|e| AppError::from(e).at("pin"))?;
                        r.set_rates(settings.rates)?;
                        r.set_tier_settings(settings.tiers)?;
                        Ok(())
                    },
                )?;
            }
            Some(identity) => {
                let client =
                    taem_sync::SyncClient::new(&identity.server_url, Some(identity.token))?;
                let current = client.settings().await?;
                let update = taem_protocol::SettingsUpdate {
                    staff: owner_name.trim().to_string(),
                    pin: pin.trim().to_string(),
                    base_revision: current.revision,
                    settings: serde_json::to_value(&settings).map_err(|e| {
                        AppError::new(
                            "bad_settings",
                            None,
                            e.to_string(),
                            format!("การตั้งค่าไม่ถูกต้อง: {e}"),
                        )
                    })?,
                };
                client.update_settings(&update).await?;
                // The new settings reach this counter like every other change: by a sync.
                self.worker
                    .sync_and_wait(std::time::Duration::from_secs(60));
            }
        }
        self.settings()
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where downloads, templates and import reports are saved (the user's download folder,
    /// set by the shell; `downloads` in the data folder until then).
    pub fn download_dir(&self) -> PathBuf {
        self.download_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sets where downloads are saved.
    pub fn set_download_dir(&self, dir: PathBuf) {
        *self.download_dir.lock().unwrap_or_else(|p| p.into_inner()) = dir;
    }
}
