// Conversation commands: chat (a terminal conversation through the same routes and handlers).
#include "bot/app/app.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/official_accounts.hpp"
#include "storage/chat_outbox.hpp"
#include "storage/database.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/official_link.hpp"
#include "storage/user_repository.hpp"

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <iostream>
#include <memory>

namespace bot::app {

namespace {

struct chat_session {
    environment& env;
    SQLite::Database& db;
    std::string user_id;
    oa_config oa;  ///< the Official Account the chat user writes to
    std::ostream& out;
    std::vector<zalo::button> last_buttons;
    long long counter = 0;

    // Routes one event like the dispatcher would; prints what is addressed to the chat user and
    // stores everything else in the outbox for the server to send.
    void turn(zalo::event ev) {
        const std::int64_t now = env.clock();
        ev.timestamp_ms = now;
        ev.timestamp = std::to_string(now);
        ev.msg_id = "cli-" + std::to_string(now) + "-" + std::to_string(++counter);
        std::vector<zalo::outgoing_message> mine;
        std::size_t queued = 0;
        {
            SQLite::Transaction tx(db);
            auto ctx = env.context(db, oa.id);
            handlers::outcome result = route(ev, ctx);
            handlers::outcome others;
            others.note = result.note;
            for (auto& m : result.messages) (m.recipient == user_id ? mine : others.messages).push_back(std::move(m));
            queued = others.messages.size();
            handlers::commit_outcome(ctx, others, user_id, ev.text, std::nullopt, now);
            // What is printed here is delivered: log it like a sent reply, not left in the outbox.
            const int offset = env.cfg.time.utc_offset_minutes;
            for (const auto& m : mine) {
                storage::interaction i;
                i.at = now;
                i.local_day = to_iso(local_date_of(now, offset));
                i.user_id = user_id;
                i.unit_id = result.note ? result.note->unit_id : std::string{};
                i.direction = "out";
                i.kind = m.purpose.empty() ? "reply" : m.purpose;
                i.topic = result.note ? result.note->topic : std::string{};
                i.text = m.text;
                i.oa = oa.id;
                storage::log_interaction(db, i);
            }
            tx.commit();
        }
        print(mine);
        if (queued > 0) out << "  (" << queued << " tin nhắn tới cán bộ/người khác đã vào hàng đợi gửi)\n";
    }

    // Messages others queued for the chat user meanwhile (an official's answer from another
    // terminal or the admin API): shown here instead of being sent to Zalo.
    void show_pending() {
        std::vector<zalo::outgoing_message> pending;
        for (const auto& body : storage::take_pending_for(db, user_id, env.clock())) {
            try {
                pending.push_back(zalo::outgoing_from_json(body));
            } catch (const std::exception&) {
                out << "  (một tin nhắn trong hàng đợi không đọc được)\n";
            }
        }
        print(pending);
    }

    void print(const std::vector<zalo::outgoing_message>& messages) {
        if (messages.empty()) return;
        last_buttons.clear();
        for (const auto& m : messages) {
            out << "Bot: " << m.text << "\n";
            for (const auto& b : m.buttons) {
                last_buttons.push_back(b);
                out << "  [" << last_buttons.size() << "] " << b.title;
                if (b.type == zalo::button::kind::open_url) out << " → " << b.payload;
                if (b.type == zalo::button::kind::open_phone) out << " ☎ " << b.payload;
                out << "\n";
            }
        }
        out.flush();
    }

    zalo::event event(zalo::event_type type, std::string text = {}) const {
        zalo::event ev;
        ev.type = type;
        ev.name = std::string(zalo::to_string(type));
        ev.app_id = oa.app_id;
        ev.sender_id = user_id;
        ev.recipient_id = oa.oa_id;
        ev.user_id = user_id;
        ev.text = std::move(text);
        return ev;
    }

    // A number typed after buttons taps that button; anything else is sent as typed.
    std::optional<std::string> input_to_text(const std::string& line) {
        if (!line.empty() && line.size() <= 3 && line.find_first_not_of("0123456789") == std::string::npos) {
            const std::size_t n = std::stoul(line);
            if (n >= 1 && n <= last_buttons.size()) {
                const auto& b = last_buttons[n - 1];
                if (b.type == zalo::button::kind::query_show || b.type == zalo::button::kind::query_hide) return b.payload;
                out << "  (mở " << b.payload << ")\n";
                return std::nullopt;
            }
        }
        return line;
    }
};

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

void run_chat(const cli_options& opts, const std::string& official_id, std::string user_id, const std::string& oa_id) {
    auto env = make_environment(source_for(opts));
    const auto oas = env->cfg.official_accounts();
    const oa_config& oa = oa_option(oas, oa_id);
    auto db = storage::open_database(env->cfg.storage.path);
    if (!official_id.empty()) {
        auto account = storage::official_zalo_account(*db, official_id);
        if (!account) throw command_error("Không có cán bộ (đang hoạt động) với mã \"" + official_id + "\".");
        if (account->empty()) {
            user_id = "cli-official-" + official_id;
            storage::link_official_account(*db, official_id, user_id);
            std::cout << "Cán bộ " << official_id << " chưa liên kết Zalo: đã liên kết với tài khoản chat " << user_id
                      << ".\n";
        } else {
            user_id = *account;
        }
        std::cout << "Đang chat với tư cách cán bộ " << official_id << " (Zalo " << user_id << ").\n";
    } else {
        std::cout << "Đang chat với tư cách người dân (Zalo " << user_id << ").\n";
    }
    if (oas.size() > 1) std::cout << "Tài khoản Zalo OA: " << (oa.name.empty() ? oa.id : oa.name) << " (--oa " << oa.id << ").\n";
    std::cout << "Cơ sở dữ liệu: " << env->cfg.storage.path
              << ". Gõ số để bấm nút, Enter để xem tin mới, /quit để thoát.\n";

    chat_session s{*env, *db, user_id, oa, std::cout, {}, 0};
    if (official_id.empty()) {
        // A citizen opening the chat: greet like the OA's "Nhắn tin" button does.
        s.turn(s.event(zalo::event_type::user_click_chatnow));
    }
    std::string line;
    while (true) {
        s.show_pending();
        std::cout << "> " << std::flush;
        if (!std::getline(std::cin, line)) break;
        line = trimmed(line);
        if (line.empty()) continue;
        if (line == "/quit" || line == "/exit") break;
        auto text = s.input_to_text(line);
        if (!text) continue;
        s.turn(s.event(zalo::event_type::user_send_text, *text));
    }
    std::cout << "\n";
}

}  // namespace

void register_chat_commands(CLI::App& app, cli_options& opts) {
    auto* cmd = app.add_subcommand("chat", "Chat with the bot in the terminal, as a citizen or as an official");
    auto official = std::make_shared<std::string>();
    auto user = std::make_shared<std::string>("cli-citizen");
    cmd->add_option("--as-official", *official, "chat as this official's Zalo account (linked now if it is not)");
    auto oa = std::make_shared<std::string>();
    cmd->add_option("--user", *user, "the Zalo user id to chat as (default: cli-citizen)");
    cmd->add_option("--oa", *oa, "the Official Account ([[oa]] id) to write to (default: the default OA)");
    cmd->callback([&opts, official, user, oa] { run_chat(opts, *official, *user, *oa); });
}

}  // namespace bot::app
