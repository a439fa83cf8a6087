// The knowledge base: topics loaded from templates/kb/, with the matcher's index.
#pragma once

#include "bot/language/match_outcome.hpp"
#include "bot/zalo/outgoing.hpp"

#include <memory>
#include <string_view>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bot {

struct config;

/// What a citizen reads of a topic, rendered with one OA's locality values.
struct kb_rendering {
    std::string answer;
    std::vector<zalo::button> buttons;
};

/// One answerable topic (fields as in templates/kb/).
struct kb_topic {
    std::string id;
    std::string title;                  ///< short Vietnamese title (also the clarify button's label)
    std::string answer;                 ///< rendered with the locality placeholders; phone-sized
    std::vector<zalo::button> buttons;  ///< links to the portal, phone numbers
    std::vector<std::string> related;   ///< related topic ids
    std::string source;                 ///< legal or official basis
    std::string reviewed;               ///< last-reviewed date, YYYY-MM-DD
    std::string valid_until;            ///< last day a fact in the answer holds (YYYY-MM-DD), or ""
    std::string valid_until_note;       ///< which fact expires and what to check then
    std::string unverified;             ///< what could not be checked against a public source, or ""
    std::vector<std::string> examples;  ///< example questions as citizens type them
    std::vector<std::string> keywords;  ///< keywords and synonyms
    std::vector<std::string> training;  ///< more questions from templates/kb/examples/*.tsv (the model learns them)
    std::string file;                   ///< where it was defined (messages, kb check)
    int line = 0;
    /// The answer and buttons for each [[oa]] whose locality renders them differently
    /// (bot::oa_locality); every other OA reads `answer` and `buttons`.
    std::unordered_map<std::string, kb_rendering> by_oa;

    /// The answer a citizen of the OA `oa` reads (unknown or empty: the default rendering).
    [[nodiscard]] const std::string& answer_for(const std::string& oa) const;
    /// The buttons a citizen of the OA `oa` gets.
    [[nodiscard]] const std::vector<zalo::button>& buttons_for(const std::string& oa) const;
};

/// What the matcher decided for one message.
struct kb_match {
    match_outcome outcome = match_outcome::fallback;
    const kb_topic* topic = nullptr;                ///< the answered topic (answered only)
    double score = 0;                               ///< the best topic's score
    std::vector<const kb_topic*> alternatives;      ///< 2–3 best topics (clarified), best first
    std::vector<std::pair<const kb_topic*, double>> ranked;  ///< up to 5 best topics with scores (diagnostics)
    double out_of_scope = 0;                        ///< how much it reads like something we do not handle
    bool acknowledgement = false;                   ///< only thanks or an acknowledgement ("cảm ơn", "ok")
    bool marker = false;                            ///< an out-of-scope marker occurred ("icloud", "giá vàng")
    /// Diagnostics (eval --json): each compared topic's model probability, lexical score and
    /// combined score, best first; the share of the message the model knew; what was read.
    struct evidence {
        const kb_topic* topic = nullptr;
        double model = 0, lexical = 0, combined = 0;
    };
    std::vector<evidence> evidences;
    double known = 0;
    std::string read;
};

/// The loaded knowledge base and its index. Immutable once built; reload builds a new one.
class knowledge_base {
public:
    virtual ~knowledge_base() = default;
    /// Every topic, in file order.
    [[nodiscard]] virtual const std::vector<kb_topic>& topics() const = 0;
    /// The topic with this id, or nullptr.
    [[nodiscard]] virtual const kb_topic* find(const std::string& id) const = 0;
    /// Matches a citizen's message (raw text as typed) against the topics.
    [[nodiscard]] virtual kb_match match(std::string_view text) const = 0;
    /// The topic a question button's text (an oa.query payload of some topic's answer) is
    /// answered with, understood once when the model is trained; nullptr when it is not
    /// answered. The default matches it each time.
    [[nodiscard]] virtual const kb_topic* button_topic(std::string_view payload) const;
    /// Understands `text` now, on the calling thread (the webhook's I/O thread, while the event
    /// is stored), so that the next match() of the same text, on the dispatcher's write turn,
    /// takes the result instead of computing it. Each prefetch serves one match(); a bounded
    /// number wait (the oldest are dropped). Thread-safe. The default does nothing.
    virtual void prefetch(std::string_view text) const { (void)text; }
    /// Trains the learned model now (about a second for the bundled knowledge base); otherwise
    /// it is trained by the first match(). The server calls this at start and on reload, before
    /// the knowledge base answers anyone. Thread-safe.
    virtual void prepare() const {}
    /// The message as the matcher reads it (NFC, lowercase, tone marks unified, shorthand
    /// expanded), e.g. to group unanswered questions. The default only repairs and lowercases.
    [[nodiscard]] virtual std::string normalized(std::string_view text) const;
};

