//! The manager's import and download screens: the member template, checking and importing a
//! shop's member file (the bytes the window read from the chosen file), the report of every
//! row not imported, and downloads of members, points ledger, redemptions and tier changes.
//! Every file the app writes goes to the download folder, written beside its final name and
//! renamed when complete, so a failure leaves no half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use taem_import::download::Dataset;
use taem_import::export::ExportFormat;
use taem_import::{
    ImportOptions, ImportProgress, ImportReport, ImportStage, Lang, ReplicaSink,
    SHOP_UPLOAD_ROWS_MAX, Table,
};
use taem_replica::{ExportFilter, ReplicaError};
use ts_rs::TS;

use crate::dto::{Language, Message, Progress, ProgressStage};
use crate::error::AppError;
use crate::{App, Result};

/// Problems an import view carries; the report file has every one.
pub const PROBLEMS_SHOWN_MAX: usize = 500;

/// What the import screen offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ImportChoices {
    /// Branches a file can be recorded at: this counter's first, then every branch members
    /// registered at.
    pub branches: Vec<String>,
    /// Rows one file may have.
    pub max_rows: u64,
    /// Where downloads and reports are saved.
    pub download_dir: String,
}

/// One row problem, as the screen lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ImportProblem {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// The column's header as the file has it.
    pub header: String,
    /// The cell.
    pub value: String,
    /// Stable code (`bad_phone`, `duplicate_in_file`, `already_member`, …).
    pub code: String,
    /// English.
    pub en: String,
    /// Thai.
    pub th: String,
}

/// A checked or imported file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ImportView {
    /// Checked only (nothing written) or imported.
    pub checked_only: bool,
    /// The registering branch.
    pub branch: String,
    /// What the file turned out to be (`csv_utf8_bom`, `csv_utf8`, `csv_windows874`, `xlsx`).
    pub file_kind: Option<String>,
    /// The file as a whole was refused: nothing imported.
    pub file_error: Option<Message>,
    /// Member rows in the file.
    pub rows: u64,
    /// Members imported (0 for a check).
    pub imported: u64,
    /// Rows an import would bring in (a check), or brought in (an import).
    pub importable: u64,
    /// Rows whose phone is already a member (not imported again).
    pub already_members: u64,
    /// Rows with a problem in the file itself (not counting already-members).
    pub bad_rows: u64,
    /// Headers the template does not have (ignored).
    pub unknown_columns: Vec<String>,
    /// Members imported (in a check: to be imported) with a new member code, the code their
    /// row gave not being kept (each has a `code_not_kept` line among the problems).
    pub new_codes: u64,
    /// The first problems, in file order.
    pub problems: Vec<ImportProblem>,
    /// Every problem.
    pub problems_total: u64,
}

/// A file the app saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SavedFile {
    /// Full path.
    pub path: String,
    /// File name.
    pub name: String,
    /// Data rows written (downloads and reports).
    pub rows: Option<u64>,
}

