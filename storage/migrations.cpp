// The schema. Each area owns its block; versions only ever grow. Times are Unix milliseconds
// (UTC) unless a column says `local`: local dates are 'YYYY-MM-DD' text (UTC+7), comparable as text.
#include "storage/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace storage {

void rebuild_table(SQLite::Database& db, const std::string& name, const std::string& from, const std::string& to) {
    // SQLite's documented twelve-step ALTER (https://sqlite.org/lang_altertable.html#otheralter),
    // reading the definition from sqlite_schema so columns added by ALTER TABLE ADD COLUMN survive.
    std::string create;
    {
        SQLite::Statement q(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?");
        q.bind(1, name);
        if (!q.executeStep()) throw std::runtime_error("rebuild_table: no table " + name);
        create = q.getColumn(0).getString();
    }
    const auto at = create.find(from);
    // Already rebuilt (a database whose migrations were recorded before the runner tracked them
    // one by one): nothing to do.
    if (at == std::string::npos && create.find(to) != std::string::npos) return;
    if (at == std::string::npos) throw std::runtime_error("rebuild_table: \"" + from + "\" is not in table " + name);
    create.replace(at, from.size(), to);
    const auto paren = create.find('(');
    if (paren == std::string::npos) throw std::runtime_error("rebuild_table: cannot read the definition of " + name);
    const std::string tmp = name + "__rebuilt";
    create = "CREATE TABLE " + tmp + " " + create.substr(paren);
    std::vector<std::string> others;  // indexes and triggers, recreated after the swap
    {
        SQLite::Statement q(db, "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL");
        q.bind(1, name);
        while (q.executeStep()) others.push_back(q.getColumn(0).getString());
    }
    db.exec(create);
    db.exec("INSERT INTO " + tmp + " SELECT * FROM " + name);
    db.exec("DROP TABLE " + name);
    db.exec("ALTER TABLE " + tmp + " RENAME TO " + name);
    for (const auto& sql : others) db.exec(sql);
}

namespace {

// == area: core — webhook events and small key/value state ==
const char* const core_v1 = R"SQL(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- Every verified webhook event, stored before the 200 is sent. dedup_key recognises Zalo's retries.
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,
  dedup_key    TEXT NOT NULL UNIQUE,
  event_name   TEXT NOT NULL,
  user_id      TEXT,
  zns          INTEGER NOT NULL DEFAULT 0,
  zalo_ts      INTEGER,
  received_at  INTEGER NOT NULL,
  body         TEXT NOT NULL,
  state        INTEGER NOT NULL DEFAULT 0,   -- 0 new, 1 processed, 2 failed
  processed_at INTEGER,
  error        TEXT
);
CREATE INDEX events_new ON events(seq) WHERE state = 0;
CREATE INDEX events_received ON events(received_at);
)SQL";

