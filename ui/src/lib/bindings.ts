// Generated from the Rust types by `taem-app` (ts-rs). Do not edit by hand:
// regenerate with `TAEM_BLESS=1 cargo test -p taem-app bindings`.

export type AppError = { 
/**
 * Stable code (`bad_amount`, `unknown_member`, `offline`, …): branch on this, never on text.
 */
code: string, 
/**
 * The form field the message belongs next to (`amount`, `bill_no`, `phone`, …), if any.
 */
field: string | null, 
/**
 * The message in English: what was wrong and how to fix it.
 */
en: string, 
/**
 * The message in Thai.
 */
th: string, };

export type AppState = { 
/**
 * Which screen.
 */
phase: Phase, 
/**
 * Window language.
 */
language: Language, 
/**
 * The shop.
 */
shop_name: string | null, 
/**
 * This counter's branch.
 */
branch: string | null, 
/**
 * Enrolled with a server.
 */
enrolled: boolean, 
/**
 * The server.
 */
server_url: string | null, 
/**
 * Who is signed in.
 */
session: StaffSession | null, 
/**
 * Who can sign in here.
 */
staff_names: Array<string>, 
/**
 * Members on this counter.
 */
members: number, 
/**
 * The app's version.
 */
version: string, 
/**
 * The schema upgrade running or failed (phase `upgrading`).
 */
upgrade: UpgradeView | null, };

export type Phase = "first_run" | "sign_in" | "ready" | "upgrading";

export type UpgradeView = { 
/**
 * The schema version the data folder holds.
 */
from: number, 
/**
 * The version this app uses.
 */
to: number, 
/**
 * Why the upgrade failed (nothing was changed: the old data is intact); `None` while it
 * runs.
 */
error: AppError | null, };

export type Language = "th" | "en";

export type StatusBar = { 
/**
 * Enrolled with a server (a local shop has no sync).
 */
enrolled: boolean, 
/**
 * The last sync attempt reached the server.
 */
online: boolean, 
/**
 * A sync is running now.
 */
syncing: boolean, 
/**
 * Operations waiting to reach the server.
 */
waiting: number, 
/**
 * Operations the server refused (kept for a manager).
 */
rejected: number, 
/**
 * Items for a manager to review.
 */
reviews: number, 
/**
 * Last successful sync.
 */
last_sync_ok: string | null, 
/**
 * The last attempt's error, when it failed.
 */
last_error: string | null, };

export type Progress = { 
/**
 * What.
 */
stage: ProgressStage, 
/**
 * Done so far.
 */
done: number, 
/**
 * Out of (when known).
 */
total: number | null, };

export type ProgressStage = "bootstrap" | "demo" | "push" | "pull" | "import_check" | "import_read" | "import_write" | "download" | "upgrade" | "synced";

export type AwardPreview = { 
/**
 * Points.
 */
points: number, 
/**
 * The rate applied: every `rate_baht` baht (a decimal, e.g. `25.00`) ...
 */
rate_baht: string, 
/**
 * ... earns `rate_points` points.
 */
rate_points: number, };

export type MemberForm = { 
/**
 * Mobile number in any common form.
 */
phone: string, 
/**
 * First name (required).
 */
first_name: string, 
/**
 * Last name.
 */
last_name: string, 
/**
 * `dd/mm/yyyy` in B.E. or C.E. (empty: none).
 */
birthday: string, 
/**
 * `female`, `male`, `other` or empty.
 */
gender: string, 
/**
 * Email (empty: none).
 */
email: string, 
/**
 * Address (empty: none).
 */
address: string, 
/**
 * Tags, comma-separated.
 */
tags: string, 
/**
 * Note (empty: none).
 */
note: string, 
/**
 * Agrees to marketing messages.
 */
marketing_consent: boolean, 
/**
 * Agrees to the PDPA notice.
 */
pdpa_consent: boolean, };

export type PendingOperation = { 
/**
 * The operation id.
 */
op_id: string, 
/**
 * This counter's sequence number.
 */
seq: number, 
/**
 * `register_member`, `edit_member`, `earn`, `void_bill`, `redeem`, `adjust`.
 */
kind: string, 
/**
 * The member.
 */
member_id: string | null, 
/**
 * Points moved, for points operations.
 */
points: number | null, 
/**
 * Bill, reward or reason.
 */
detail: string | null, 
/**
 * When it was recorded.
 */
at: string, };

