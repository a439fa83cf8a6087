// The service's configuration: one plain struct, loaded and validated once, passed by const&.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bot {

/// An administrative level (for example `huyen` "Cấp huyện"), in order from the highest tier.
/// Levels can belong to a period: the district level ends on 2025-06-30.
struct level_config {
    std::string id;           ///< level id used in the dossier CSV column `cap`
    std::string label;        ///< label used in reports ("Cấp xã")
    std::string valid_from;   ///< first day it exists, 'YYYY-MM-DD'; empty = always has
    std::string valid_until;  ///< last day it exists, 'YYYY-MM-DD'; empty = still does
    std::string unit_word;    ///< how people name its units in a question ("xã, phường"); empty = [locality]'s
};

/// A name a unit had before (a commune that became a ward keeps its id).
struct former_name {
    std::string name;   ///< the name it had ("xã Bố Hạ")
    std::string until;  ///< the last day it had that name, 'YYYY-MM-DD'
};

/// A unit: a province, a district desk, a commune or ward, with its villages or residential
/// groups. Units have a period of validity; merged units name their successors.
struct unit_config {
    std::string id;                     ///< unit id used in the dossier CSV column `don_vi`
    std::string name;                   ///< display name now ("xã Yên Thế")
    std::string level;                  ///< level id
    std::vector<std::string> villages;  ///< villages / residential groups
    std::string address;                ///< one-stop desk address (answers, lookups)
    std::string phone;                  ///< one-stop desk phone
    std::string valid_from;             ///< first day it exists, 'YYYY-MM-DD'; empty = always has
    std::string valid_until;            ///< last day it exists, 'YYYY-MM-DD'; empty = still does
    std::vector<std::string> successors;  ///< units it became; the first takes over its open work
    std::string parent;                 ///< the unit above it (covers it); empty = none
    std::vector<former_name> former_names;  ///< earlier names, oldest first
    std::string desk_name;              ///< its one-stop desk as citizens name it; empty = derived from [locality]
};

/// One Zalo Official Account the service runs. Without `[[oa]]` tables the `[zalo]` keys are
/// the one OA (id `default`) and it serves every unit.
struct oa_config {
    std::string id;             ///< short id (`[a-z0-9_]`): storage key, reports, env names
    std::string name;           ///< display name ("UBND xã Yên Thế")
    std::string app_id;         ///< Zalo app id (webhook MAC, OAuth)
    std::string oa_id;          ///< Zalo OA id (events' recipient / oa_id)
    std::string oa_secret_key;  ///< secret: webhook MAC key
    std::string app_secret;     ///< secret: OAuth key
    std::string refresh_token;  ///< secret: first refresh token, used while its token store is empty
    std::vector<std::string> units;  ///< units it serves (and what they cover); empty = every unit
    unsigned broadcast_daily_quota = 500;  ///< used when Zalo has not reported one
    std::string zns_reminder_template;      ///< ZNS template for reminders outside the window
    bool is_default = false;               ///< takes what no other OA serves
    /// `[oa.locality]`: placeholder values for this OA's knowledge-base answers, over those its
    /// units give and the global [locality] (bot::oa_locality).
    std::map<std::string, std::string> locality;
};

/// A date the locality adds to or moves in the working-day calendar ([calendar] in the file).
struct calendar_day_config {
    std::string date;  ///< YYYY-MM-DD, local
    std::string name;  ///< why (shown when a reminder scan skips the day)
};

/// An admin API token, configured as a salted hash (`sha256$<salt>$<hex sha256(salt + token)>`).
struct api_token_config {
    std::string name;  ///< who holds it; recorded in the audit log
    std::string role;  ///< admin | operator | propaganda | viewer
    std::string hash;  ///< salted hash, never the token itself
    /// Units it serves (`units = [...]`; a unit covers the units of lower levels below it).
    /// Required for every role but admin; an admin token without units serves every unit.
    std::vector<std::string> units;
};

/// Thrown for an invalid configuration; what() is one line naming the key.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The whole configuration. Defaults are the embedded demo defaults.
struct config {
    struct server_section {
        std::string address = "127.0.0.1";
        std::uint16_t port = 8080;
        unsigned threads = 0;  ///< 0 = number of cores
        unsigned readers = 2;  ///< read-only connections (threads) for API reads and reports
        std::string webhook_path = "/webhook/zalo";
        std::size_t body_limit = 65536;
        std::size_t admin_body_limit = 16 * 1024 * 1024;  ///< bytes, for /api/v1 (dossier imports)
        /// Bytes of request bodies being read or handled at once, over all connections; a request
        /// that would pass it gets 503 before its body is read.
        std::size_t body_memory_limit = 64 * 1024 * 1024;
        /// Open connections at most; 0 = derived from the open-file limit (RLIMIT_NOFILE) at start.
        std::size_t max_connections = 0;
        std::chrono::seconds read_timeout{10};   ///< whole request must arrive within this
        std::chrono::seconds idle_timeout{60};   ///< keep-alive idle limit
        std::chrono::seconds shutdown_timeout{3};  ///< requests in flight at a stop; the whole stop stays within 5 s
        std::string verification_file;     ///< Zalo domain-verification file name (without .html)
        std::string verification_content;  ///< its content
    } server;

