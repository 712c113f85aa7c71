//! Taem's desktop counter app: the Tauri 2 shell.
//!
//! Thin on purpose: every command below forwards to one method of [`taem_app::App`], where the
//! behaviour lives and is tested. The window (`ui/`) calls them with `invoke`; errors reach it as
//! [`AppError`] values with an English and a Thai message.
//!
//! The data folder is `$TAEM_DATA_DIR` when set, else the platform's app-data folder
//! (`~/.local/share/app.taem.counter` on Linux).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Arc;

use taem_app::{
    App, AppError, AppState, AwardPreview, ImportChoices, ImportView, Language, MemberForm,
    PendingOperation, Progress, Rejection, ReviewItem, SavedFile, SearchAnswer, SettingsView,
    StatusBar,
};
use taem_replica::{
    AwardReceipt, DropCandidate, HistoryItem, MemberView, OperationReceipt, SystemEnvironment,
    TierCandidate, TierOverview,
};
use tauri::{Emitter, Manager, State};

type Answer<T> = Result<T, AppError>;

#[tauri::command(async)]
fn app_state(app: State<'_, App>) -> Answer<AppState> {
    app.app_state()
}

#[tauri::command(async)]
fn retry_upgrade(app: State<'_, App>) -> Answer<AppState> {
    app.retry_upgrade()
}

#[tauri::command(async)]
fn set_language(app: State<'_, App>, language: Language) -> Answer<AppState> {
    app.set_language(language)
}

#[tauri::command]
async fn enrol(
    app: State<'_, App>,
    server_url: String,
    code: String,
    device_name: String,
) -> Answer<AppState> {
    app.enrol(&server_url, &code, &device_name).await
}

#[tauri::command(async)]
fn start_demo(app: State<'_, App>) -> Answer<AppState> {
    app.start_demo()
}

#[tauri::command(async)]
fn sign_in(app: State<'_, App>, name: String, pin: String) -> Answer<AppState> {
    app.sign_in(&name, &pin)
}

#[tauri::command(async)]
fn sign_out(app: State<'_, App>) -> Answer<AppState> {
    app.sign_out()
}

#[tauri::command(async)]
fn status(app: State<'_, App>) -> Answer<StatusBar> {
    app.status()
}

#[tauri::command(async)]
fn sync_now(app: State<'_, App>) -> Answer<StatusBar> {
    app.sync_now()
}

#[tauri::command(async)]
fn find(app: State<'_, App>, query: String, limit: u32) -> Answer<SearchAnswer> {
    app.find(&query, limit)
}

#[tauri::command(async)]
fn member(app: State<'_, App>, key: String) -> Answer<MemberView> {
    app.member(&key)
}

#[tauri::command(async)]
fn member_form(app: State<'_, App>, key: String) -> Answer<MemberForm> {
    app.member_form(&key)
}

#[tauri::command(async)]
fn history(app: State<'_, App>, key: String, limit: u32) -> Answer<Vec<HistoryItem>> {
    app.history(&key, limit)
}

#[tauri::command(async)]
fn new_op_id(app: State<'_, App>) -> String {
    app.new_op_id()
}

#[tauri::command(async)]
fn preview_award(app: State<'_, App>, key: String, amount: String) -> Answer<AwardPreview> {
    app.preview_award(&key, &amount)
}

#[tauri::command(async)]
fn award(
    app: State<'_, App>,
    key: String,
    amount: String,
    bill_no: String,
    op_id: String,
) -> Answer<AwardReceipt> {
    app.award(&key, &amount, &bill_no, &op_id)
}

#[tauri::command(async)]
fn redeem(
    app: State<'_, App>,
    key: String,
    points: String,
    reward: String,
    op_id: String,
) -> Answer<AwardReceipt> {
    app.redeem(&key, &points, &reward, &op_id)
}

#[tauri::command(async)]
fn void_bill(
    app: State<'_, App>,
    bill_no: String,
    reason: String,
    op_id: String,
) -> Answer<AwardReceipt> {
    app.void_bill(&bill_no, &reason, &op_id)
}

#[tauri::command(async)]
fn adjust(
    app: State<'_, App>,
    key: String,
    points: String,
    reason: String,
    counts_toward_tier: bool,
    op_id: String,
) -> Answer<AwardReceipt> {
    app.adjust(&key, &points, &reason, counts_toward_tier, &op_id)
}

#[tauri::command(async)]
fn register_member(
    app: State<'_, App>,
    form: MemberForm,
    op_id: String,
) -> Answer<OperationReceipt> {
    app.register_member(&form, &op_id)
}

#[tauri::command(async)]
fn edit_member(
    app: State<'_, App>,
    key: String,
    form: MemberForm,
    op_id: String,
) -> Answer<OperationReceipt> {
    app.edit_member(&key, &form, &op_id)
}

#[tauri::command(async)]
fn tier_overview(app: State<'_, App>) -> Answer<TierOverview> {
    app.tier_overview()
}

#[tauri::command(async)]
fn close_to_next_tier(app: State<'_, App>, limit: u32) -> Answer<Vec<TierCandidate>> {
    app.close_to_next_tier(limit)
}

