// The configuration keys that point a test's bot at the Zalo simulator.
#pragma once

#include "bot/simulator/zalo_simulator.hpp"

#include <map>
#include <string>

namespace test {

/// `env` plus the keys that point the bot at `zalo`: its API, OAuth and ZNS bases and its CA file.
inline std::map<std::string, std::string> simulator_env(const sim::zalo_simulator& zalo,
                                                        std::map<std::string, std::string> env = {}) {
    env["CCHCBOT_ZALO_API_BASE"] = env["CCHCBOT_ZALO_OAUTH_BASE"] = env["CCHCBOT_ZALO_ZNS_BASE"] = zalo.base_url();
    env["CCHCBOT_ZALO_CA_FILE"] = zalo.ca_file();
    return env;
}

}  // namespace test