export type Message = { 
/**
 * English.
 */
en: string, 
/**
 * Thai.
 */
th: string, };

export type SettingsView = { 
/**
 * The settings this counter applies.
 */
settings: ShopSettings, 
/**
 * Whether the signed-in staff member may change them now.
 */
editable: boolean, 
/**
 * Why not, when not.
 */
read_only_reason: Message | null, };

export type SearchAnswer = { 
/**
 * How the query was read.
 */
kind: SearchKind, 
/**
 * The members found, best first.
 */
members: Array<MemberSummary>, 
/**
 * Why a code-like query was searched as a name instead.
 */
hint: AppError | null, };

export type ImportChoices = { 
/**
 * Branches a file can be recorded at: this counter's first, then every branch members
 * registered at.
 */
branches: Array<string>, 
/**
 * Rows one file may have.
 */
max_rows: number, 
/**
 * Where downloads and reports are saved.
 */
download_dir: string, };

export type ImportProblem = { 
/**
 * Line in the file (the header is line 1).
 */
line: number, 
/**
 * The column's header as the file has it.
 */
header: string, 
/**
 * The cell.
 */
value: string, 
/**
 * Stable code (`bad_phone`, `duplicate_in_file`, `already_member`, …).
 */
code: string, 
/**
 * English.
 */
en: string, 
/**
 * Thai.
 */
th: string, };

export type ImportView = { 
/**
 * Checked only (nothing written) or imported.
 */
checked_only: boolean, 
/**
 * The registering branch.
 */
branch: string, 
/**
 * What the file turned out to be (`csv_utf8_bom`, `csv_utf8`, `csv_windows874`, `xlsx`).
 */
file_kind: string | null, 
/**
 * The file as a whole was refused: nothing imported.
 */
file_error: Message | null, 
/**
 * Member rows in the file.
 */
rows: number, 
/**
 * Members imported (0 for a check).
 */
imported: number, 
/**
 * Rows an import would bring in (a check), or brought in (an import).
 */
importable: number, 
/**
 * Rows whose phone is already a member (not imported again).
 */
already_members: number, 
/**
 * Rows with a problem in the file itself (not counting already-members).
 */
bad_rows: number, 
/**
 * Headers the template does not have (ignored).
 */
unknown_columns: Array<string>, 
/**
 * Members imported (in a check: to be imported) with a new member code, the code their
 * row gave not being kept (each has a `code_not_kept` line among the problems).
 */
new_codes: number, 
/**
 * The first problems, in file order.
 */
problems: Array<ImportProblem>, 
/**
 * Every problem.
 */
problems_total: number, };

export type SavedFile = { 
/**
 * Full path.
 */
path: string, 
/**
 * File name.
 */
name: string, 
/**
 * Data rows written (downloads and reports).
 */
rows: number | null, };

export type StaffSession = { 
/**
 * Staff id.
 */
staff_id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Role (`cashier`, `manager`, `owner`).
 */
role: string, };

export type SearchKind = "phone" | "phone_suffix" | "member_code" | "name" | "name_prefix";

export type MemberSummary = { 
/**
 * Global member id.
 */
member_id: string, 
/**
 * Member code.
 */
code: string, 
/**
 * Mobile number (10 digits).
 */
phone: string, 
/**
 * First and last name.
 */
name: string, 
/**
 * Current tier.
 */
tier: TierView, 
/**
 * Points the cashier can use (confirmed + pending).
 */
balance: number, };

export type MemberView = { 
/**
 * Global member id.
 */
member_id: string, 
/**
 * Member code.
 */
code: string, 
/**
 * Mobile number.
 */
phone: string, 
/**
 * The profile.
 */
profile: MemberProfile, 
/**
 * Registering branch.
 */
branch: string, 
/**
 * Registration time.
 */
registered_at: string, 
/**
 * Points the cashier can use: confirmed + pending.
 */
balance: number, 
/**
 * Points the server has confirmed.
 */
balance_confirmed: number, 
/**
 * Points from this counter's operations not yet acknowledged by the server.
 */
balance_pending: number, 
/**
 * Whether the shop's tier system is switched on (tiers are shown only then).
 */
tier_system_enabled: boolean, 
/**
 * Current tier.
 */
tier: TierView, 
/**
 * Accumulated points in the calculation period (the tier measure).
 */
accumulated_points: number, 
/**
 * The next tier up, if any.
 */
next_tier: TierView | null, 
/**
 * Points still needed for the next tier.
 */
points_to_next_tier: number, 
/**
 * The member's latest points entry (their last visit, as a rule), if any: the cashier
 * sees at a glance when the member last came and what they did.
 */
last_activity: LedgerEntryView | null, };