// == area: zalo — outbox, tokens, OAuth state ==
const char* const zalo_v2 = R"SQL(
-- Every outbound message, stored before it is sent. tracking_id is stable across resends.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  tracking_id     TEXT NOT NULL UNIQUE,
  recipient       TEXT NOT NULL,
  channel         TEXT NOT NULL,               -- cs | transaction | promotion | zns
  priority        INTEGER NOT NULL DEFAULT 0,  -- 0 reply, 1 reminder, 2 broadcast
  body            TEXT NOT NULL,               -- JSON of the outgoing message
  purpose         TEXT NOT NULL DEFAULT 'reply',
  ref             TEXT,
  broadcast_id    INTEGER,
  event_seq       INTEGER,
  state           TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | failed | cancelled
  attempts        INTEGER NOT NULL DEFAULT 0,
  parts_sent      INTEGER NOT NULL DEFAULT 0,  -- long texts go out in parts; resume after the last sent
  resends         INTEGER NOT NULL DEFAULT 0,  -- resends after a crash left the row 'sending' (at most 1)
  next_attempt_at INTEGER NOT NULL,
  zalo_msg_id     TEXT,
  error_code      INTEGER,
  error_reason    TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  delivered_at    INTEGER,
  seen_at         INTEGER
);
CREATE INDEX outbox_ready ON outbox(priority, next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_msg ON outbox(zalo_msg_id) WHERE zalo_msg_id IS NOT NULL;
-- Per-recipient order: a message waits while an older one to the same recipient is unfinished.
CREATE INDEX outbox_recipient ON outbox(recipient, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_broadcast ON outbox(broadcast_id) WHERE broadcast_id IS NOT NULL;
CREATE INDEX outbox_created ON outbox(created_at);
-- The OA's tokens: one row. The refresh token is single-use: stored before the access token is used.
CREATE TABLE oauth_tokens (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  access_token       TEXT,
  access_expires_at  INTEGER,
  refresh_token      TEXT,
  previous_refresh   TEXT,
  updated_at         INTEGER NOT NULL,
  needs_reauth       INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT
);
CREATE TABLE oauth_states (
  state      TEXT PRIMARY KEY,
  verifier   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
)SQL";

// == area: conversation — citizens, interactions, hand-offs, unanswered questions ==
const char* const conversation_v3 = R"SQL(
CREATE TABLE users (
  user_id             TEXT PRIMARY KEY,
  display_name        TEXT,
  is_follower         INTEGER NOT NULL DEFAULT 0,
  followed_at         INTEGER,
  unfollowed_at       INTEGER,
  unit_id             TEXT,
  village             TEXT,
  broadcast_opt_out   INTEGER NOT NULL DEFAULT 0,
  last_interaction_at INTEGER,
  phone               TEXT,
  fallback_streak     INTEGER NOT NULL DEFAULT 0,  -- fallbacks in a row (two start a hand-off)
  dialog_state        TEXT,
  flood_window_start  INTEGER,                     -- start of the current one-minute flood window
  flood_count         INTEGER NOT NULL DEFAULT 0,  -- messages in that window
  flood_notified      INTEGER NOT NULL DEFAULT 0,  -- the one polite notice was sent in that window
  created_at          INTEGER NOT NULL
);
CREATE INDEX users_unit ON users(unit_id, village) WHERE is_follower = 1;
-- Every inbound and outbound message (SPEC "Report metrics").
CREATE TABLE interactions (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  local_day  TEXT NOT NULL,          -- local date
  user_id    TEXT,
  unit_id    TEXT,
  direction  TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  kind       TEXT NOT NULL,          -- text | image | sticker | follow | button | ...
  topic      TEXT,
  outcome    TEXT,                   -- answered | clarified | fallback | lookup | command | handoff
  text       TEXT,
  latency_ms INTEGER
);
CREATE INDEX interactions_day ON interactions(local_day);
CREATE TABLE handoffs (
  id              INTEGER PRIMARY KEY,
  user_id         TEXT NOT NULL,
  unit_id         TEXT,
  opened_at       INTEGER NOT NULL,
  reason          TEXT NOT NULL,     -- asked | fallbacks
  question        TEXT,
  first_answer_at INTEGER,
  closed_at       INTEGER,
  closed_by       TEXT
);
CREATE UNIQUE INDEX handoffs_open ON handoffs(user_id) WHERE closed_at IS NULL;
CREATE INDEX handoffs_opened ON handoffs(opened_at);
CREATE TABLE unanswered (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  local_day  TEXT NOT NULL,
  user_id    TEXT,
  text       TEXT NOT NULL,
  normalized TEXT NOT NULL
);
CREATE INDEX unanswered_day ON unanswered(local_day);
)SQL";

// == area: reminders — officials, dossiers, reminders sent, audit log ==
const char* const reminders_v4 = R"SQL(
CREATE TABLE officials (
  official_id          TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  unit_id              TEXT NOT NULL,
  role                 TEXT NOT NULL CHECK (role IN ('official', 'leader')),
  phone                TEXT,
  zalo_user_id         TEXT UNIQUE,
  link_code_hash       TEXT,
  link_code_expires_at INTEGER,
  reminders_enabled    INTEGER NOT NULL DEFAULT 1,
  on_duty              INTEGER NOT NULL DEFAULT 1,
  disabled             INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL
);
-- The one-stop system's dossiers. Dates are local 'YYYY-MM-DD'; times 'HH:MM' or NULL.
CREATE TABLE dossiers (
  code          TEXT PRIMARY KEY,
  procedure     TEXT NOT NULL,
  field         TEXT,
  level         TEXT NOT NULL,
  unit_id       TEXT NOT NULL,
  channel       TEXT NOT NULL CHECK (channel IN ('truc_tuyen', 'truc_tiep', 'bcci')),
  received_on   TEXT NOT NULL,
  received_time TEXT,
  due_on        TEXT NOT NULL,
  due_time      TEXT,
  returned_on   TEXT,
  returned_time TEXT,
  official_id   TEXT,
  citizen_phone TEXT,
  imported_at   INTEGER NOT NULL
);
-- Partial indexes over unresolved dossiers for the reminder scan, the digests and the officials'
-- commands. Each also holds returned_on (always NULL in it) and every column its query reads, so
-- SQLite answers from the index alone and never visits the table.
CREATE INDEX dossiers_open ON dossiers(due_on, code, unit_id, official_id, procedure, returned_on) WHERE returned_on IS NULL;
CREATE INDEX dossiers_open_unit ON dossiers(unit_id, code, returned_on) WHERE returned_on IS NULL;
CREATE INDEX dossiers_official ON dossiers(official_id, due_on, code, procedure, unit_id, returned_on) WHERE returned_on IS NULL;
CREATE INDEX dossiers_received ON dossiers(received_on);
CREATE UNIQUE INDEX officials_link_code ON officials(link_code_hash) WHERE link_code_hash IS NOT NULL;
-- One row per reminder kind, dossier, recipient and local day: sent at most once, across restarts.
CREATE TABLE reminders (
  kind         TEXT NOT NULL,          -- due_soon | overdue | escalation | digest
  dossier_code TEXT NOT NULL DEFAULT '',
  recipient    TEXT NOT NULL,          -- official id
  local_day    TEXT NOT NULL,
  unit_id      TEXT,
  channel      TEXT,                   -- cs | template | none
  outbox_id    INTEGER,
  status       TEXT NOT NULL,          -- queued | no_zalo | ...
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (kind, dossier_code, recipient, local_day)
);
CREATE INDEX reminders_day ON reminders(local_day);
CREATE INDEX reminders_escalated ON reminders(dossier_code, recipient) WHERE kind = 'escalation';
CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail TEXT
);
)SQL";

