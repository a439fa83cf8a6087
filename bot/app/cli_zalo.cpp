// Zalo commands: token status|set|hash|auth-url.
#include "bot/app/app.hpp"

#include "bot/core/crypto.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/zalo/zalo_client.hpp"
#include "storage/database.hpp"
#include "storage/token_repository.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/rand.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

namespace bot::app {

namespace {

std::string trim(std::string s) {
    auto sp = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!s.empty() && sp(s.back())) s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && sp(s[b])) ++b;
    return s.substr(b);
}

std::string iso_utc(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// The OAs a token command is for: the one named by --oa (unknown: a usage error naming the
/// configured ones), else every configured OA (status) or the default OA (set, auth-url).
std::vector<oa_config> chosen_oas(const config& cfg, const std::string& oa_id, bool all_when_unnamed) {
    const auto oas = cfg.official_accounts();
    if (oa_id.empty() && all_when_unnamed) return oas;
    return {oa_option(oas, oa_id)};
}

void token_status(const cli_options& opts, bool as_json, const std::string& oa_id, int& exit_code) {
    auto cfg = load_config(source_for(opts));
    auto db = storage::open_database(cfg.storage.path);
    const std::int64_t now = bot::now_ms();
    const auto oas = chosen_oas(cfg, oa_id, true);
    const bool named = !cfg.oa_tables.empty();  // several OAs: each line names its OA
    boost::json::array all;
    for (const auto& oa : oas) {
        auto row = storage::load_tokens(*db, oa.id);
        std::string state;
        if (!row || row->refresh_token.empty()) state = oa.refresh_token.empty() ? "no_token" : "bootstrap_pending";
        else if (row->needs_reauth) state = "needs_reauth";
        else if (row->access_token.empty() || row->access_expires_at <= now) state = "refresh_due";
        else state = "ok";
        const bool healthy = state == "ok" || state == "refresh_due" || state == "bootstrap_pending";
        if (!healthy) exit_code = 1;
        if (as_json) {
            boost::json::object o;
            if (named) o["oa"] = oa.id;
            o["state"] = state;
            o["has_refresh_token"] = row && !row->refresh_token.empty();
            o["has_access_token"] = row && !row->access_token.empty();
            o["needs_reauth"] = row && row->needs_reauth;
            if (row && row->access_expires_at > 0) {
                o["access_expires_at"] = iso_utc(row->access_expires_at);
                o["access_expires_in_s"] = (row->access_expires_at - now) / 1000;
            }
            if (row) o["updated_at"] = iso_utc(row->updated_at);
            if (row && !row->last_error.empty()) o["last_error"] = row->last_error;
            all.push_back(std::move(o));
            continue;
        }
        const std::string cli_oa = named ? " --oa " + oa.id : std::string{};
        if (named) std::cout << "OA " << oa.id << (oa.name.empty() ? "" : " (" + oa.name + ")") << ":\n";
        std::cout << "state: " << state << "\n";
        std::cout << "refresh token: " << (row && !row->refresh_token.empty() ? "stored" : "none") << "\n";
        if (row && !row->access_token.empty() && row->access_expires_at > 0)
            std::cout << "access token: valid until " << iso_utc(row->access_expires_at) << "\n";
        else
            std::cout << "access token: none (obtained at the next refresh)\n";
        if (row) std::cout << "updated: " << iso_utc(row->updated_at) << "\n";
        if (row && !row->last_error.empty()) std::cout << "last error: " << row->last_error << "\n";
        if (state == "needs_reauth" || state == "no_token")
            std::cout << "action: authorise the OA again (cchcbot token auth-url" << cli_oa
                      << ") or cchcbot token set" << cli_oa << " --refresh-token-file FILE\n";
    }
    // One OA (or --oa): one object, as with a single OA; several: {"oas": [...]}.
    if (as_json && all.size() == 1) std::cout << boost::json::serialize(all.front()) << "\n";
    else if (as_json) std::cout << boost::json::serialize(boost::json::object{{"oas", std::move(all)}}) << "\n";
}

}  // namespace

void register_zalo_commands(CLI::App& app, cli_options& opts) {
    auto* token = app.add_subcommand("token", "Zalo OA tokens and admin API token hashes");
    token->require_subcommand(1);

    auto* status = token->add_subcommand("status", "Show the OA token state (never the tokens); exit 1 when re-authorisation is needed");
    auto as_json = std::make_shared<bool>(false);
    auto oa = std::make_shared<std::string>();
    const char* oa_help = "the Official Account ([[oa]] id; default: the default OA, for status every OA)";
    status->add_flag("--json", *as_json, "print one JSON object");
    status->add_option("--oa", *oa, oa_help);
    status->callback([&opts, as_json, oa] { token_status(opts, *as_json, *oa, opts.exit_code); });

    auto* set = token->add_subcommand("set", "Replace the stored refresh token (read from a file, never from the command line)");
    auto file = std::make_shared<std::string>();
    set->add_option("--refresh-token-file", *file, "file holding the refresh token ('-' for standard input)")->required();
    set->add_option("--oa", *oa, oa_help);
    set->callback([&opts, file, oa] {
        std::string rt;
        if (*file == "-") {
            std::getline(std::cin, rt);
        } else {
            std::ifstream in(*file, std::ios::binary);
            if (!in) throw command_error("cannot read " + *file);
            std::stringstream ss;
            ss << in.rdbuf();
            rt = ss.str();
        }
        rt = trim(rt);
        if (rt.empty() || rt.find_first_of(" \t\n") != std::string::npos) throw command_error("the file does not hold a refresh token");
        auto cfg = load_config(source_for(opts));
        const auto target = chosen_oas(cfg, *oa, false).front();
        auto db = storage::open_database(cfg.storage.path);
        storage::replace_refresh_token(*db, rt, bot::now_ms(), target.id);
        std::cout << "refresh token replaced; the running server uses it at its next token check\n";
    });

    auto* hash = token->add_subcommand("hash", "Read an admin API token from standard input and print its salted hash for the config");
    hash->callback([] {
        std::string tok;
        std::getline(std::cin, tok);
        tok = trim(tok);
        if (tok.empty()) throw command_error("no token on standard input");
        const std::string salt = bot::random_hex(8);
        std::cout << bot::hash_api_token(tok, salt) << "\n";
    });

    auto* url = token->add_subcommand("auth-url", "Print the Zalo consent URL for the OA admin (PKCE); the callback stores the tokens");
    url->add_option("--oa", *oa, oa_help);
    url->callback([&opts, oa] {
        auto cfg = load_config(source_for(opts));
        const auto target = chosen_oas(cfg, *oa, false).front();
        if (target.app_id.empty()) throw command_error("configuration: zalo.app_id is not set");
        if (cfg.zalo.redirect_uri.empty())
            throw command_error("configuration: zalo.redirect_uri is not set (the public URL of /oauth/zalo/callback)");
        auto verifier = bot::pkce_verifier();
        auto state = bot::random_state();
        auto db = storage::open_database(cfg.storage.path);
        storage::save_oauth_state(*db, state, verifier, bot::now_ms(), target.id);  // the callback stores its tokens
        std::cout << bot::permission_url(cfg, target.app_id, bot::pkce_challenge(verifier), state) << "\n";
    });
}

}  // namespace bot::app