    struct storage_section {
        std::string path = "data/cchcbot.db";
    } storage;

    struct zalo_section {
        std::string app_id;
        std::string oa_id;
        std::string oa_secret_key;   ///< secret: from CCHCBOT_ZALO_OA_SECRET_KEY or oa_secret_key_file
        std::string app_secret;      ///< secret: from CCHCBOT_ZALO_APP_SECRET or app_secret_file
        std::string refresh_token;   ///< secret: bootstrap refresh token
        std::string api_base = "https://openapi.zalo.me";
        std::string oauth_base = "https://oauth.zaloapp.com";
        std::string zns_base = "https://business.openapi.zalo.me";
        std::string ca_file;
        std::chrono::seconds replay_window{86400};
        std::string redirect_uri;          ///< OAuth callback URL registered with Zalo
        unsigned rate_per_minute = 4000;   ///< outbox token bucket
        unsigned max_attempts = 8;         ///< outbox attempts before `failed`
        std::chrono::milliseconds retry_base{1000};   ///< outbox backoff after the first failure (doubles)
        std::chrono::milliseconds retry_max{300000};  ///< outbox backoff cap
        unsigned sender_lanes = 8;                    ///< outbox lanes (messages in flight at once)
        std::chrono::seconds token_refresh_margin{3600};  ///< refresh the access token this long before expiry
        std::chrono::milliseconds connect_timeout{5000};
        std::chrono::milliseconds request_timeout{10000};
        std::string zns_reminder_template;  ///< ZNS template id for reminders outside the window
        std::string zns_status_template;    ///< ZNS template id for dossier status notices outside the window
        unsigned broadcast_daily_quota = 500;  ///< used when Zalo does not report one
        int promotion_first_minute = 6 * 60;   ///< promotion (broadcast) messages from this local minute ...
        int promotion_end_minute = 22 * 60;    ///< ... until before this one (zalo.promotion_hours "06:00-22:00")
        bool simulator = false;  ///< true in the demo: the in-process simulator stands in for Zalo
    } zalo;

    struct kb_section {
        std::string dir = "templates/kb";
        std::string shorthand_file = "templates/shorthand.tsv";
        std::string spoken_file = "templates/spoken.tsv";  ///< spoken and regional forms (same format)
        /// Folder where trained models are kept between runs, so a restart or a reload of an
        /// unchanged knowledge base does not train again. Unset: "model-cache" beside the
        /// database; "off" (or a database in memory): none.
        std::string model_cache;
    } kb;

    struct conversation_section {
        unsigned flood_limit_per_minute = 20;
        unsigned link_attempts_per_hour = 5;         ///< failed `DK <code>` per Zalo user per hour
        unsigned link_attempts_per_hour_total = 30;  ///< failed `DK <code>` of all users per hour
        unsigned link_code_max_failures = 5;         ///< wrong guesses aimed at one code before it locks
        std::string dossier_code_pattern =
            R"(\b(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}|[A-Z]\d{2}\.\d{2}-\d{4}|HS-\d{4}-\d{6})\b)";
        std::string portal_url = "https://dichvucong.gov.vn";
        std::string hotline = "";  ///< complaints hotline shown in answers
    } conversation;

    struct reminders_section {
        std::chrono::seconds interval{900};
        unsigned due_soon_days = 1;       ///< N: today or within the next N working days
        unsigned escalate_after_days = 2; ///< M: working days after the due date
        std::string work_start = "07:30";
        std::string work_end = "17:00";
        std::string calendar_dir = "templates/calendar";
        /// Deprecated: the time zone is `time.utc_offset_minutes`; the loader keeps this copy
        /// equal to it for code written before the move. Read `time`, never set this one.
        int utc_offset_minutes = 420;
    } reminders;

    /// The deployment's local time, for everything dated or timed (reminders, reports, working
    /// hours, log days): a fixed offset, as Viet Nam has no daylight saving.
    struct time_section {
        int utc_offset_minutes = 420;  ///< UTC+7
    } time;

