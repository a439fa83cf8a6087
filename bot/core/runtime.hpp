// What the process learns as it starts, kept apart from the configuration (which never changes after load).
#pragma once

#include <cstdint>
#include <string>

namespace bot {

/// Facts of this run, as opposed to configured values: the server fills them once, before any of
/// its threads starts (the port is bound in the server's constructor), and nobody writes them
/// after. The configuration (`bot::config`) is read-only once loaded; the demo's simulator
/// address, CA file and made-up secrets live in the Zalo side's own copy (bot/app/app_zalo.cpp),
/// fixed before any Zalo thread starts.
struct runtime_info {
    std::uint16_t port = 0;  ///< the bound HTTP port (server.port = 0 picks a free one); 0 = not serving
    std::string base_url;    ///< "http://<address>:<port>" of this server, for links back to it (the demo's simulator)
    /// The demo's Zalo stand-in (empty otherwise): its address (API, OAuth and ZNS) and the CA
    /// file its certificate is signed with. Set by start_zalo before the Zalo threads start.
    std::string zalo_simulator_base;
    std::string zalo_simulator_ca_file;
};

}  // namespace bot
