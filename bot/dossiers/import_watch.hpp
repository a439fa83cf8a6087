// The watched import folder: which files are ready, where they go afterwards, when to look next.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bot {

struct config;

/// Exports in `folder` (not in its subfolders) ready to import: *.csv, *.xlsx and *.json files
/// that have not changed for `settle` (a file still being copied is left for the next look),
/// oldest first. Hidden and temporary files (".x", "~$x.xlsx") are left alone.
/// @throws std::filesystem::filesystem_error when the folder cannot be read
[[nodiscard]] std::vector<std::filesystem::path> ready_exports(const std::filesystem::path& folder,
                                                               std::chrono::seconds settle,
                                                               std::filesystem::file_time_type now);

/// Moves an export out of the way once read: into `done/` when imported, `rejected/` otherwise,
/// named "<stamp>-<name>"; a rejected file gets `<stamp>-<name>.errors.txt` beside it with
/// `report`. Returns the new path. @throws std::filesystem::filesystem_error
std::filesystem::path archive_export(const std::filesystem::path& file, bool imported, const std::string& stamp,
                                     const std::string& report);

/// When the folder is next looked at after `now_ms` (Unix ms): at the next of cfg.imports.times
/// (local times, every day) when any are configured, else `now_ms` + cfg.imports.interval.
[[nodiscard]] std::int64_t next_watch_at(std::int64_t now_ms, const config& cfg);

}  // namespace bot