fn lang(language: Language) -> Lang {
    match language {
        Language::Th => Lang::Th,
        Language::En => Lang::En,
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AppError {
    AppError::from(ReplicaError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_format(format: &str) -> Result<ExportFormat> {
    match format.trim().to_lowercase().as_str() {
        "xlsx" | "excel" => Ok(ExportFormat::Xlsx),
        "csv" => Ok(ExportFormat::Csv),
        other => Err(AppError::new(
            "bad_format",
            Some("format"),
            format!("`{other}` is not a file format: choose Excel (xlsx) or CSV"),
            format!("\"{other}\" ไม่ใช่รูปแบบไฟล์: เลือก Excel (xlsx) หรือ CSV"),
        )),
    }
}

fn extension(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Xlsx => "xlsx",
    }
}

fn parse_date(text: &str, field: &str) -> Result<Option<NaiveDate>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    taem_core::parse_thai_date(text).map(Some).map_err(|_| {
        AppError::new(
            "bad_date",
            Some(field),
            format!("`{text}` is not a date: use dd/mm/yyyy in Buddhist or Christian years, e.g. 01/11/2569 or 01/11/2026"),
            format!("\"{text}\" ไม่ใช่วันที่: กรอกแบบ วว/ดด/ปปปป เป็น พ.ศ. หรือ ค.ศ. เช่น 01/11/2569"),
        )
    })
}

impl ImportView {
    fn from_report(report: &ImportReport, branch: &str, checked_only: bool) -> ImportView {
        let importable = if checked_only {
            report.rows.saturating_sub(report.bad_rows())
        } else {
            report.imported
        };
        ImportView {
            checked_only,
            branch: branch.to_string(),
            file_kind: report.file_kind.and_then(|k| {
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            }),
            file_error: report.file_error.as_ref().map(|e| Message {
                en: e.en.clone(),
                th: e.th.clone(),
            }),
            rows: report.rows,
            imported: report.imported,
            importable: if report.file_error.is_some() {
                0
            } else {
                importable
            },
            already_members: report.already_members,
            bad_rows: report.rows_with_problems,
            unknown_columns: report.unknown_columns.clone(),
            new_codes: report.new_codes,
            problems: report
                .problems
                .iter()
                .take(PROBLEMS_SHOWN_MAX)
                .map(|p| ImportProblem {
                    line: p.line,
                    header: p.header.clone(),
                    value: p.value.clone(),
                    code: p.code.to_string(),
                    en: p.en.clone(),
                    th: p.th.clone(),
                })
                .collect(),
            problems_total: report.problems_total,
        }
    }
}

/// A free name in `dir` for `stem` + the time + `ext` (never overwrites a file).
fn free_name(dir: &Path, stem: &str, ext: &str, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let local = now.with_timezone(&taem_core::time::bangkok());
    let base = format!("{stem}-{}", local.format("%Y%m%d-%H%M%S"));
    let mut path = dir.join(format!("{base}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.{ext}"));
        n += 1;
    }
    path
}

/// Writes a file through `write` beside `path` and renames it when complete.
fn save(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<Option<u64>>,
) -> Result<SavedFile> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(|e| io_error(&partial, e))?;
    let mut out = std::io::BufWriter::new(file);
    let rows = write(&mut out).and_then(|rows| {
        out.flush().map_err(|e| io_error(&partial, e))?;
        out.get_ref()
            .sync_all()
            .map_err(|e| io_error(&partial, e))?;
        Ok(rows)
    });
    drop(out);
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, path).map_err(|e| io_error(path, e))?;
    Ok(SavedFile {
        path: path.display().to_string(),
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows,
    })
}

impl App {
    fn import_branches(&self) -> Result<Vec<String>> {
        self.manager(|r| Ok(r.known_branches()?))
    }

    /// What the import screen offers (managers and the owner).
    pub fn import_choices(&self) -> Result<ImportChoices> {
        Ok(ImportChoices {
            branches: self.import_branches()?,
            max_rows: SHOP_UPLOAD_ROWS_MAX,
            download_dir: self.download_dir().display().to_string(),
        })
    }

    /// Saves the member template (`xlsx` or `csv`) in the window's language.
    pub fn save_member_template(&self, format: &str) -> Result<SavedFile> {
        let format = parse_format(format)?;
        self.manager(|_| Ok(()))?;
        let lang = lang(self.language());
        let stem = match lang {
            Lang::Th => "member-template-th",
            Lang::En => "member-template-en",
        };
        let path = self
            .download_dir()
            .join(format!("{stem}.{}", extension(format)));
        save(&path, |out| {
            let bytes = match format {
                ExportFormat::Csv => {
                    let mut bytes = Vec::new();
                    taem_import::template::write_csv(&mut bytes, lang)
                        .map_err(|e| io_error(&path, e))?;
                    bytes
                }
                ExportFormat::Xlsx => taem_import::template::xlsx(lang)
                    .map_err(|e| io_error(&path, std::io::Error::other(e.to_string())))?,
            };
            out.write_all(&bytes).map_err(|e| io_error(&path, e))?;
            Ok(None)
        })
    }

    fn import_file(&self, bytes: Vec<u8>, branch: &str, dry_run: bool) -> Result<ImportView> {
        let branch = branch.trim().to_uppercase();
        // One of the branches `import_choices` offered, checked without counting every member
        // again (the list is a full scan of the members).
        let known = self.manager(|r| Ok(r.knows_branch(&branch)?))?;
        if !known {
            return Err(AppError::new(
                "bad_branch",
                Some("branch"),
                format!(
                    "`{branch}` is not one of this shop's branches: choose the branch the members registered at"
                ),
                format!("\"{branch}\" ไม่ใช่สาขาของร้านนี้: เลือกสาขาที่สมาชิกสมัคร"),
            ));
        }
        let today = taem_core::time::bangkok_date(self.env.now());
        let options = ImportOptions {
            max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
            today,
            dry_run,
        };
        let progress = self.progress.clone();
        let report = self.manager(|replica| {
            let mut sink = ReplicaSink {
                replica,
                branch: branch.clone(),
            };
            Ok(taem_import::import(
                Table::from_bytes(bytes),
                options,
                &mut sink,
                &mut |p: ImportProgress| {
                    progress(Progress {
                        stage: match (p.stage, dry_run) {
                            (ImportStage::Reading, true) => ProgressStage::ImportCheck,
                            (ImportStage::Reading, false) => ProgressStage::ImportRead,
                            (ImportStage::Writing, _) => ProgressStage::ImportWrite,
                        },
                        done: p.done,
                        total: p.total,
                    })
                },
            ))
        })?;
        let view = ImportView::from_report(&report, &branch, dry_run);
        if !dry_run {
            if report.imported > 0 {
                self.worker.wake();
            }
            *self.last_report.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
        }
        Ok(view)
    }

