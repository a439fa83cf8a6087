// Câu hỏi chưa trả lời: the messages the bot fell back on, grouped by similarity with counts. A
// staff member who may edit the knowledge base attaches one to a topic as a new example (stored,
// checked like `kb check`, applied by a reload without restart) or dismisses it.
#include "bot/console/pages.hpp"

#include "bot/core/local_time.hpp"
#include "bot/http/https_client.hpp"
#include "bot/language/knowledge_base.hpp"
#include "storage/console_queries.hpp"
#include "storage/console_repository.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace bot::console {

namespace {

constexpr std::int64_t lookback_ms = 90LL * 24 * 3600 * 1000;
constexpr int question_limit = 3000;
constexpr std::size_t cluster_limit = 60;
constexpr std::size_t variants_shown = 5;
/// Two questions are "the same question" when, leaving out the words any question has, this share
/// of the shorter one's words is in the other (and at least two are).
constexpr double similar_words = 0.6;
constexpr std::size_t similar_min_shared = 2;

// Words that say nothing about the subject ("cho tôi hỏi thủ tục ... ở đâu ạ"), folded.
bool filler(const std::string& w) {
    static const std::set<std::string> words = {"toi", "em", "minh", "anh", "chi", "cho", "hoi", "xin", "muon", "can", "gi",
                                                "la", "o", "dau", "the", "nao", "nhu", "bao", "nhieu", "duoc", "khong", "co",
                                                "va", "voi", "cua", "ve", "lam", "sao", "a", "ah", "nhe", "thu", "tuc", "nay",
                                                "thi", "de", "di", "ai", "ko", "k", "vay", "oi", "giup", "duoc", "khi", "nhung"};
    return words.count(w) > 0;
}
constexpr std::size_t example_max_chars = 300;

std::set<std::string> words(const std::string& normalized) {
    std::set<std::string> out;
    std::size_t i = 0;
    while (i < normalized.size()) {
        auto j = normalized.find(' ', i);
        if (j == std::string::npos) j = normalized.size();
        if (j > i && !filler(normalized.substr(i, j - i))) out.insert(normalized.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

bool similar(const std::set<std::string>& a, const std::set<std::string>& b) {
    if (a.empty() || b.empty()) return false;
    std::size_t both = 0;
    for (const auto& w : a) both += b.count(w);
    return both >= std::min<std::size_t>(similar_min_shared, std::min(a.size(), b.size())) &&
           static_cast<double>(both) >= similar_words * static_cast<double>(std::min(a.size(), b.size()));
}

/// One exact wording (by its normalised text) and the questions asked with it.
struct wording {
    std::string normalized;
    std::string text;  ///< the latest as typed
    std::int64_t count = 0;
    std::int64_t last_at = 0;
    std::set<std::string> units;
    std::set<std::string> words;
};

/// Wordings that read as the same question.
struct cluster {
    std::vector<const wording*> members;  ///< the most asked first
    std::int64_t count = 0;
    std::int64_t last_at = 0;
};

struct grouped {
    std::vector<wording> wordings;
    std::vector<cluster> clusters;
    std::int64_t total = 0;
};

// The open questions of the staff member's units, grouped.
grouped group_questions(const page_ctx& c) {
    grouped g;
    std::map<std::string, std::size_t> index;
    for (const auto& q : storage::open_questions(c.db, c.now() - lookback_ms, question_limit)) {
        if (!c.covers(c.case_unit(q.unit_id))) continue;
        ++g.total;
        auto [it, fresh] = index.emplace(q.normalized, g.wordings.size());
        if (fresh) g.wordings.push_back({q.normalized, q.text, 0, q.at, {}, words(q.normalized)});
        auto& w = g.wordings[it->second];
        ++w.count;
        w.units.insert(q.unit_id);
        if (q.at > w.last_at) {
            w.last_at = q.at;
            w.text = q.text;
        }
    }
    std::vector<const wording*> order;
    for (const auto& w : g.wordings) order.push_back(&w);
    std::stable_sort(order.begin(), order.end(), [](const wording* a, const wording* b) {
        return a->count != b->count ? a->count > b->count : a->last_at > b->last_at;
    });
    for (const auto* w : order) {
        cluster* home = nullptr;
        for (auto& cl : g.clusters)
            if (similar(cl.members.front()->words, w->words)) {
                home = &cl;
                break;
            }
        if (!home) {
            g.clusters.push_back({});
            home = &g.clusters.back();
        }
        home->members.push_back(w);
        home->count += w->count;
        home->last_at = std::max(home->last_at, w->last_at);
    }
    std::stable_sort(g.clusters.begin(), g.clusters.end(), [](const cluster& a, const cluster& b) {
        return a.count != b.count ? a.count > b.count : a.last_at > b.last_at;
    });
    return g;
}

// Viewers read citizens' messages with phone and ID numbers masked; those who handle cases see them.
std::string shown(const page_ctx& c, const std::string& text) {
    return handles_cases(c.me.role) ? text : mask_personal_numbers(text);
}

// A citizen's question as a knowledge-base example: without phone or ID numbers (an example is
// shown to editors and kept in the database for good), the editor may shorten it further.
std::string example_of(const std::string& text) {
    const std::string masked = mask_personal_numbers(text);
    std::string out, word;
    auto flush = [&] {
        if (!word.empty() && word.find('*') == std::string::npos) out += (out.empty() ? "" : " ") + word;
        word.clear();
    };
    for (char ch : masked) {
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            flush();
        else
            word.push_back(ch);
    }
    flush();
    return out;
}

// The normalised keys a form names, each required to be an open question of this person's units.
std::vector<std::string> checked_keys(const page_ctx& c) {
    std::set<std::string> open;
    for (const auto& q : storage::open_questions(c.db, c.now() - lookback_ms, question_limit))
        if (c.covers(c.case_unit(q.unit_id))) open.insert(q.normalized);
    std::vector<std::string> keys;
    auto [b, e] = c.form->all.equal_range("chuan");
    for (auto it = b; it != e; ++it) {
        if (!open.count(it->second)) throw forbidden(c.text("console_error_question_scope"));
        keys.push_back(it->second);
    }
    if (keys.empty()) throw not_found(c.text("console_error_question_gone"));
    return keys;
}

boost::json::object page_model(const page_ctx& c, const std::string& problem) {
    boost::json::object m;
    m["section"] = "unanswered";
    const auto kb = c.deps.kb ? c.deps.kb() : nullptr;
    const bool can_edit = may(c.me.role, staff_action::edit_knowledge) && kb;
    m["can_edit"] = can_edit;
    if (!problem.empty()) m["problem"] = problem;
    auto g = group_questions(c);
    m["total"] = number_text(g.total);
    m["groups"] = number_text(static_cast<std::int64_t>(g.clusters.size()));
    boost::json::array topics_all;
    if (kb) {
        std::vector<const kb_topic*> sorted;
        for (const auto& t : kb->topics()) sorted.push_back(&t);
        std::sort(sorted.begin(), sorted.end(), [](const kb_topic* a, const kb_topic* b) { return a->title < b->title; });
        for (const auto* t : sorted) topics_all.push_back(boost::json::object{{"id", t->id}, {"title", t->title}});
    }
    boost::json::array clusters;
    std::size_t n = 0;
    for (const auto& cl : g.clusters) {
        if (++n > cluster_limit) break;
        const auto* top = cl.members.front();
        boost::json::array variants, keys, units;
        std::set<std::string> unit_names;
        for (std::size_t i = 0; i < cl.members.size(); ++i) {
            const auto* w = cl.members[i];
            keys.emplace_back(w->normalized);
            for (const auto& u : w->units) unit_names.insert(c.unit_name(u));
            if (i > 0 && i <= variants_shown)
                variants.push_back(boost::json::object{{"text", shown(c, w->text)}, {"count", number_text(w->count)}});
        }
        std::string places;
        for (const auto& u : unit_names) places += (places.empty() ? "" : ", ") + u;
        boost::json::array guesses, options;
        std::set<std::string> guessed;
        if (kb) {
            for (const auto& [t, score] : kb->match(top->text).ranked) {
                if (guesses.size() >= 3) break;
                char pct[16];
                std::snprintf(pct, sizeof pct, "%.0f%%", score * 100);
                guesses.push_back(boost::json::object{{"title", t->title}, {"score", pct}});
                guessed.insert(t->id);
                options.push_back(boost::json::object{{"id", t->id}, {"title", t->title}, {"guess", true}});
            }
            for (const auto& t : topics_all)
                if (!guessed.count(std::string(t.as_object().at("id").as_string()))) options.push_back(t);
        }
        clusters.push_back(boost::json::object{
            {"n", n},
            {"text", shown(c, top->text)},
            {"example", can_edit ? example_of(top->text) : std::string{}},
            {"count", number_text(cl.count)},
            {"wordings", number_text(static_cast<std::int64_t>(cl.members.size()))},
            {"last", local_time_text(c.cfg(), cl.last_at)},
            {"places", places},
            {"variants", std::move(variants)},
            {"more", cl.members.size() > variants_shown + 1 ? number_text(static_cast<std::int64_t>(cl.members.size() - variants_shown - 1)) : std::string{}},
            {"keys", std::move(keys)},
            {"guesses", std::move(guesses)},
            {"options", std::move(options)},
        });
    }
    m["clusters"] = std::move(clusters);
    return m;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::size_t chars(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

}  // namespace

http_response page_unanswered(page_ctx& c) { return c.render("unanswered", page_model(c, "")); }

http_response post_unanswered_attach(page_ctx& c) {
    const auto keys = checked_keys(c);
    const auto kb = c.deps.kb ? c.deps.kb() : nullptr;
    const std::string topic_id = c.field("chu_de");
    const kb_topic* topic = kb ? kb->find(topic_id) : nullptr;
    const std::string example = trim(c.field("vi_du"));
    auto refuse = [&](const std::string& why) { return c.render("unanswered", page_model(c, why), 422); };
    if (!topic) return refuse(c.text("console_unanswered_pick_topic"));
    if (example.empty()) return refuse(c.text("console_unanswered_empty"));
    if (chars(example) > example_max_chars)
        return refuse(c.text("console_unanswered_too_long", {{"max", std::to_string(example_max_chars)}}));

    // The same checks as `cchcbot kb check`, over the files, the stored examples and this one.
    std::vector<kb_extra_example> extra;
    for (const auto& e : storage::list_kb_examples(c.db))
        extra.push_back({e.topic_id, e.text, "console example #" + std::to_string(e.id)});
    const std::string origin = "console example (new)";
    extra.push_back({topic->id, example, origin});
    for (const auto& p : check_knowledge_base(c.cfg(), extra)) {
        if (p.find(origin) != std::string::npos || p.find("\"" + example + "\"") != std::string::npos)
            return refuse(c.text("console_unanswered_check_failed", {{"problem", p}}));
    }
    if (!storage::insert_kb_example(c.db, topic->id, example, c.me.who.official_id, c.now()))
        return refuse(c.text("console_unanswered_already"));
    for (const auto& k : keys) storage::resolve_unanswered(c.db, k, "attached", topic->id, c.me.who.official_id, c.now());
    c.audit_action = "kb example add";
    c.audit_target = topic->id;
    c.audit_detail = std::to_string(keys.size()) + " question wording(s) resolved";
    const std::string title = topic->title, id = topic->id;
    auto reload = c.deps.reload_kb;
    auto current = c.deps.kb;
    // After the commit the reload reads the new row; the answer the bot gives now is reported.
    c.after_commit = [reload, current, example, id, title](http_response) {
        if (reload)
            if (auto err = reload()) {
                spdlog::error("console: knowledge base reload after a new example failed: {}", *err);
                return page_ctx::redirect("/console/cau-hoi?tb=reload_failed");
            }
        auto kb_now = current ? current() : nullptr;
        const bool answers = kb_now && [&] {
            auto m = kb_now->match(example);
            return m.outcome == match_outcome::answered && m.topic && m.topic->id == id;
        }();
        return page_ctx::redirect(std::string("/console/cau-hoi?tb=") + (answers ? "attached" : "attached_weak") + "&n=" + url_encode(title));
    };
    return page_ctx::redirect("/console/cau-hoi?tb=attached");
}

http_response post_unanswered_dismiss(page_ctx& c) {
    const auto keys = checked_keys(c);
    for (const auto& k : keys) storage::resolve_unanswered(c.db, k, "dismissed", "", c.me.who.official_id, c.now());
    c.audit_action = "unanswered dismiss";
    c.audit_detail = std::to_string(keys.size()) + " question wording(s)";
    return page_ctx::redirect("/console/cau-hoi?tb=dismissed");
}

}  // namespace bot::console
