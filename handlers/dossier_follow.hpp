// Citizens following their dossier: "theo dõi <mã> <số điện thoại>", the "Theo dõi hồ sơ này"
// button, "bỏ theo dõi"; and the notices sent to followers when an import finds a change.
#pragma once

#include "handlers/context.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace handlers {

struct sender;

/// Button payloads (a tapped button arrives as this text followed by the dossier code).
namespace follow_payload {
inline constexpr std::string_view follow = "#follow:";
inline constexpr std::string_view unfollow = "#unfollow:";
}  // namespace follow_payload

/// Failed attempts a citizen gets per day before following is refused until tomorrow (guessing a
/// stranger's phone for a known code must not be practical).
inline constexpr int max_follow_failures_per_day = 5;

/// Takes the message when it is about following a dossier, else nullopt:
/// - "theo dõi <mã hồ sơ> <số điện thoại>" (any case, with or without diacritics): follows when
///   the phone is the one on the dossier's receipt; otherwise one answer that says nothing about
///   which of the two was wrong, or whether the dossier exists;
/// - "theo dõi <mã>" or the "Theo dõi hồ sơ này" button: asks for the phone, and the next message
///   that is a phone number completes it;
/// - "bỏ theo dõi [<mã>]" / "hủy theo dõi ..." or the "Bỏ theo dõi" button: stops (one or all).
/// The phone is never echoed in full. @throws SQLite::Exception
/// `folded` is fold_text(text), folded once by the caller for every step that reads it.
[[nodiscard]] std::optional<outcome> dossier_follow(context& ctx, const std::string& text, const std::string& folded,
                                                    const sender& s);

/// What a notice run queued.
struct notice_report {
    std::size_t changes = 0;        ///< changes handled
    std::size_t queued_cs = 0;      ///< consultation messages (inside Zalo's 7-day window)
    std::size_t queued_zns = 0;     ///< ZNS status template by phone
    std::size_t undeliverable = 0;  ///< neither possible: recorded as not delivered
    std::map<std::string, std::size_t> by_kind;
    bool more = false;              ///< changes may remain (run again)
};

/// Tells the followers of up to `max_changes` changes an import found (dossier_changes pending a
/// notice), and of followed dossiers that passed their due date still open (recorded here, once
/// per due date). Each follower gets one short message per change: the new state (a result ready
/// says where to collect it or that the electronic result is in their portal account), the
/// apology for an overdue dossier, or the apology and the new date when its due date moved later;
/// as a consultation message inside Zalo's 7-day window, else the configured ZNS status template
/// to the receipt's phone, else recorded as not delivered. Notices and their outbox rows commit
/// together, once per change and follower, also across restarts. @throws SQLite::Exception
notice_report run_dossier_notices(context& ctx, std::size_t max_changes = 500);

}  // namespace handlers