/// An example question added to a topic outside templates/kb (stored in the database by the
/// console's "unanswered questions" page); checked and indexed like the files' examples.
struct kb_extra_example {
    std::string topic_id;
    std::string text;
    std::string origin;  ///< where it comes from in problem texts, e.g. "console example #12"
};

/// Where the trained models of `cfg`'s knowledge base are kept between runs: kb.model_cache, or
/// "model-cache" beside the database when unset; empty when "off" or the database is in memory.
[[nodiscard]] std::string model_cache_dir(const config& cfg);

/// Loads and validates templates/kb (cfg.kb.dir) with the locality placeholders of `cfg` (and
/// of each [[oa]], bot::oa_locality, as of today), plus
/// `extra` examples appended to their topics. The models are trained on first use, or read
/// from model_cache_dir(cfg) when this program trained them from the same texts before.
/// @throws std::runtime_error with file:line: reason for the first problem.
[[nodiscard]] std::shared_ptr<const knowledge_base> load_knowledge_base(const config& cfg,
                                                                        const std::vector<kb_extra_example>& extra = {});

/// Validates templates/kb, the shorthand file and `extra` without building: every problem as
/// "file:line: reason" (unknown fields, missing or duplicate ids, placeholders, lengths, dates...;
/// an extra example: "<origin>: reason").
[[nodiscard]] std::vector<std::string> check_knowledge_base(const config& cfg, const std::vector<kb_extra_example>& extra = {});

/// Builds a knowledge base from topics already in memory (tests, benchmarks). `out_of_scope`
/// phrases describe what the bot must not answer; `markers` are words that alone mark a message
/// as not ours. @throws std::runtime_error for a bad shorthand file.
[[nodiscard]] std::shared_ptr<const knowledge_base> make_knowledge_base(std::vector<kb_topic> topics,
                                                                        std::vector<std::string> out_of_scope,
                                                                        const std::string& shorthand_file,
                                                                        std::vector<std::string> markers = {});

/// What `kb check` says about the facts' dates and citations as of a day.
struct kb_fact_report {
    std::vector<std::string> errors;    ///< an expired fact, a document cited in an answer but not in `source`
    std::vector<std::string> warnings;  ///< a fact expiring within 60 days, facts marked unverified
};

/// Checks templates/kb as of `today` (YYYY-MM-DD): `valid_until` warns from 60 days before and is an
/// error after; every document number an answer cites (e.g. "120/2025/NĐ-CP") must be in its
/// `source`; `unverified` notes are listed as warnings. Structural problems are check_knowledge_base's.
[[nodiscard]] kb_fact_report check_kb_facts(const config& cfg, const std::string& today);

/// Training figures of a loaded knowledge base (kb check, benchmarks): texts the model learnt
/// from (with generated variants), milliseconds spent, out-of-scope messages and their subjects.
struct kb_training_stats {
    std::size_t texts = 0;
    double milliseconds = 0;
    std::size_t out_of_scope = 0;
    std::size_t out_of_scope_subjects = 0;
    std::size_t training_examples = 0;  ///< questions from templates/kb/examples
    bool reused = false;                ///< the model trained earlier in this process from the same texts
    bool cached = false;                ///< the models read from the model cache (kb.model_cache), not trained
};
/// The figures of `kb` when it is the built-in kind (load_knowledge_base, make_knowledge_base);
/// trains the model first if it has not been trained yet.
[[nodiscard]] kb_training_stats training_stats(const knowledge_base& kb);

/// Prefetched understandings of a built-in knowledge base (knowledge_base::prefetch): how many
/// wait for their match() and how many match() calls took one instead of computing.
struct kb_prefetch_stats {
    std::size_t waiting = 0;
    std::size_t taken = 0;
};
[[nodiscard]] kb_prefetch_stats prefetch_stats(const knowledge_base& kb);

/// The topic ids the product requires (shared/kb-topics.md); `kb check` reports missing ones.
[[nodiscard]] const std::vector<std::string>& required_topic_ids();

}  // namespace bot
