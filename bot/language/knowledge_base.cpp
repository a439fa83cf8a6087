// Knowledge-base loading and validation (templates/kb/*.toml) and the matcher-backed KB.
#include "bot/language/knowledge_base.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/wording.hpp"
#include "bot/language/model_cache.hpp"
#include "bot/language/normalize.hpp"
#include "bot/language/training_set.hpp"
#include "bot/language/understanding.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace bot {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t zalo_text_limit = 2000;   // Zalo's limit for one text message
constexpr std::size_t phone_text_limit = 640;   // "about 600": one phone screen
constexpr std::size_t button_title_limit = 35;  // Zalo's limit in list templates
constexpr std::size_t min_examples = 4;
// An example added from the console is one citizen's message, not an essay.
constexpr std::size_t extra_example_limit = 300;
const char* const locality_file_name = "locality-defaults.toml";

std::size_t count_chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool valid_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max = days[m - 1] + ((m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ? 1 : 0);
    return d <= max;
}

bool valid_id(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

const char* const examples_folder = "examples";          // topic_id<TAB>question
const char* const out_of_scope_folder = "out-of-scope";  // subject<TAB>message

// One line of a training file (templates/kb/examples or templates/kb/out-of-scope).
struct training_line {
    std::string key;  // topic id, or subject of an out-of-scope message
    std::string text;
    std::string file;
    long line = 0;
};

// Everything read from the folder, before the index is built.
struct kb_source {
    std::vector<kb_topic> topics;
    std::vector<std::string> out_of_scope;
    std::vector<std::string> markers;
    std::vector<training_line> examples;      // questions for topics
    std::vector<training_line> out_of_scope_lines;
    std::set<std::string> subjects;
    std::vector<std::string> problems;
};

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

class reader {
public:
    explicit reader(const config& cfg, const std::vector<kb_extra_example>& extra = {}) : cfg_(cfg), extra_(extra) {}

    kb_source read() {
        fs::path dir(cfg_.kb.dir);
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            problem(cfg_.kb.dir, 0, "the knowledge-base folder does not exist (kb.dir)");
            return std::move(out_);
        }
        read_locality();
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file() && e.path().extension() == ".toml" && e.path().filename() != locality_file_name)
                files.push_back(e.path());
        std::sort(files.begin(), files.end());
        if (files.empty()) problem(cfg_.kb.dir, 0, "no *.toml topic files");
        for (const auto& f : files) read_file(f);
        read_training(dir / examples_folder, true);
        read_training(dir / out_of_scope_folder, false);
        add_extra_examples();
        cross_checks();
        try {
            check_markers(nlp::load_shorthand(std::vector<std::string>{cfg_.kb.shorthand_file, cfg_.kb.spoken_file}));
        } catch (const std::exception& e) {
            out_.problems.push_back(e.what());
        }
        return std::move(out_);
    }