export type TierView = { 
/**
 * Tier id.
 */
id: number, 
/**
 * Tier name.
 */
name: string, 
/**
 * Tier icon.
 */
icon: TierIcon, };

export type HistoryItem = { "type": "points" } & LedgerEntryView | { "type": "tier" } & TierChangeView;

export type LedgerEntryView = { 
/**
 * Kind.
 */
kind: LedgerKind, 
/**
 * Points (±).
 */
points: number, 
/**
 * When.
 */
at: string, 
/**
 * Bill number, for earnings and voids.
 */
bill_no: string | null, 
/**
 * Purchase amount in baht, for earnings.
 */
amount: string | null, 
/**
 * Reason or reward.
 */
reason: string | null, 
/**
 * For adjustments: counts toward the tier.
 */
counts_toward_tier: boolean, 
/**
 * Branch.
 */
branch: string, 
/**
 * The operation that wrote it.
 */
op_id: string, 
/**
 * Whether the server has confirmed it.
 */
confirmed: boolean, };

export type TierChangeView = { 
/**
 * Tier before (none for the first placement).
 */
from: TierView | null, 
/**
 * Tier after.
 */
to: TierView, 
/**
 * Why.
 */
reason: TierChangeReason, 
/**
 * Accumulated points at the time.
 */
accumulated_points: number, 
/**
 * When.
 */
at: string, };

export type AwardReceipt = { 
/**
 * The operation id (give it again to retry safely).
 */
op_id: string, 
/**
 * True when this id had already been applied: nothing new was written.
 */
replayed: boolean, 
/**
 * What was written: earn, earn_reversal, redeem or adjust.
 */
kind: LedgerKind, 
/**
 * The member after the operation.
 */
member: MemberSummary, 
/**
 * The points moved (±).
 */
points: number, 
/**
 * Bill number, for earnings and voids.
 */
bill_no: string | null, 
/**
 * Amount, for earnings.
 */
amount: string | null, 
/**
 * The rate applied, for earnings.
 */
rate: string | null, 
/**
 * The reward (redeem) or the reason (void, adjust).
 */
reason: string | null, 
/**
 * The tier change it caused, if any.
 */
tier_change: TierChangeView | null, };

export type OperationReceipt = { 
/**
 * The operation id.
 */
op_id: string, 
/**
 * True when this id had already been applied.
 */
replayed: boolean, 
/**
 * The member afterwards.
 */
member: MemberView, };

export type TierOverview = { 
/**
 * Whether the tier system is switched on.
 */
enabled: boolean, 
/**
 * The branches members registered at, sorted.
 */
branches: Array<string>, 
/**
 * Lowest tier first; a tier no member holds is listed with zeros.
 */
tiers: Array<TierCount>, 
/**
 * All members.
 */
total: number, };

export type TierCount = { 
/**
 * The tier.
 */
tier: TierView, 
/**
 * Its start point.
 */
start_points: number, 
/**
 * Members in it, all branches.
 */
members: number, 
/**
 * Members in it per registering branch (`branches` order of [`TierOverview`]).
 */
per_branch: Array<number>, };

export type TierCandidate = { 
/**
 * The member.
 */
member: MemberSummary, 
/**
 * Accumulated points in the calculation period.
 */
accumulated_points: number, 
/**
 * The tier they would reach.
 */
next_tier: TierView, 
/**
 * Points still needed.
 */
points_to_next: number, };

export type DropCandidate = { 
/**
 * The member (with the tier they hold now).
 */
member: MemberSummary, 
/**
 * The tier they would move to.
 */
to: TierView, 
/**
 * Accumulated points on the re-evaluation day.
 */
accumulated_points: number, 
/**
 * Points they would need to keep their tier.
 */
points_to_keep: number, 
/**
 * The day of the re-evaluation (Bangkok date).
 */
on: string, };

