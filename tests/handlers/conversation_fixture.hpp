// Shared set-up for the conversation handler tests: a memory DB, a test environment and a small
// fake knowledge base whose decisions the tests choose.
#pragma once

#include "bot/app/app.hpp"
#include "bot/language/knowledge_base.hpp"
#include "handlers/context.hpp"
#include "tests/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <memory>
#include <string>

namespace test {

/// A knowledge base with a few topics; match() answers from a fixed table of texts.
class fake_kb final : public bot::knowledge_base {
public:
    fake_kb() {
        topics_.push_back(topic("khai_sinh", "Đăng ký khai sinh", "Dạ, để đăng ký khai sinh trực tuyến anh/chị làm như sau...", {"le_phi"}));
        zalo::button link;
        link.type = zalo::button::kind::open_url;
        link.title = "Cổng DVC";
        link.payload = "https://dichvucong.gov.vn";
        topics_.back().buttons.push_back(link);
        topics_.push_back(topic("le_phi", "Lệ phí", "Dạ, lệ phí khai sinh đúng hạn được miễn...", {}));
        topics_.push_back(topic("tai_khoan_dvc", "Tài khoản Cổng DVC", "Dạ, để đăng ký tài khoản...", {"khai_sinh"}));
        topics_.push_back(topic("gap_can_bo", "Gặp cán bộ", "Dạ, em chuyển anh/chị tới cán bộ.", {}));
        topics_.push_back(topic("chao_hoi", "Chào hỏi", "Dạ, em chào anh/chị ạ.", {}));
        topics_.push_back(topic("khai_tu", "Đăng ký khai tử", "Dạ, để đăng ký khai tử...", {}));
        answers_["khai sinh"] = "khai_sinh";
        answers_["lam sao dang ky khai sinh"] = "khai_sinh";
        answers_["cho toi gap can bo"] = "gap_can_bo";
    }

    const std::vector<bot::kb_topic>& topics() const override { return topics_; }
    const bot::kb_topic* find(const std::string& id) const override {
        for (const auto& t : topics_)
            if (t.id == id) return &t;
        return nullptr;
    }
    bot::kb_match match(std::string_view text) const override {
        bot::kb_match m;
        if (auto it = answers_.find(std::string(text)); it != answers_.end()) {
            m.outcome = bot::match_outcome::answered;
            m.topic = find(it->second);
            m.score = 0.9;
        } else if (text == "dang ky") {
            m.outcome = bot::match_outcome::clarified;
            m.alternatives = {find("tai_khoan_dvc"), find("khai_sinh")};
            m.score = 0.5;
        } else if (text == "giay to") {
            // Four plausible topics, the greeting among them.
            m.outcome = bot::match_outcome::clarified;
            m.alternatives = {find("khai_sinh"), find("chao_hoi"), find("khai_tu"), find("le_phi"), find("tai_khoan_dvc")};
            m.score = 0.4;
        } else if (text == "cam on em") {
            m.outcome = bot::match_outcome::answered;
            m.acknowledgement = true;
            m.topic = find("chao_hoi");
            m.score = 1;
        }
        return m;
    }

private:
    static bot::kb_topic topic(std::string id, std::string title, std::string answer, std::vector<std::string> related) {
        bot::kb_topic t;
        t.id = std::move(id);
        t.title = std::move(title);
        t.answer = std::move(answer);
        t.related = std::move(related);
        return t;
    }
    std::vector<bot::kb_topic> topics_;
    std::map<std::string, std::string> answers_;
};

/// A conversation on a memory DB: send events through route() and commit_outcome like the dispatcher.
struct chat_fixture {
    std::unique_ptr<test_env> t;
    std::unique_ptr<SQLite::Database> db = memory_db();

    explicit chat_fixture(bot::config cfg = test_config(), bool fake = true) : t(make_test_env(std::move(cfg))) {
        if (fake) t->env->kb.set(std::make_shared<fake_kb>());
    }

    handlers::outcome deliver(const zalo::event& ev) {
        auto ctx = t->env->context(*db);
        auto out = bot::app::route(ev, ctx);
        handlers::commit_outcome(ctx, out, ev.user_id, ev.text, std::nullopt, t->now);
        return out;
    }

    static zalo::event event(zalo::event_type type, const std::string& user, const std::string& text = {}) {
        zalo::event ev;
        ev.type = type;
        ev.name = std::string(zalo::to_string(type));
        ev.user_id = user;
        ev.sender_id = user;
        ev.text = text;
        return ev;
    }

    handlers::outcome send(const std::string& user, const std::string& text) {
        return deliver(event(zalo::event_type::user_send_text, user, text));
    }

    std::int64_t count(const std::string& sql) {
        SQLite::Statement q(*db, sql);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }
    std::string text(const std::string& sql) {
        SQLite::Statement q(*db, sql);
        if (!q.executeStep() || q.getColumn(0).isNull()) return {};
        return q.getColumn(0).getString();
    }

    void add_official(const std::string& id, const std::string& unit, const std::string& zalo, bool on_duty = true,
                      const std::string& role = "official") {
        SQLite::Statement q(*db,
                            "INSERT INTO officials (official_id, name, unit_id, role, phone, zalo_user_id, on_duty, created_at)"
                            " VALUES (?, ?, ?, ?, '0912000111', ?, ?, 0)");
        q.bind(1, id);
        q.bind(2, "Cán bộ " + id);
        q.bind(3, unit);
        q.bind(4, role);
        if (zalo.empty()) q.bind(5); else q.bind(5, zalo);
        q.bind(6, on_duty ? 1 : 0);
        q.exec();
    }

    void add_dossier(const std::string& code, const std::string& unit, const std::string& received, const std::string& due,
                     const std::string& returned = {}, const std::string& channel = "truc_tuyen") {
        SQLite::Statement q(*db,
                            "INSERT INTO dossier_rows (code, procedure, field, level, unit_id, channel, received_on, due_on,"
                            " returned_on, official_id, citizen_phone, imported_at)"
                            " VALUES (?, 'Đăng ký khai sinh', 'Hộ tịch', 'xa', ?, ?, ?, ?, ?, 'o1', '0987654321', 0)");
        q.bind(1, code);
        q.bind(2, unit);
        q.bind(3, channel);
        q.bind(4, received);
        q.bind(5, due);
        if (returned.empty()) q.bind(6); else q.bind(6, returned);
        q.exec();
    }
};

/// The messages of an outcome addressed to `who`.
inline std::vector<zalo::outgoing_message> to(const handlers::outcome& out, const std::string& who) {
    std::vector<zalo::outgoing_message> r;
    for (const auto& m : out.messages)
        if (m.recipient == who) r.push_back(m);
    return r;
}

/// Every button payload of the messages, in order.
inline std::vector<std::string> payloads(const std::vector<zalo::outgoing_message>& ms) {
    std::vector<std::string> r;
    for (const auto& m : ms)
        for (const auto& b : m.buttons) r.push_back(b.payload);
    return r;
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace test