// == area: broadcasts ==
const char* const broadcasts_v5 = R"SQL(
-- A broadcast: text (mustache template), link buttons, target, schedule. Recipients are expanded
-- when it starts sending; per-recipient delivery comes from the outbox rows (delivered_at, seen_at).
CREATE TABLE broadcasts (
  id           INTEGER PRIMARY KEY,
  created_by   TEXT NOT NULL,
  text         TEXT NOT NULL,
  buttons      TEXT,                  -- JSON array [{"title": ..., "url": ...}]
  target       TEXT NOT NULL,         -- JSON {"units": [...], "villages": [...]}; both empty = all followers
  scheduled_at INTEGER NOT NULL,
  local_day    TEXT NOT NULL,         -- local date of scheduled_at (reports)
  state        TEXT NOT NULL,         -- scheduled | sending | waiting_quota | done | cancelled
  recipients   INTEGER,               -- set when the recipients are expanded
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER
);
CREATE INDEX broadcasts_active ON broadcasts(scheduled_at) WHERE state IN ('scheduled', 'sending', 'waiting_quota');
CREATE INDEX broadcasts_day ON broadcasts(local_day);
-- One row per expanded recipient, in sending order (seq). state: waiting (not yet in the outbox:
-- quota or hours) | queued (outbox_id set; sent/failed/received/seen come from that outbox row) |
-- excluded (unfollowed or opted out while waiting) | cancelled (the broadcast was cancelled first).
CREATE TABLE broadcast_recipients (
  broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
  user_id      TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  outbox_id    INTEGER,
  state        TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX broadcast_recipients_waiting ON broadcast_recipients(broadcast_id, seq) WHERE state = 'waiting';
)SQL";