private:
    // A marker is read as citizens' messages are. A word of it that is no shorthand key and reads
    // as Telex keys ("taxi" as "tãi") would make every unaccented message with that syllable
    // ("tai khoan" = "tài khoản") count as out of scope.
    void check_markers(const nlp::shorthand_table& sh) {
        for (const auto& m : marker_sources_) {
            std::istringstream words(nlp::to_lower(m.text));
            for (std::string word; words >> word;) {
                if (sh.entries.count(word)) continue;
                if (auto telex = nlp::decode_telex(word); !telex.empty())
                    problem(m.file, m.line,
                            "marker \"" + m.text + "\": \"" + word + "\" reads as the Telex keys of \"" + telex +
                                "\", so any message with that syllable unaccented would count as out of scope; add \"" +
                                word + "\" to the shorthand or spoken file with how it is said (e.g. \"taxi<TAB>tắc xi\")");
            }
        }
    }

    void problem(const std::string& file, long line, const std::string& what) {
        out_.problems.push_back(file + ":" + std::to_string(line) + ": " + what);
    }
    static long line_of(const toml::node& n) { return static_cast<long>(n.source().begin.line); }

    void read_locality() {
        // Defaults file first, configuration over it, portal and hotline from [conversation]:
        // the same values the message texts use (bot/core/wording).
        auto loc = bot::read_locality(cfg_);
        out_.problems.insert(out_.problems.end(), loc.problems.begin(), loc.problems.end());
        for (const auto& [k, v] : loc.values) locality_[k] = nlp::to_nfc(v);
        // Each OA whose units or [oa.locality] say otherwise renders its own answers; the
        // problems in a text are reported once, from the default rendering.
        const std::string today = to_iso(local_date_of(now_ms(), cfg_.time.utc_offset_minutes));
        for (const auto& oa : cfg_.oa_tables) {
            std::map<std::string, std::string> values;
            for (const auto& [k, v] : oa_locality(cfg_, oa, loc.values, today)) values[k] = nlp::to_nfc(v);
            if (values != locality_) oa_locality_.emplace_back(oa.id, std::move(values));
        }
    }

    using values_t = std::map<std::string, std::string>;

    // Replaces {{name}} with the default locality values; reports unknown and broken placeholders.
    std::string render(const std::string& text, const std::string& file, long line, const std::string& field) {
        return render(text, file, line, field, locality_, true);
    }
    // The same with an OA's values; `report` only for the default (a problem is the text's, once).
    std::string render(const std::string& text, const std::string& file, long line, const std::string& field,
                       const values_t& values, bool report) {
        auto problem = [&](const std::string& f, long l, const std::string& what) {
            if (report) this->problem(f, l, what);
        };
        std::string out;
        std::size_t pos = 0;
        while (true) {
            auto open = text.find("{{", pos);
            if (open == std::string::npos) {
                out.append(text, pos);
                break;
            }
            out.append(text, pos, open - pos);
            auto close = text.find("}}", open + 2);
            if (close == std::string::npos) {
                problem(file, line, field + ": \"{{\" without a closing \"}}\"");
                out.append(text, open);
                break;
            }
            std::string name = text.substr(open + 2, close - open - 2);
            name.erase(0, name.find_first_not_of(' '));
            if (auto last = name.find_last_not_of(' '); last != std::string::npos) name.erase(last + 1);
            if (!valid_id(name)) {
                problem(file, line, field + ": malformed placeholder \"{{" + text.substr(open + 2, close - open - 2) + "}}\"");
            } else if (auto it = values.find(name); it == values.end()) {
                problem(file, line, field + ": unknown placeholder {{" + name + "}} (add it to " +
                                        std::string(locality_file_name) + " or [locality])");
            } else {
                out += it->second;
            }
            pos = close + 2;
        }
        if (out.find("}}") != std::string::npos && text.find("{{") == std::string::npos)
            problem(file, line, field + ": \"}}\" without an opening \"{{\"");
        return out;
    }

    std::optional<std::string> string_field(const toml::table& t, const char* key, const std::string& file, long tline,
                                            bool required) {
        auto* n = t.get(key);
        if (!n) {
            if (required) problem(file, tline, std::string("missing field \"") + key + "\"");
            return std::nullopt;
        }
        auto s = n->value<std::string>();
        if (!s) {
            problem(file, line_of(*n), std::string("\"") + key + "\" must be a string");
            return std::nullopt;
        }
        if (required && s->find_first_not_of(" \t\r\n") == std::string::npos) {
            problem(file, line_of(*n), std::string("\"") + key + "\" is empty");
            return std::nullopt;
        }
        return nlp::to_nfc(*s);
    }

    std::vector<std::string> string_list(const toml::table& t, const char* key, const std::string& file, long tline,
                                         bool required) {
        std::vector<std::string> out;
        auto* n = t.get(key);
        if (!n) {
            if (required) problem(file, tline, std::string("missing field \"") + key + "\"");
            return out;
        }
        auto* arr = n->as_array();
        if (!arr) {
            problem(file, line_of(*n), std::string("\"") + key + "\" must be a list of strings");
            return out;
        }
        for (auto&& el : *arr) {
            auto s = el.value<std::string>();
            if (!s || s->find_first_not_of(" \t") == std::string::npos)
                problem(file, line_of(el), std::string("\"") + key + "\" entries must be non-empty strings");
            else
                out.push_back(nlp::to_nfc(*s));
        }
        return out;
    }

    void read_file(const fs::path& path) {
        const std::string file = path.string();
        toml::table root;
        try {
            root = toml::parse_file(file);
        } catch (const toml::parse_error& e) {
            problem(file, static_cast<long>(e.source().begin.line), std::string(e.description()));
            return;
        }
        for (auto&& [k, v] : root) {
            std::string key(k.str());
            auto* arr = v.as_array();
            if ((key != "topic" && key != "out_of_scope") || !arr || !arr->is_array_of_tables()) {
                problem(file, line_of(v), "unknown entry \"" + key + "\" (use [[topic]] or [[out_of_scope]])");
                continue;
            }
            for (auto&& el : *arr) {
                if (key == "topic")
                    read_topic(*el.as_table(), file);
                else
                    read_out_of_scope(*el.as_table(), file);
            }
        }
    }

    // Training files: one `key<TAB>text` per line, `#` comments; a byte-order mark is ignored.
    void read_training(const fs::path& folder, bool topics) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) return;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(folder, ec))
            if (e.is_regular_file() && e.path().extension() == ".tsv") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        const char* usage = topics ? "expected `topic id<TAB>question`" : "expected `subject<TAB>message`";
        for (const auto& path : files) {
            const std::string file = path.string();
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                problem(file, 0, "cannot read the file");
                continue;
            }
            std::string line;
            long n = 0;
            while (std::getline(in, line)) {
                ++n;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
                auto first = line.find_first_not_of(" \t");
                if (first == std::string::npos || line[first] == '#') continue;
                auto tab = line.find('\t');
                if (tab == std::string::npos) {
                    problem(file, n, usage);
                    continue;
                }
                training_line t{trim(line.substr(0, tab)), trim(nlp::to_nfc(line.substr(tab + 1))), file, n};
                if (t.text.empty()) {
                    problem(file, n, topics ? "empty question" : "empty message");
                    continue;
                }
                if (!valid_id(t.key)) {
                    problem(file, n, std::string(topics ? "topic id" : "subject") + " \"" + t.key +
                                         "\" must be lowercase letters, digits and _");
                    continue;
                }
                if (topics) {
                    out_.examples.push_back(std::move(t));
                } else {
                    out_.subjects.insert(t.key);
                    out_.out_of_scope.push_back(t.text);
                    out_.out_of_scope_lines.push_back(std::move(t));
                }
            }
        }
    }

    void read_out_of_scope(const toml::table& t, const std::string& file) {
        long tline = line_of(t);
        for (auto&& [k, v] : t)
            if (k.str() != "examples" && k.str() != "note" && k.str() != "markers")
                problem(file, line_of(v), "unknown field \"" + std::string(k.str()) + "\" in [[out_of_scope]]");
        auto ex = string_list(t, "examples", file, tline, true);
        out_.out_of_scope.insert(out_.out_of_scope.end(), ex.begin(), ex.end());
        auto mk = string_list(t, "markers", file, tline, false);
        for (const auto& m : mk) marker_sources_.push_back({file, tline, m});
        out_.markers.insert(out_.markers.end(), mk.begin(), mk.end());
    }

    void read_topic(const toml::table& t, const std::string& file) {
        static const std::set<std::string> known = {"id",      "title",   "examples", "keywords",    "answer",
                                                    "buttons", "related", "source",   "reviewed",    "valid_until",
                                                    "valid_until_note", "unverified"};
        long tline = line_of(t);
        for (auto&& [k, v] : t)
            if (!known.count(std::string(k.str())))
                problem(file, line_of(v), "unknown field \"" + std::string(k.str()) + "\"");
        kb_topic topic;
        topic.file = file;
        topic.line = static_cast<int>(tline);
        if (auto id = string_field(t, "id", file, tline, true)) {
            topic.id = *id;
            if (!valid_id(topic.id))
                problem(file, line_of(*t.get("id")), "id \"" + topic.id + "\" must be lowercase letters, digits and _");
        }
        if (auto s = string_field(t, "title", file, tline, true)) {
            topic.title = *s;
            if (count_chars(topic.title) > button_title_limit)
                problem(file, line_of(*t.get("title")),
                        "title longer than " + std::to_string(button_title_limit) + " characters (it is a button label)");
        }
        topic.examples = string_list(t, "examples", file, tline, true);
        if (t.get("examples") && topic.examples.size() < min_examples)
            problem(file, line_of(*t.get("examples")),
                    "only " + std::to_string(topic.examples.size()) + " examples; write at least " +
                        std::to_string(min_examples) + " ways people ask");
        topic.keywords = string_list(t, "keywords", file, tline, true);
        const auto answer = string_field(t, "answer", file, tline, true);
        const long aline = answer ? line_of(*t.get("answer")) : tline;
        auto render_answer = [&](const values_t& values, bool report, const std::string& whose) {
            std::string text = render(*answer, file, aline, "answer", values, report);
            while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
            auto n = count_chars(text);
            if (n > zalo_text_limit)
                problem(file, aline, "answer" + whose + " has " + std::to_string(n) + " characters, over Zalo's limit of " +
                                         std::to_string(zalo_text_limit));
            else if (n > phone_text_limit)
                problem(file, aline, "answer" + whose + " has " + std::to_string(n) + " characters; keep it phone-sized (≤ " +
                                         std::to_string(phone_text_limit) + ")");
            return text;
        };
        if (answer) topic.answer = render_answer(locality_, true, "");
        const toml::node* buttons = t.get("buttons");
        if (buttons) topic.buttons = read_buttons(*buttons, file, locality_, true);
        for (const auto& [oa, values] : oa_locality_) {
            kb_rendering r;
            if (answer) r.answer = render_answer(values, false, " for OA " + oa);
            if (buttons) r.buttons = read_buttons(*buttons, file, values, false);
            if (r.answer != topic.answer || !same_buttons(r.buttons, topic.buttons)) topic.by_oa.emplace(oa, std::move(r));
        }
        topic.related = string_list(t, "related", file, tline, false);
        if (auto s = string_field(t, "source", file, tline, true)) topic.source = *s;
        if (auto s = string_field(t, "reviewed", file, tline, true)) {
            topic.reviewed = *s;
            if (!valid_date(topic.reviewed))
                problem(file, line_of(*t.get("reviewed")), "reviewed \"" + topic.reviewed + "\" is not a date YYYY-MM-DD");
        }
        if (auto s = string_field(t, "valid_until", file, tline, false)) {
            topic.valid_until = *s;
            if (!valid_date(topic.valid_until))
                problem(file, line_of(*t.get("valid_until")), "valid_until \"" + topic.valid_until + "\" is not a date YYYY-MM-DD");
            auto note = string_field(t, "valid_until_note", file, tline, false);
            if (!note || note->find_first_not_of(" \t\r\n") == std::string::npos)
                problem(file, line_of(*t.get("valid_until")),
                        "valid_until needs valid_until_note (which fact expires and where to check the new rule)");
            else
                topic.valid_until_note = *note;
        } else if (t.get("valid_until_note")) {
            problem(file, line_of(*t.get("valid_until_note")), "valid_until_note without valid_until");
        }
        if (auto s = string_field(t, "unverified", file, tline, false)) topic.unverified = *s;
        out_.topics.push_back(std::move(topic));
    }

    static bool same_buttons(const std::vector<zalo::button>& a, const std::vector<zalo::button>& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const zalo::button& x, const zalo::button& y) {
            return x.type == y.type && x.title == y.title && x.payload == y.payload;
        });
    }

    // The buttons rendered with `values`; problems reported when `report` (the default rendering).
    std::vector<zalo::button> read_buttons(const toml::node& n, const std::string& file, const values_t& values, bool report) {
        std::vector<zalo::button> out;
        auto problem = [&](const std::string& f, long l, const std::string& what) {
            if (report) this->problem(f, l, what);
        };
        auto* arr = n.as_array();
        if (!arr) {
            problem(file, line_of(n), "\"buttons\" must be a list of { title = ..., url|phone|query = ... }");
            return out;
        }
        for (auto&& el : *arr) {
            auto* bt = el.as_table();
            long bline = line_of(el);
            if (!bt) {
                problem(file, bline, "a button must be { title = ..., url|phone|query = ... }");
                continue;
            }
            zalo::button b;
            int kinds = 0;
            for (auto&& [k, v] : *bt) {
                std::string key(k.str());
                auto s = v.value<std::string>();
                if (!s) {
                    problem(file, line_of(v), "button field \"" + key + "\" must be a string");
                    continue;
                }
                std::string val = render(nlp::to_nfc(*s), file, line_of(v), "button " + key, values, report);
                if (key == "title") {
                    b.title = val;
                } else if (key == "url" || key == "phone" || key == "query") {
                    ++kinds;
                    b.payload = val;
                    b.type = key == "url" ? zalo::button::kind::open_url
                             : key == "phone" ? zalo::button::kind::open_phone
                                              : zalo::button::kind::query_show;
                } else {
                    problem(file, line_of(v), "unknown button field \"" + key + "\" (title, url, phone or query)");
                }
            }
            if (b.title.empty()) problem(file, bline, "button without a title");
            if (count_chars(b.title) > button_title_limit)
                problem(file, bline, "button title longer than " + std::to_string(button_title_limit) + " characters");
            if (kinds != 1) problem(file, bline, "a button needs exactly one of url, phone, query");
            if (kinds == 1 && b.payload.empty()) problem(file, bline, "button target is empty");
            if (b.type == zalo::button::kind::open_url && b.payload.rfind("http", 0) != 0 && !b.payload.empty())
                problem(file, bline, "button url must start with http(s)://");
            out.push_back(std::move(b));
        }
        return out;
    }

    // Examples added from the console join their topic's list, so the checks below (repeats
    // across topics) and the index treat them like the files' own.
    void add_extra_examples() {
        for (const auto& e : extra_) {
            auto it = std::find_if(out_.topics.begin(), out_.topics.end(), [&](const kb_topic& t) { return t.id == e.topic_id; });
            const std::string text = nlp::to_nfc(e.text);
            if (it == out_.topics.end())
                out_.problems.push_back(e.origin + ": topic \"" + e.topic_id + "\" does not exist");
            else if (text.find_first_not_of(" \t\r\n") == std::string::npos)
                out_.problems.push_back(e.origin + ": the example is empty");
            else if (count_chars(text) > extra_example_limit)
                out_.problems.push_back(e.origin + ": the example is longer than " + std::to_string(extra_example_limit) + " characters");
            else
                it->examples.push_back(text);
        }
    }

    void cross_checks() {
        std::unordered_map<std::string, const kb_topic*> ids;
        for (const auto& t : out_.topics) {
            if (t.id.empty()) continue;
            auto [it, inserted] = ids.emplace(t.id, &t);
            if (!inserted)
                problem(t.file, t.line,
                        "duplicate id \"" + t.id + "\" (first at " + it->second->file + ":" + std::to_string(it->second->line) + ")");
        }
        for (const auto& t : out_.topics)
            for (const auto& r : t.related) {
                if (r == t.id)
                    problem(t.file, t.line, "topic \"" + t.id + "\" lists itself as related");
                else if (!ids.count(r))
                    problem(t.file, t.line, "topic \"" + t.id + "\": related id \"" + r + "\" does not exist");
            }
        // The same question listed twice (in one topic or two) is a copy-paste slip; in two
        // topics it makes the matcher hesitate between them.
        std::unordered_map<std::string, const kb_topic*> seen_examples;
        for (const auto& t : out_.topics)
            for (const auto& e : t.examples) {
                auto [it, inserted] = seen_examples.emplace(nlp::to_lower(e), &t);
                if (!inserted)
                    problem(t.file, t.line, "example \"" + e + "\" repeats one of topic \"" + it->second->id + "\"");
            }
        // Training files: known topic ids, no question twice, none both a topic's and out of scope.
        std::unordered_map<std::string, std::string> seen_lines;  // lowercase text → "topic id" or "none"
        for (const auto& [text, topic] : seen_examples) seen_lines.emplace(text, topic->id);
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t i = 0; i < out_.topics.size(); ++i) index.emplace(out_.topics[i].id, i);
        auto where = [](const training_line& l) { return l.file + ":" + std::to_string(l.line); };
        std::unordered_map<std::string, std::string> first_at;
        for (const auto& l : out_.examples) {
            auto it = index.find(l.key);
            if (it == index.end()) {
                problem(l.file, l.line, "unknown topic id \"" + l.key + "\"");
                continue;
            }
            auto key = nlp::to_lower(l.text);
            auto [s, inserted] = seen_lines.emplace(key, l.key);
            if (!inserted) {
                auto at = first_at.count(key) ? " (" + first_at[key] + ")" : std::string(" (in the topic files)");
                problem(l.file, l.line,
                        s->second == l.key ? "question repeats an earlier one of the same topic" + at
                                           : "question is already an example of topic \"" + s->second + "\"" + at);
                continue;
            }
            first_at.emplace(key, where(l));
            out_.topics[it->second].training.push_back(l.text);
        }
        for (const auto& l : out_.out_of_scope_lines) {
            auto key = nlp::to_lower(l.text);
            auto [s, inserted] = seen_lines.emplace(key, "none");
            if (!inserted) {
                auto at = first_at.count(key) ? " (" + first_at[key] + ")" : std::string(" (in the topic files)");
                problem(l.file, l.line,
                        s->second == "none" ? "message repeats an earlier out-of-scope one" + at
                                            : "message is also a question of topic \"" + s->second + "\"" + at);
                continue;
            }
            first_at.emplace(key, where(l));
        }
        for (const auto& id : required_topic_ids())
            if (!ids.count(id)) problem(cfg_.kb.dir, 0, "missing topic \"" + id + "\" (required by kb-topics)");
    }

    const config& cfg_;
    const std::vector<kb_extra_example> extra_;
    values_t locality_;
    std::vector<std::pair<std::string, values_t>> oa_locality_;  // OAs whose values differ, config order
    kb_source out_;
    struct marker_source {
        std::string file;
        long line = 0;
        std::string text;
    };
    std::vector<marker_source> marker_sources_;
};