    /// Checks a member file (its bytes) as an import at `branch` would, writing nothing.
    pub fn check_import(&self, bytes: Vec<u8>, branch: &str) -> Result<ImportView> {
        self.import_file(bytes, branch, true)
    }

    /// Imports a member file (its bytes) at `branch`: every valid row whose phone is not a
    /// member yet, all in one transaction, each through the outbox.
    pub fn import_members(&self, bytes: Vec<u8>, branch: &str) -> Result<ImportView> {
        self.import_file(bytes, branch, false)
    }

    /// Saves the report of the last import (every row not imported, with its reason in Thai
    /// and English) as CSV.
    pub fn save_import_report(&self) -> Result<SavedFile> {
        self.manager(|_| Ok(()))?;
        let guard = self.last_report.lock().unwrap_or_else(|p| p.into_inner());
        let report = guard.as_ref().ok_or_else(|| {
            AppError::new(
                "no_import",
                None,
                "there is no import to report on yet: import a file first",
                "ยังไม่มีการนำเข้าให้รายงาน: นำเข้าไฟล์ก่อน",
            )
        })?;
        let path = free_name(&self.download_dir(), "import-report", "csv", self.env.now());
        save(&path, |out| {
            taem_import::report::write_csv(report, out).map_err(|e| io_error(&path, e))?;
            // One line per problem, and a row can have several: the screen's count of bad
            // rows is the figure a manager reads, so the notice shows no second count.
            Ok(None)
        })
    }

    /// Downloads `dataset` (`members`, `ledger`, `redemptions`, `tier-changes`) as `format`
    /// (`xlsx`, `csv`), filtered by branch (empty: all) and Bangkok dates (empty: open), into
    /// the download folder. It reads its own snapshot of the replica, so the counter keeps
    /// working while a large download is written.
    pub fn download(
        &self,
        dataset: &str,
        format: &str,
        branch: &str,
        from: &str,
        to: &str,
    ) -> Result<SavedFile> {
        let dataset_value = Dataset::parse(dataset).ok_or_else(|| {
            AppError::new(
                "bad_dataset",
                Some("dataset"),
                format!("`{dataset}` is not something to download: choose members, points ledger, redemptions or tier changes"),
                format!("\"{dataset}\" ไม่ใช่ข้อมูลที่ดาวน์โหลดได้: เลือกสมาชิก ประวัติแต้ม การแลกแต้ม หรือการเปลี่ยนระดับ"),
            )
        })?;
        let format = parse_format(format)?;
        let from = parse_date(from, "from")?;
        let to = parse_date(to, "to")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::new(
                "bad_date_range",
                Some("to"),
                "the end date is before the start date: swap them",
                "วันที่สิ้นสุดอยู่ก่อนวันที่เริ่มต้น: สลับวันที่",
            ));
        }
        let branch = branch.trim().to_uppercase();
        let filter = ExportFilter {
            branch: (!branch.is_empty()).then_some(branch),
            from,
            to,
        };
        self.manager(|_| Ok(()))?;
        let lang = lang(self.language());
        let replica = crate::open_replica(&self.data_dir, self.env.clone())?;
        let path = free_name(
            &self.download_dir(),
            dataset_value.file_stem(),
            extension(format),
            self.env.now(),
        );
        let progress = self.progress.clone();
        save(&path, |out| {
            let rows = taem_import::download::download(
                &replica,
                dataset_value,
                &filter,
                format,
                lang,
                out,
                &mut |done| {
                    progress(Progress {
                        stage: ProgressStage::Download,
                        done,
                        total: None,
                    })
                },
            )
            .map_err(|e| io_error(&path, std::io::Error::other(e.to_string())))?;
            progress(Progress {
                stage: ProgressStage::Download,
                done: rows,
                total: Some(rows),
            });
            Ok(Some(rows))
        })
    }
}