// == area: reports ==
// Reports only read the tables above. The half-year report reads every inbound message of the
// period: this covering index serves it without touching the wide rows (text), which would
// otherwise cost one table lookup per message (SPEC bar: 5,000,000 interactions, report ≤ 2 s).
const char* const reports_v6 = R"SQL(
CREATE INDEX interactions_report ON interactions(direction, local_day, kind, outcome, topic, user_id, latency_ms, unit_id);
)SQL";

// == area: event (10–19) ==
// The reply latency runs from the event's arrival to the Zalo call that sends the first reply:
// the outbox row keeps when its event arrived and the inbound interaction it answers, so the
// sender can fill interactions.latency_ms when that call goes out.
const char* const event_v10 = R"SQL(
ALTER TABLE outbox ADD COLUMN origin_at INTEGER;       -- arrival of the event it answers (Unix ms)
ALTER TABLE outbox ADD COLUMN interaction_id INTEGER;  -- the inbound interaction it answers
)SQL";

// The dispatcher keeps two queues (storage::event_lane): messages from people, and bulk events
// (receipts, echoes of the OA's own sends) that must never delay them. After a restart it reads
// each queue back from the table, oldest first: one partial index per lane and seq.
const char* const event_v11 = R"SQL(
ALTER TABLE events ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;  -- 0 people, 1 bulk
UPDATE events SET lane = 1
 WHERE state = 0 AND (event_name IN ('user_received_message', 'user_seen_message') OR event_name LIKE 'oa\_send\_%' ESCAPE '\');
DROP INDEX events_new;
CREATE INDEX events_fresh ON events(lane, seq) WHERE state = 0;
)SQL";

// == area: trust-flows (70–79) ==
// Link codes under attack (issue #12): every `DK <code>` that was checked is recorded, so the
// limits per Zalo user and overall hold across restarts; a code remembers the wrong guesses
// aimed at it (same first characters, the selector) and locks after a few.
const char* const trust_flows_v70 = R"SQL(
CREATE TABLE link_attempts (
  id           INTEGER PRIMARY KEY,
  zalo_user_id TEXT NOT NULL,
  at           INTEGER NOT NULL,
  result       TEXT NOT NULL CHECK (result IN ('linked', 'failed', 'refused'))
);
CREATE INDEX link_attempts_at ON link_attempts(at);
CREATE INDEX link_attempts_user ON link_attempts(zalo_user_id, at);
ALTER TABLE officials ADD COLUMN link_code_selector TEXT;
ALTER TABLE officials ADD COLUMN link_code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officials ADD COLUMN link_code_locked INTEGER NOT NULL DEFAULT 0;
)SQL";

// An undeliverable reminder says why nobody can receive it (not linked, outside Zalo's 7-day
// window, no phone, no ZNS template), so it is never skipped in silence.
const char* const trust_flows_v71 = R"SQL(
ALTER TABLE reminders ADD COLUMN reason TEXT;
)SQL";

// == area: console — staff roles and units, console sign-in links and sessions ==
// Staff roles beyond the reminder chain's official/leader: propaganda teams, the district or
// province administrator, and viewers (report readers) sign in to the console too.
void console_v80_roles(SQLite::Database& db) {
    rebuild_table(db, "officials", "CHECK (role IN ('official', 'leader'))",
                  "CHECK (role IN ('official', 'leader', 'propaganda', 'admin', 'viewer'))");
}