    /// Local changes to templates/calendar: a day a province gives off, a Saturday it works.
    /// A date here wins over the bundled calendar (so a moved day is one of each).
    struct calendar_section {
        std::vector<calendar_day_config> extra_days_off;   ///< working days the locality gives off
        std::vector<calendar_day_config> extra_work_days;  ///< days off (usually Saturdays) worked here
    } calendar;

    /// [import]: dossier exports from the one-stop system (bot/dossiers/).
    struct import_section {
        std::string folder;                   ///< watched folder; empty = no automatic import
        std::chrono::seconds interval{300};   ///< how often the folder is looked at (when `times` is empty)
        std::vector<std::string> times;       ///< local "HH:MM" times to look instead of every `interval`
        std::chrono::seconds settle{10};      ///< a file must be unchanged this long before it is read
        std::size_t chunk_rows = 2000;        ///< rows per staging write (each its own short transaction)
        /// field (ma_ho_so, thu_tuc, ..., trang_thai) → more header names to read it from
        std::map<std::string, std::vector<std::string>> columns;
        std::map<std::string, std::string> units;     ///< a unit name as exported → unit id
        std::map<std::string, std::string> statuses;  ///< a status word as exported → state name
        std::map<std::string, std::string> channels;  ///< a channel word as exported → truc_tuyen | truc_tiep | bcci
    } imports;

    struct report_section {
        double online_rate_target = 80.0;  ///< % (configured targets for the report)
        double on_time_rate_target = 98.0;
    } report;

    struct console_section {
        /// The address staff open the console at, e.g. "https://bot.example.gov.vn" (sign-in links
        /// start with it; "https://" also marks the session cookie Secure). Empty: the server's own
        /// http://address:port.
        std::string public_url;
        std::chrono::seconds session_idle{1800};      ///< a session unused this long ends
        std::chrono::seconds session_max{12 * 3600};  ///< a session ends this long after sign-in anyway
        unsigned link_requests_per_hour = 5;          ///< sign-in links one person may ask for in an hour
    } console;

    std::string templates_dir = "templates";
    std::map<std::string, std::string> locality;  ///< [locality] placeholders for the KB
    std::vector<level_config> levels;
    std::vector<unit_config> units;
    std::vector<oa_config> oa_tables;  ///< `[[oa]]` as configured; empty = the `[zalo]` OA alone
    std::vector<api_token_config> api_tokens;
    bool demo = false;

    /// The unit with this id (whatever its period), or nullptr. For "which unit is this on a
    /// date" use bot/core/units.hpp.
    [[nodiscard]] const unit_config* find_unit(const std::string& id) const;
    /// The level with this id, or nullptr.
    [[nodiscard]] const level_config* find_level(const std::string& id) const;
    /// The Official Accounts: the `[[oa]]` tables, or one OA `default` made from the `[zalo]`
    /// keys as they are now. Never empty; exactly one has is_default.
    [[nodiscard]] std::vector<oa_config> official_accounts() const;
};

/// Where the configuration comes from.
struct config_source {
    std::optional<std::string> file;  ///< --config; else CCHCBOT_CONFIG; else ./cchcbot.toml if present
    bool demo = false;                ///< fill demo defaults (units, secrets) where unset
    std::string install_root;         ///< where templates/ and data/ are when not configured (find_install_root)
};

/// The installation a program at `exe_path` belongs to: the nearest of its folder and the folder
/// above that holds templates/messages (the build tree, /opt/cchcbot/bin/..), else the first of
/// `places` that does. Empty when none does.
[[nodiscard]] std::string find_install_root(const std::string& exe_path, const std::vector<std::string>& places);
/// The usual places of an installed cchcbot: /opt/cchcbot, /usr/local/share/cchcbot, /usr/share/cchcbot.
[[nodiscard]] const std::vector<std::string>& default_install_places();

/// Loads the TOML file, applies CCHCBOT_* overrides, reads secrets from the environment or
/// files, fills defaults and validates.
/// @throws config_error with one line naming the key and what is wrong.
[[nodiscard]] config load_config(const config_source& src);

/// Same as load_config but from TOML text and an explicit environment (for tests).
/// @throws config_error
/// `install_root` (may be empty: then relative to the current folder) anchors what the file and
/// environment leave unset: templates_dir (root/templates), kb.dir, kb.shorthand_file,
/// kb.spoken_file and reminders.calendar_dir (under templates_dir, also when only templates_dir is set) and
/// storage.path (root/data/cchcbot.db), so every command of one installation shares one database.
[[nodiscard]] config load_config_from(const std::string& toml_text,
                                      const std::map<std::string, std::string>& env,
                                      bool demo, const std::string& install_root = {});

/// The demo units, levels and locality used when the file configures none.
void apply_demo_defaults(config& cfg);

}  // namespace bot