/// Everything an understanding is trained from, as one string: two equal keys train the same model
/// (training is deterministic: its draws are seeded).
std::string training_key(const nlp::training_texts& texts, const nlp::shorthand_table& shorthand, std::size_t greeting) {
    std::string key;
    auto add = [&key](std::string_view s) {
        key += s;
        key += '\x1f';
    };
    auto end_group = [&key] { key += '\x1e'; };
    for (const auto& topic : texts.topics) {
        for (const auto& t : topic) add(t);
        end_group();
    }
    end_group();
    for (const auto& t : texts.out_of_scope) add(t);
    end_group();
    for (const auto& t : texts.markers) add(t);
    end_group();
    for (const auto& [x, y] : texts.neighbours) add(std::to_string(x) + ' ' + std::to_string(y));
    end_group();
    std::vector<std::string> words;
    for (const auto& [word, readings] : shorthand.entries) {
        std::string w = word + '\x1d';
        for (const auto& r : readings) {
            for (const auto& e : r.expansion) w += e + ' ';
            std::vector<std::string> context(r.context.begin(), r.context.end());
            std::sort(context.begin(), context.end());
            for (const auto& c : context) w += '|' + c;
            w += '\x1d';
        }
        words.push_back(std::move(w));
    }
    std::sort(words.begin(), words.end());
    for (const auto& w : words) add(w);
    add(std::to_string(shorthand.context_window));
    add(std::to_string(greeting));
    return key;
}