const char* const console_v81 = R"SQL(
-- The units each staff member serves (officials.unit_id, the home unit, is always one of them).
-- Scope is decided by bot::unit_scope::covers over these; nothing else decides it.
CREATE TABLE official_units (
  official_id TEXT NOT NULL,
  unit_id     TEXT NOT NULL,
  PRIMARY KEY (official_id, unit_id)
);
CREATE INDEX official_units_unit ON official_units(unit_id);
INSERT INTO official_units (official_id, unit_id) SELECT official_id, unit_id FROM officials;
-- One-time sign-in links: only the SHA-256 of the secret is stored; single use, short-lived.
CREATE TABLE console_links (
  token_hash  TEXT PRIMARY KEY,
  official_id TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  via         TEXT NOT NULL               -- zalo | cli
);
CREATE INDEX console_links_official ON console_links(official_id, created_at);
-- Console sessions: the cookie's value is stored only as its SHA-256.
CREATE TABLE console_sessions (
  id_hash      TEXT PRIMARY KEY,
  official_id  TEXT NOT NULL,
  csrf         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at     INTEGER
);
CREATE INDEX console_sessions_official ON console_sessions(official_id) WHERE ended_at IS NULL;
)SQL";

const char* const console_v82 = R"SQL(
-- A hand-off handed over to one colleague from the console (notified on Zalo; shown in the inbox).
CREATE TABLE handoff_assignments (
  handoff_id  INTEGER PRIMARY KEY,
  official_id TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at INTEGER NOT NULL
);
-- Example questions attached to knowledge-base topics from the console ("Câu hỏi chưa trả lời"):
-- added to the topic's examples whenever the knowledge base is (re)loaded.
CREATE TABLE kb_examples (
  id       INTEGER PRIMARY KEY,
  topic_id TEXT NOT NULL,
  text     TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX kb_examples_text ON kb_examples(topic_id, text);
-- Unanswered questions dealt with (attached to a topic or dismissed), by their normalised text;
-- the same question asked again later shows up again.
CREATE TABLE unanswered_resolved (
  normalized  TEXT PRIMARY KEY,
  action      TEXT NOT NULL CHECK (action IN ('attached', 'dismissed')),
  topic_id    TEXT,
  resolved_by TEXT NOT NULL,
  resolved_at INTEGER NOT NULL
);
)SQL";


// == area: units — many Official Accounts ==
// Which OA a row belongs to: the OA a citizen follows and writes to, the OA an official linked on,
// the OA a message is sent through. '' is the default OA (rows from before there were several).
// Tokens move to one row per OA id; the single row of before becomes the OA `default`'s.
const char* const units_v40 = R"SQL(
ALTER TABLE users ADD COLUMN oa TEXT NOT NULL DEFAULT '';
ALTER TABLE officials ADD COLUMN oa TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN oa TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN oa TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_states ADD COLUMN oa TEXT NOT NULL DEFAULT 'default';
CREATE TABLE oa_tokens (
  oa                 TEXT PRIMARY KEY,
  access_token       TEXT,
  access_expires_at  INTEGER,
  refresh_token      TEXT,
  previous_refresh   TEXT,
  updated_at         INTEGER NOT NULL,
  needs_reauth       INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT
);
INSERT INTO oa_tokens (oa, access_token, access_expires_at, refresh_token, previous_refresh, updated_at, needs_reauth, last_error)
  SELECT 'default', access_token, access_expires_at, refresh_token, previous_refresh, updated_at, needs_reauth, last_error
  FROM oauth_tokens;
DROP TABLE oauth_tokens;
)SQL";

// Reports by OA read the interaction log through the reports' covering index: it now ends with
// the OA, so the per-OA pass (and an OA filter) stays an index-only read.
const char* const units_v41 = R"SQL(
DROP INDEX IF EXISTS interactions_report;
CREATE INDEX interactions_report ON interactions(direction, local_day, kind, outcome, topic, user_id, latency_ms, unit_id, oa);
)SQL";

