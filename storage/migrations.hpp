// The versioned schema migrations, in order.
#pragma once

#include <vector>

namespace storage {

/// One schema step: applied once, in its own transaction, recorded in PRAGMA user_version.
struct migration {
    int version;
    const char* sql;
};

/// Every migration, ascending by version.
[[nodiscard]] const std::vector<migration>& all_migrations();

}  // namespace storage