/// The understanding trained from `texts`: the process keeps the last one trained, so loading an
/// unchanged knowledge base again (a reload after a message was edited; the tests' many starts)
/// takes it instead of training for seconds; and with a model cache (`kb.model_cache`) the
/// models trained by an earlier run of the same program (a restart, `kb check` and then the
/// server) are read instead of trained. One at a time: two loads at once do not train side by
/// side (which would double the memory peak).
std::shared_ptr<const nlp::understander> trained_understander(const nlp::training_texts& texts,
                                                              const nlp::shorthand_table& shorthand, std::size_t greeting,
                                                              const std::string& cache_dir, kb_training_stats& stats) {
    static std::mutex mu;
    static std::string last_key;
    static std::shared_ptr<const nlp::understander> last;
    auto key = training_key(texts, shorthand, greeting);
    std::lock_guard lk(mu);
    stats.reused = last && key == last_key;
    if (stats.reused) return last;
    last.reset();  // the old one goes before the new one is trained (the knowledge bases using it keep theirs)
    std::optional<nlp::model_cache> cache;
    if (!cache_dir.empty()) cache.emplace(cache_dir);
    if (cache)
        if (auto bytes = cache->read(key)) last = nlp::understander::restore(texts, shorthand, greeting, *bytes);
    stats.cached = last != nullptr;
    if (!last) {
        last = std::make_shared<const nlp::understander>(texts, shorthand, greeting);
        if (cache && !cache->write(key, last->saved()))
            spdlog::warn("model cache: cannot keep the trained models in {}; they will be trained again at the next start",
                         cache_dir);
    }
    last_key = std::move(key);
    return last;
}