// Each stored event keeps the OA whose key signed it: after a restart the events read back from
// the table are processed for the same OA as those handed over in memory (NULL: stored before).
const char* const units_v42 = R"SQL(
ALTER TABLE events ADD COLUMN oa TEXT;
)SQL";

// == area: dossiers — states, change detection, import runs, citizens following their dossier ==
const char* const dossiers_v50 = R"SQL(
-- The one-stop system's status of each dossier, and a fingerprint of every imported field so an
-- import writes only rows that changed. A return date means 'returned' (existing rows).
ALTER TABLE dossiers ADD COLUMN state TEXT NOT NULL DEFAULT 'processing'
  CHECK (state IN ('received', 'processing', 'supplement', 'result_ready', 'returned', 'withdrawn'));
ALTER TABLE dossiers ADD COLUMN fingerprint TEXT;
UPDATE dossiers SET state = 'returned' WHERE returned_on IS NOT NULL AND returned_on <> '';
-- Withdrawn dossiers are finished without a return date: the open indexes leave them out (the
-- queries repeat the same condition so SQLite keeps answering from the index alone).
DROP INDEX dossiers_open;
DROP INDEX dossiers_open_unit;
DROP INDEX dossiers_official;
CREATE INDEX dossiers_open ON dossiers(due_on, code, unit_id, official_id, procedure, returned_on, state)
  WHERE returned_on IS NULL AND state <> 'withdrawn';
CREATE INDEX dossiers_open_unit ON dossiers(unit_id, code, returned_on, state) WHERE returned_on IS NULL AND state <> 'withdrawn';
CREATE INDEX dossiers_official ON dossiers(official_id, due_on, code, procedure, unit_id, returned_on, state)
  WHERE returned_on IS NULL AND state <> 'withdrawn';