export type ReviewItem = { 
/**
 * Id on the server.
 */
review_id: number, 
/**
 * `overdrawn`, `merged`, `already_member`, `clock_ahead`.
 */
kind: string, 
/**
 * The member.
 */
member_id: string | null, 
/**
 * The operations involved.
 */
op_ids: Array<string>, 
/**
 * What happened.
 */
message: string, 
/**
 * When.
 */
at: string, };

export type Rejection = { 
/**
 * The operation.
 */
op_id: string, 
/**
 * Its kind.
 */
kind: string, 
/**
 * The member concerned.
 */
member_id: string | null, 
/**
 * Stable reason code.
 */
code: string, 
/**
 * What was wrong.
 */
message: string, 
/**
 * When the counter recorded it.
 */
at: string, };

export type ShopSettings = { 
/**
 * The main, e-commerce and SMS rates.
 */
rates: SystemRates, 
/**
 * The tier system.
 */
tiers: TierSettings, };

export type SystemRates = { 
/**
 * The main rate, used at the counter.
 */
counter: PointRate, 
/**
 * The e-commerce rate for automatic marketplace earning.
 */
ecommerce: PointRate, 
/**
 * The rate of the e-commerce SMS flow.
 */
sms: PointRate, };

export type PointRate = { baht: Money, points: Points, };

export type TierSettings = { 
/**
 * The switch: when off, members have no visible tier and the main rates apply.
 */
enabled: boolean, 
/**
 * How accumulated points are counted.
 */
period: CalculationPeriod, 
/**
 * Ascending by start point; validated.
 */
tiers: Array<Tier>, 
/**
 * Tiers the shop removed, by id: their ids stay taken and their names label the tier
 * changes made while they existed. Left out of the JSON when there are none, so that
 * settings stored before tiers could be retired read and write back the same.
 */
retired?: Array<RetiredTier>, };

export type Tier = { 
/**
 * Stable id.
 */
id: number, 
/**
 * Name shown to cashiers and members.
 */
name: string, 
/**
 * Description shown to members.
 */
description: string, 
/**
 * Accumulated points at which the tier begins; the lowest tier starts at 0.
 */
start_points: Points, 
/**
 * Icon from the built-in set.
 */
icon: TierIcon, 
/**
 * Conversion-rate mode.
 */
rate_mode: RateMode, };

export type RetiredTier = { 
/**
 * The id it had.
 */
id: number, 
/**
 * Its last name.
 */
name: string, 
/**
 * Its last icon.
 */
icon: TierIcon, };

export type RateMode = { "mode": "custom", 
/**
 * The tier's rate.
 */
rate: PointRate, } | { "mode": "based_on_system" };

export type CalculationPeriod = "since_registration" | "last_3_months" | "last_6_months" | "last_9_months" | "last_12_months";

export type TierIcon = "seedling" | "leaf" | "heart" | "star" | "silver" | "gold" | "platinum" | "diamond" | "gem" | "crown" | "trophy";

export type TierChangeReason = "registered" | "earned" | "bill_voided" | "adjusted" | "reevaluation" | "settings_changed" | "imported";

export type LedgerKind = "earn" | "earn_reversal" | "redeem" | "redeem_refund" | "adjust" | "expire" | "import";

export type MemberProfile = { 
/**
 * First name (required).
 */
first_name: string, 
/**
 * Last name.
 */
last_name?: string, 
/**
 * Birthday.
 */
birthday?: string | null, 
/**
 * Gender.
 */
gender?: Gender, 
/**
 * Email address.
 */
email?: string | null, 
/**
 * Postal address, for shipped rewards.
 */
address?: string | null, 
/**
 * Tags.
 */
tags?: Array<string>, 
/**
 * Marketing consent: opt-in, never pre-ticked.
 */
marketing_consent?: boolean, 
/**
 * Consent to keep personal data under the PDPA.
 */
pdpa_consent?: boolean, 
/**
 * A free note.
 */
note?: string | null, };

export type Gender = "unspecified" | "female" | "male" | "other";

export type Money = string;

export type Points = number;