#[tauri::command(async)]
fn due_to_drop(app: State<'_, App>, limit: u32) -> Answer<Vec<DropCandidate>> {
    app.due_to_drop(limit)
}

#[tauri::command(async)]
fn reviews(app: State<'_, App>) -> Answer<Vec<ReviewItem>> {
    app.reviews()
}

#[tauri::command(async)]
fn rejections(app: State<'_, App>) -> Answer<Vec<Rejection>> {
    app.rejections()
}

#[tauri::command(async)]
fn pending_operations(app: State<'_, App>, limit: u32) -> Answer<Vec<PendingOperation>> {
    app.pending_operations(limit)
}

#[tauri::command(async)]
fn settings(app: State<'_, App>) -> Answer<SettingsView> {
    app.settings()
}

#[tauri::command]
async fn save_settings(
    app: State<'_, App>,
    owner_name: String,
    pin: String,
    settings: serde_json::Value,
) -> Answer<SettingsView> {
    app.save_settings(&owner_name, &pin, settings).await
}

#[tauri::command(async)]
fn import_choices(app: State<'_, App>) -> Answer<ImportChoices> {
    app.import_choices()
}

#[tauri::command(async)]
fn save_member_template(app: State<'_, App>, format: String) -> Answer<SavedFile> {
    app.save_member_template(&format)
}

/// A member file travels as the raw request body (the bytes the window read from the chosen
/// file), its branch in the `taem-branch` header.
fn member_file(request: &tauri::ipc::Request<'_>) -> Answer<(Vec<u8>, String)> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            "bad_upload",
            None,
            "the window sent no file: choose the member file again",
            "ไม่ได้รับไฟล์: เลือกไฟล์สมาชิกอีกครั้ง",
        ));
    };
    let branch = request
        .headers()
        .get("taem-branch")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Ok((bytes.clone(), branch))
}

#[tauri::command(async)]
fn check_import(app: State<'_, App>, request: tauri::ipc::Request<'_>) -> Answer<ImportView> {
    let (bytes, branch) = member_file(&request)?;
    app.check_import(bytes, &branch)
}

#[tauri::command(async)]
fn import_members(app: State<'_, App>, request: tauri::ipc::Request<'_>) -> Answer<ImportView> {
    let (bytes, branch) = member_file(&request)?;
    app.import_members(bytes, &branch)
}

#[tauri::command(async)]
fn save_import_report(app: State<'_, App>) -> Answer<SavedFile> {
    app.save_import_report()
}

#[tauri::command(async)]
fn download(
    app: State<'_, App>,
    dataset: String,
    format: String,
    branch: String,
    from: String,
    to: String,
) -> Answer<SavedFile> {
    app.download(&dataset, &format, &branch, &from, &to)
}

/// WebKitGTK settings for a counter PC, set before the page draws anything:
/// - no GPU compositing: the UI is a plain page of text and lists, and on the PCs beside a POS
///   (often without a usable GPU) compositing goes through software GL. Measured with
///   `taem-app-perf` on a 1M-member replica (docs/benchmarks.md): keystroke → results p99
///   42 → 14 ms and the app's memory 374 → 283 MB without it;
/// - the document-viewer cache model: the page is local, so WebKit keeps no web caches.
fn tune_webview(webview: tauri::webview::PlatformWebview) {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::{
            CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
        };
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = webview;
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAEM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tauri::Builder::default()
        .setup(|tauri_app| {
            let data_dir = match std::env::var_os("TAEM_DATA_DIR") {
                Some(dir) => std::path::PathBuf::from(dir),
                None => tauri_app.path().app_data_dir()?,
            };
            let handle = tauri_app.handle().clone();
            let progress = Arc::new(move |p: Progress| {
                let _ = handle.emit("taem://progress", p);
            });
            let app = App::open(&data_dir, Arc::new(SystemEnvironment), progress)
                .map_err(|e| format!("{} / {}", e.en, e.th))?;
            // Downloads, templates and reports go where the user keeps downloads.
            let downloads = std::env::var_os("TAEM_DOWNLOAD_DIR")
                .map(std::path::PathBuf::from)
                .or_else(|| tauri_app.path().download_dir().ok())
                .or_else(|| tauri_app.path().home_dir().ok());
            if let Some(dir) = downloads {
                app.set_download_dir(dir);
            }
            tauri_app.manage(app);
            if let Some(window) = tauri_app.get_webview_window("main") {
                window.with_webview(tune_webview)?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_state,
            retry_upgrade,
            set_language,
            enrol,
            start_demo,
            sign_in,
            sign_out,
            status,
            sync_now,
            find,
            member,
            member_form,
            history,
            new_op_id,
            preview_award,
            award,
            redeem,
            void_bill,
            adjust,
            register_member,
            edit_member,
            tier_overview,
            close_to_next_tier,
            due_to_drop,
            reviews,
            rejections,
            pending_operations,
            settings,
            save_settings,
            import_choices,
            save_member_template,
            check_import,
            import_members,
            save_import_report,
            download,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("taem-desktop: {e}");
        std::process::exit(1);
    }
}