class indexed_kb final : public knowledge_base {
public:
    indexed_kb(std::vector<kb_topic> topics, const std::vector<std::string>& out_of_scope,
               const std::vector<std::string>& markers, nlp::shorthand_table sh, std::size_t subjects,
               std::string model_cache = {})
        : topics_(std::move(topics)), texts_(texts(topics_, out_of_scope, markers)), shorthand_(std::move(sh)),
          model_cache_(std::move(model_cache)) {
        for (std::size_t i = 0; i < topics_.size(); ++i) by_id_.emplace(topics_[i].id, i);
        stats_.out_of_scope = out_of_scope.size();
        stats_.out_of_scope_subjects = subjects;
        for (const auto& t : topics_) stats_.training_examples += t.training.size();
    }
    const std::vector<kb_topic>& topics() const override { return topics_; }
    const kb_topic* find(const std::string& id) const override {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : &topics_[it->second];
    }
    void prepare() const override {
        std::call_once(trained_, [this] {
            understander_ = trained_understander(texts_, shorthand_, greeting_index(topics_), model_cache_, stats_);
            texts_ = {};  // the model has what it needs
            stats_.texts = understander_->training_size();
            stats_.milliseconds = understander_->training_ms();
            // Every answer's question buttons, understood once rather than at every answer.
            auto note = [this](const std::vector<zalo::button>& buttons) {
                for (const auto& b : buttons)
                    if (b.type == zalo::button::kind::query_show || b.type == zalo::button::kind::query_hide)
                        if (!button_topics_.count(b.payload)) {
                            auto m = to_match(understander_->understand(b.payload));  // (inside prepare())
                            button_topics_.emplace(b.payload, m.outcome == match_outcome::answered ? m.topic : nullptr);
                        }
            };
            for (const auto& t : topics_) {
                note(t.buttons);
                for (const auto& [oa, r] : t.by_oa) note(r.buttons);
            }
        });
    }
    const kb_topic* button_topic(std::string_view payload) const override {
        prepare();
        auto it = button_topics_.find(payload);
        return it != button_topics_.end() ? it->second : knowledge_base::button_topic(payload);
    }
    kb_match match(std::string_view text) const override {
        if (auto m = take_prefetched(text)) return std::move(*m);
        return understand(text);
    }
    void prefetch(std::string_view text) const override {
        const auto key = prefetch_key(text);
        if (key.empty() || key.size() > max_prefetch_bytes) return;
        kb_match m = understand(key);
        std::lock_guard lk(prefetch_mu_);
        auto [it, inserted] = prefetched_.try_emplace(std::string(key));
        if (inserted) {
            it->second.match = std::move(m);
            it->second.seq = ++prefetch_seq_;
            prefetch_order_.emplace_back(it->second.seq, it->first);
            // The oldest go first; an entry already taken left only its place in the queue.
            while (prefetch_order_.size() > max_prefetched) {
                const auto& [seq, k] = prefetch_order_.front();
                if (auto old = prefetched_.find(k); old != prefetched_.end() && old->second.seq == seq) prefetched_.erase(old);
                prefetch_order_.pop_front();
            }
        }
        ++it->second.waiting;
    }
    std::string normalized(std::string_view text) const override { return nlp::normalize(text, shorthand_).text(); }
    kb_match understand(std::string_view text) const {
        prepare();
        return to_match(understander_->understand(text));
    }
    kb_match to_match(const nlp::match_decision& d) const {
        kb_match m;
        m.score = d.score;
        m.out_of_scope = d.out_of_scope;
        m.acknowledgement = d.acknowledgement;
        m.marker = d.marker;
        m.known = d.known;
        m.read = d.read;
        for (const auto& r : d.ranked) m.ranked.emplace_back(&topics_[r.topic], r.score);
        for (const auto& e : d.evidence) m.evidences.push_back({&topics_[e.topic], e.model, e.lexical, e.combined});
        m.outcome = d.outcome;
        switch (d.outcome) {
        case match_outcome::answered:
            m.topic = &topics_[d.ranked.front().topic];
            break;
        case match_outcome::clarified:
            for (auto i : d.alternatives) m.alternatives.push_back(&topics_[i]);
            break;
        case match_outcome::fallback:
            break;
        }
        return m;
    }
    // Spaces around a message change nothing the matcher reads: a prefetch of the event's text
    // serves the handler's trimmed copy.
    static std::string_view prefetch_key(std::string_view text) {
        const auto b = text.find_first_not_of(" \t\r\n");
        if (b == std::string_view::npos) return {};
        return text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
    }
    std::optional<kb_match> take_prefetched(std::string_view text) const {
        const auto key = prefetch_key(text);
        std::lock_guard lk(prefetch_mu_);
        if (prefetched_.empty()) return std::nullopt;
        auto it = prefetched_.find(key);
        if (it == prefetched_.end()) return std::nullopt;
        ++prefetch_taken_;
        if (--it->second.waiting > 0) return it->second.match;
        kb_match m = std::move(it->second.match);
        prefetched_.erase(it);
        return m;
    }
    const kb_training_stats& stats() const {
        prepare();
        return stats_;
    }