-- Rows of an import in progress: written in short chunks, then merged into dossiers in one short
-- transaction, so a big file never holds the write connection for long. `batch` is the import's
-- random key; rows of an import that died are removed by the next one.
CREATE TABLE dossier_import_staging (
  batch         TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  code          TEXT NOT NULL,
  procedure     TEXT NOT NULL,
  field         TEXT,
  level         TEXT NOT NULL,
  unit_id       TEXT NOT NULL,
  channel       TEXT NOT NULL,
  received_on   TEXT NOT NULL,
  received_time TEXT,
  due_on        TEXT NOT NULL,
  due_time      TEXT,
  returned_on   TEXT,
  returned_time TEXT,
  official_id   TEXT,
  citizen_phone TEXT,
  state         TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  changed       TEXT,               -- changed columns as seen when staged ('' for a new dossier)
  staged_at     INTEGER NOT NULL,
  PRIMARY KEY (batch, seq)
) WITHOUT ROWID;
-- One row per import: what it read, changed and rejected, and how long it took.
CREATE TABLE import_runs (
  id            INTEGER PRIMARY KEY,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL,
  merge_ms      INTEGER NOT NULL DEFAULT 0,  -- the longest single write (the final merge)
  source        TEXT NOT NULL,               -- cli | api | watch | console | demo
  actor         TEXT,                        -- token name, official, 'watch'
  file_name     TEXT,
  format        TEXT NOT NULL,               -- csv | xlsx | json | ''
  outcome       TEXT NOT NULL CHECK (outcome IN ('imported', 'rejected', 'failed')),
  rows          INTEGER NOT NULL DEFAULT 0,
  inserted      INTEGER NOT NULL DEFAULT 0,
  updated       INTEGER NOT NULL DEFAULT 0,
  unchanged     INTEGER NOT NULL DEFAULT 0,
  state_changes INTEGER NOT NULL DEFAULT 0,
  rejected      INTEGER NOT NULL DEFAULT 0,
  warnings      INTEGER NOT NULL DEFAULT 0,
  detail        TEXT
);
CREATE INDEX import_runs_started ON import_runs(started_at);
-- Rejected rows and warnings of a run, with file and line.
CREATE TABLE import_run_issues (
  run_id INTEGER NOT NULL,
  seq    INTEGER NOT NULL,
  kind   TEXT NOT NULL CHECK (kind IN ('error', 'warning')),
  file   TEXT,
  line   INTEGER NOT NULL,
  column_name TEXT,
  code   TEXT,
  reason TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
-- Every stored dossier an import changed: which columns, and its state and due date before and after.
-- notice: none (no follower or nothing a citizen is told) | pending | done.
CREATE TABLE dossier_changes (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER,
  code       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  old_state  TEXT NOT NULL,
  new_state  TEXT NOT NULL,
  old_due_on TEXT NOT NULL,
  new_due_on TEXT NOT NULL,
  fields     TEXT NOT NULL,
  notice     TEXT NOT NULL DEFAULT 'none' CHECK (notice IN ('none', 'pending', 'done'))
);
CREATE INDEX dossier_changes_run ON dossier_changes(run_id);
CREATE INDEX dossier_changes_code ON dossier_changes(code, id);
CREATE INDEX dossier_changes_pending ON dossier_changes(id) WHERE notice = 'pending';
-- Citizens following a dossier after proving its code and the phone on the receipt.
CREATE TABLE dossier_follows (
  code          TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  phone         TEXT NOT NULL,      -- the receipt's phone, for ZNS outside the 7-day window
  followed_at   INTEGER NOT NULL,
  unfollowed_at INTEGER,
  PRIMARY KEY (code, user_id)
) WITHOUT ROWID;
CREATE INDEX dossier_follows_user ON dossier_follows(user_id, code) WHERE unfollowed_at IS NULL;
-- One notice per change and follower: sent at most once, also across restarts.
CREATE TABLE dossier_notices (
  change_id  INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  code       TEXT NOT NULL,
  kind       TEXT NOT NULL,          -- received | processing | supplement | result_ready | returned | withdrawn | rescheduled
  channel    TEXT NOT NULL,          -- cs | zns | none
  status     TEXT NOT NULL,          -- queued | undeliverable
  outbox_id  INTEGER,
  unit_id    TEXT,
  local_day  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (change_id, user_id)
) WITHOUT ROWID;
CREATE INDEX dossier_notices_day ON dossier_notices(local_day);
-- A citizen who tapped "Theo dõi hồ sơ này" and is asked for the receipt's phone: the code waits here.
CREATE TABLE dossier_follow_pending (
  user_id TEXT PRIMARY KEY,
  code    TEXT NOT NULL,
  at      INTEGER NOT NULL
);
-- Failed attempts to follow (wrong code or phone), per citizen and local day: a ceiling on guessing.
CREATE TABLE dossier_follow_attempts (
  user_id   TEXT NOT NULL,
  local_day TEXT NOT NULL,
  failures  INTEGER NOT NULL,
  PRIMARY KEY (user_id, local_day)
) WITHOUT ROWID;
)SQL";

// == area: dossiers — a big import's new rows placed before its merge, hidden until it commits ==
const char* const dossiers_v51 = R"SQL(
-- The table keeps its rows under a new name; readers use the view `dossiers`, the rows at or below
-- a ceiling. The ceiling is the largest rowid there can be while no import is placing rows. A big
-- import takes the placement (`batch`, kept fresh in `touched`), which lowers the ceiling to the
-- last row, then appends its new dossiers above it in short chunks, so no reader sees them; its
-- final merge lifts the ceiling again in the same commit that records the run: one row updated
-- instead of 100,000 inserted, and the all-or-nothing promise holds. Rows above the ceiling belong
-- to the one import holding the placement; one that died leaves them, and the next removes them.
-- Unary plus: the ceiling must not steer SQLite towards the rowid instead of the open indexes.
ALTER TABLE dossiers RENAME TO dossier_rows;
CREATE TABLE dossier_visibility (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  ceiling INTEGER NOT NULL,
  batch   TEXT,
  touched INTEGER
);
INSERT INTO dossier_visibility (id, ceiling) VALUES (1, 9223372036854775807);
CREATE VIEW dossiers AS SELECT * FROM dossier_rows WHERE +rowid <= (SELECT ceiling FROM dossier_visibility);
)SQL";

