// A folder of trained models kept between runs: a restart, a reload of an unchanged knowledge
// base, or another command of the same installation reads the models in milliseconds instead of
// training them for seconds. An entry is found only by the program that wrote it from the same
// texts, and is read only when whole and undamaged; anything else trains afresh.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace bot::nlp {

/// What identifies the running program's code: the GNU build ids of every object it has loaded
/// (the executable and its shared libraries, so an upgraded libutf8proc counts too), hashed.
/// Empty when the executable has none: then nothing is cached, since a model trained by other
/// code could not be told apart.
[[nodiscard]] const std::string& program_identity();

class model_cache {
public:
    /// Entries in `dir` (created when first written); at most `keep` of them, the least recently
    /// used go first.
    explicit model_cache(std::filesystem::path dir, std::size_t keep = 4);

    /// The bytes stored under `key` by this program, when the entry is whole and undamaged.
    /// Neither call throws: a cache that fails is a cache that misses.
    [[nodiscard]] std::optional<std::string> read(std::string_view key) const;
    /// Stores `bytes` under `key`: written to a file of its own, then renamed into place, so a
    /// reader (another process too) never sees half of it. Returns false, leaving the folder as
    /// it was, when the folder cannot be written (a cache is only a saving).
    bool write(std::string_view key, std::string_view bytes) const;
    /// The file an entry of `key` lives in.
    [[nodiscard]] std::filesystem::path file_of(std::string_view key) const;

private:
    [[nodiscard]] std::optional<std::string> read_entry(std::string_view key) const;
    bool write_entry(std::string_view key, std::string_view bytes) const;
    void prune() const;

    std::filesystem::path dir_;
    std::size_t keep_;
};

}  // namespace bot::nlp