    static nlp::training_texts texts(const std::vector<kb_topic>& topics, const std::vector<std::string>& out_of_scope,
                                     const std::vector<std::string>& markers) {
        nlp::training_texts out;
        for (const auto& t : topics) {
            std::vector<std::string> p{t.title};
            p.insert(p.end(), t.keywords.begin(), t.keywords.end());
            p.insert(p.end(), t.examples.begin(), t.examples.end());
            p.insert(p.end(), t.training.begin(), t.training.end());
            out.topics.push_back(std::move(p));
        }
        // Related topics are the neighbours a message is asked back between.
        for (std::size_t i = 0; i < topics.size(); ++i)
            for (const auto& r : topics[i].related)
                for (std::size_t j = 0; j < topics.size(); ++j)
                    if (topics[j].id == r && j != i) out.neighbours.emplace_back(std::min(i, j), std::max(i, j));
        std::sort(out.neighbours.begin(), out.neighbours.end());
        out.neighbours.erase(std::unique(out.neighbours.begin(), out.neighbours.end()), out.neighbours.end());
        out.out_of_scope = out_of_scope;
        out.markers = markers;
        return out;
    }
    static std::size_t greeting_index(const std::vector<kb_topic>& topics) {
        for (std::size_t i = 0; i < topics.size(); ++i)
            if (topics[i].id == "chao_hoi") return i;
        return nlp::understander::no_topic;
    }

private:
    std::vector<kb_topic> topics_;
    std::unordered_map<std::string, std::size_t> by_id_;
    // Trained once, on first use or prepare(); the texts are dropped afterwards.
    mutable std::once_flag trained_;
    mutable nlp::training_texts texts_;
    nlp::shorthand_table shorthand_;
    std::string model_cache_;  // folder of trained models kept between runs (empty: none)
    mutable std::shared_ptr<const nlp::understander> understander_;  // shared with later loads of the same texts
    mutable kb_training_stats stats_;
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    mutable std::unordered_map<std::string, const kb_topic*, text_hash, std::equal_to<>> button_topics_;  // set in prepare()
    // Prefetched understandings waiting for their match() (see prefetch()).
    static constexpr std::size_t max_prefetched = 4096;  // ~1 KB each; further behind, it understands them itself
    static constexpr std::size_t max_prefetch_bytes = 4096;
    struct waiting_match {
        kb_match match;
        int waiting = 0;        // prefetches of this text not yet taken
        std::uint64_t seq = 0;  // its place in prefetch_order_
    };
    mutable std::mutex prefetch_mu_;
    mutable std::unordered_map<std::string, waiting_match, text_hash, std::equal_to<>> prefetched_;
    mutable std::deque<std::pair<std::uint64_t, std::string>> prefetch_order_;  // oldest first
    mutable std::uint64_t prefetch_seq_ = 0;
    mutable std::size_t prefetch_taken_ = 0;

public:
    kb_prefetch_stats prefetch_figures() const {
        std::lock_guard lk(prefetch_mu_);
        kb_prefetch_stats st;
        for (const auto& [k, w] : prefetched_) st.waiting += static_cast<std::size_t>(w.waiting);
        st.taken = prefetch_taken_;
        return st;
    }
};

}  // namespace