// == area: dossiers — an import issue keeps the cell as written, so a run's issues can be shown
// later in the words officials read (templates/messages/imports.toml), not only in English ==
const char* const dossiers_v52 = R"SQL(
ALTER TABLE import_run_issues ADD COLUMN value TEXT;
)SQL";


// == area: event, second block (90–99): indexes other areas' migrations made, changed after them
// (a version in 10–19 would run before units_v41 on a new database and be undone by it) ==
// Each event writes at least two interactions (the message and the reply), and each insert
// wrote three b-trees: the table, interactions_day and the 9-column interactions_report. No query
// reads interactions_day (EXPLAIN QUERY PLAN of every statement on the table), and every query
// that reads interactions_report asks for direction = 'in' (the reports, the console's questions
// by day, the inbox's last message): as a partial index on inbound rows it serves them with the
// same plans, and an outbound row writes the table alone. 6 b-tree inserts per event become 3.
const char* const event_v90 = R"SQL(
DROP INDEX IF EXISTS interactions_day;
DROP INDEX IF EXISTS interactions_report;
CREATE INDEX interactions_report ON interactions(direction, local_day, kind, outcome, topic, user_id, latency_ms, unit_id, oa)
  WHERE direction = 'in';
)SQL";

// A citizen's fallback asks for their last unanswered question twice (was the previous one in
// this conversation? is this the second in a row?), and only an index on the day existed: each
// fallback read the whole table, which keeps every unanswered question of the deployment. With
// distinct questions (a fifth of them out of scope) the write worker's time per event doubled
// in 20 s of saturation. One more b-tree insert per fallback; forgetting a user (DELETE … WHERE
// user_id) uses it too.
const char* const event_v91 = R"SQL(
CREATE INDEX unanswered_user ON unanswered(user_id, at);
)SQL";

// Webhook events are keyed by their time first (zalo::dedup_key): "1543908534744:user_send_text:
// 96d3…". Keys stored before get the same prefix from the time they were stored with, so a retry
// of one of them is still recognised. Old keys begin with a letter, new ones with a digit: no key
// meets another while they are rewritten.
const char* const event_v92 = R"SQL(
UPDATE events SET dedup_key = printf('%013d:', max(coalesce(zalo_ts, 0), 0)) || dedup_key;
)SQL";

// The report index ordered a day's questions by kind, outcome and topic, so each inbound message
// went onto a different page of the day's part of it: at 2,000 events/s, 111 of the 315 existing
// pages checkpoints rewrote in two seconds were this index's, all over the database file. No
// query reads it in that order (each reads a range of days, by day or whole): with the row's id
// after the day, a new question goes at its right edge. The same columns, so every query stays
// index-only.
const char* const event_v93 = R"SQL(
DROP INDEX IF EXISTS interactions_report;
CREATE INDEX interactions_report ON interactions(direction, local_day, id, kind, outcome, topic, user_id, latency_ms, unit_id, oa)
  WHERE direction = 'in';
)SQL";

}  // namespace

const std::vector<migration>& all_migrations() {
    static const std::vector<migration> list = {
        {1, core_v1},
        {2, zalo_v2},
        {3, conversation_v3},
        {4, reminders_v4},
        {5, broadcasts_v5},
        {6, reports_v6},
        {10, event_v10},
        {11, event_v11},
        {40, units_v40},
        {41, units_v41},
        {42, units_v42},
        {50, dossiers_v50},
        {51, dossiers_v51},
        {52, dossiers_v52},
        {70, trust_flows_v70},
        {71, trust_flows_v71},
        {80, nullptr, console_v80_roles},
        {81, console_v81},
        {82, console_v82},
        {90, event_v90},
        {91, event_v91},
        {92, event_v92},
        {93, event_v93},
    };
    return list;
}

}  // namespace storage