std::string knowledge_base::normalized(std::string_view text) const { return nlp::to_lower(text); }

const kb_topic* knowledge_base::button_topic(std::string_view payload) const {
    auto m = match(payload);
    return m.outcome == match_outcome::answered ? m.topic : nullptr;
}

const std::string& kb_topic::answer_for(const std::string& oa) const {
    if (by_oa.empty() || oa.empty()) return answer;
    auto it = by_oa.find(oa);
    return it == by_oa.end() ? answer : it->second.answer;
}

const std::vector<zalo::button>& kb_topic::buttons_for(const std::string& oa) const {
    if (by_oa.empty() || oa.empty()) return buttons;
    auto it = by_oa.find(oa);
    return it == by_oa.end() ? buttons : it->second.buttons;
}

const std::vector<std::string>& required_topic_ids() {
    static const std::vector<std::string> ids = {
        "tai_khoan_dvc",     "dinh_danh_vneid", "quen_mat_khau",     "nop_ho_so_truc_tuyen", "tra_cuu_ho_so",
        "thanh_toan_truc_tuyen", "buu_chinh_cong_ich", "ket_qua_dien_tu", "khai_sinh",       "khai_tu",
        "ket_hon",           "xac_nhan_hon_nhan", "trich_luc_ho_tich", "cai_chinh_ho_tich", "chung_thuc",
        "cu_tru",            "can_cuoc",        "dat_dai",           "giay_phep_xay_dung",  "ho_kinh_doanh",
        "tro_cap_xa_hoi",    "le_phi",          "gio_lam_viec",      "dia_chi_mot_cua",     "phan_anh_kien_nghi",
        "danh_gia_hai_long", "gap_can_bo",      "chao_hoi",          "huong_dan_su_dung"};
    return ids;
}

std::vector<std::string> check_knowledge_base(const config& cfg, const std::vector<kb_extra_example>& extra) {
    return reader(cfg, extra).read().problems;
}

kb_fact_report check_kb_facts(const config& cfg, const std::string& today) {
    constexpr int warn_days_before = 60;
    kb_fact_report r;
    const auto day = parse_iso_date(today);
    // A document number as written in Vietnamese citations: 120/2025/NĐ-CP, 26/2023/QH15, 73/2024/TT-BTC.
    static const std::regex doc_number(R"((\d{1,5}/\d{4}/(?:[A-Z0-9]|Đ|-)+))");
    for (const auto& t : reader(cfg).read().topics) {
        const std::string where = t.file + ":" + std::to_string(t.line) + ": topic \"" + t.id + "\": ";
        if (!t.valid_until.empty() && day) {
            if (auto until = parse_iso_date(t.valid_until)) {
                const auto left = days_from_civil(*until) - days_from_civil(*day);
                if (left < 0)
                    r.errors.push_back(where + "expired on " + t.valid_until + ": " + t.valid_until_note);
                else if (left <= warn_days_before)
                    r.warnings.push_back(where + "expires on " + t.valid_until + " (in " + std::to_string(left) +
                                         " days): " + t.valid_until_note);
            }
        }
        for (std::sregex_iterator it(t.answer.begin(), t.answer.end(), doc_number), end; it != end; ++it) {
            std::string number = it->str(1);
            while (!number.empty() && number.back() == '-') number.pop_back();
            if (t.source.find(number) == std::string::npos)
                r.errors.push_back(where + "the answer cites " + number + " but `source` does not name it");
        }
        if (!t.unverified.empty()) r.warnings.push_back(where + "not verified: " + t.unverified);
    }
    return r;
}

namespace {

kb_source read_checked(const config& cfg, const std::vector<kb_extra_example>& extra = {}) {
    auto src = reader(cfg, extra).read();
    if (!src.problems.empty()) {
        std::string msg = src.problems.front();
        if (src.problems.size() > 1)
            msg += " (and " + std::to_string(src.problems.size() - 1) + " more; run `cchcbot kb check`)";
        throw std::runtime_error(msg);
    }
    return src;
}

nlp::shorthand_table shorthand_of(const config& cfg) {
    return nlp::load_shorthand(std::vector<std::string>{cfg.kb.shorthand_file, cfg.kb.spoken_file});
}

}  // namespace

std::string model_cache_dir(const config& cfg) {
    const auto& dir = cfg.kb.model_cache;
    if (dir == "off") return {};
    if (!dir.empty()) return dir;
    const auto& db = cfg.storage.path;
    if (db.empty() || db == ":memory:" || db.rfind("file:", 0) == 0) return {};
    return (std::filesystem::path(db).parent_path() / "model-cache").string();
}

std::shared_ptr<const knowledge_base> load_knowledge_base(const config& cfg, const std::vector<kb_extra_example>& extra) {
    auto src = read_checked(cfg, extra);
    return std::make_shared<indexed_kb>(std::move(src.topics), src.out_of_scope, src.markers, shorthand_of(cfg),
                                        src.subjects.size(), model_cache_dir(cfg));
}

kb_training_set load_training_set(const config& cfg) {
    auto src = read_checked(cfg);
    kb_training_set set;
    for (const auto& t : src.topics) set.topic_ids.push_back(t.id);
    set.texts = indexed_kb::texts(src.topics, src.out_of_scope, src.markers);
    set.shorthand = shorthand_of(cfg);
    set.greeting_topic = indexed_kb::greeting_index(src.topics);
    return set;
}

std::shared_ptr<const knowledge_base> make_knowledge_base(std::vector<kb_topic> topics, std::vector<std::string> out_of_scope,
                                                          const std::string& shorthand_file,
                                                          std::vector<std::string> markers) {
    return std::make_shared<indexed_kb>(std::move(topics), out_of_scope, markers, nlp::load_shorthand(shorthand_file), 0);
}

kb_prefetch_stats prefetch_stats(const knowledge_base& kb) {
    if (const auto* k = dynamic_cast<const indexed_kb*>(&kb)) return k->prefetch_figures();
    return {};
}

kb_training_stats training_stats(const knowledge_base& kb) {
    if (const auto* k = dynamic_cast<const indexed_kb*>(&kb)) return k->stats();
    return {};
}

}  // namespace bot
