// The model cache (see model_cache.hpp). An entry is one file: a header line, the payload's
// length and SHA-256, then the payload. Its name hashes the key with the program's identity.
#include "bot/language/model_cache.hpp"

#include "bot/core/crypto.hpp"

#include <link.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

namespace bot::nlp {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view header = "cchcbot model 1\n";
constexpr std::size_t digest_size = 64;  // hex SHA-256
constexpr std::uintmax_t largest_entry = std::uintmax_t{1} << 30;

struct build_ids {
    std::string all;
    bool main_has_one = false;
};

int note_build_id(dl_phdr_info* info, std::size_t, void* data) {
    auto& ids = *static_cast<build_ids*>(data);
    const bool main_program = info->dlpi_name == nullptr || info->dlpi_name[0] == '\0';
    bool found = false;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum && !found; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_NOTE) continue;
        const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
        const auto* end = p + ph.p_memsz;
        auto align4 = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p, sizeof nh);
            const auto* name = p + sizeof nh;
            const auto* desc = name + align4(nh.n_namesz);
            if (desc + nh.n_descsz > end) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                ids.all.append(reinterpret_cast<const char*>(desc), nh.n_descsz);
                ids.all += '\n';
                found = true;
                break;
            }
            p = desc + align4(nh.n_descsz);
        }
    }
    if (main_program && found) ids.main_has_one = true;
    return 0;
}

}  // namespace

const std::string& program_identity() {
    static const std::string identity = [] {
        build_ids ids;
        dl_iterate_phdr(note_build_id, &ids);
        return ids.main_has_one ? sha256_hex(ids.all) : std::string{};
    }();
    return identity;
}

model_cache::model_cache(fs::path dir, std::size_t keep) : dir_(std::move(dir)), keep_(std::max<std::size_t>(keep, 1)) {}

fs::path model_cache::file_of(std::string_view key) const {
    std::string named(header);
    named += program_identity();
    named += '\0';
    named += key;
    return dir_ / (sha256_hex(named).substr(0, 32) + ".model");
}

std::optional<std::string> model_cache::read(std::string_view key) const {
    try {
        return read_entry(key);
    } catch (const std::exception&) {
        return std::nullopt;  // (no memory for the bytes): trained afresh
    }
}

std::optional<std::string> model_cache::read_entry(std::string_view key) const {
    if (program_identity().empty()) return std::nullopt;
    const auto path = file_of(key);
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec || size < header.size() + sizeof(std::uint64_t) + digest_size || size > largest_entry) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return std::nullopt;
    std::string_view rest(bytes);
    if (rest.substr(0, header.size()) != header) return std::nullopt;
    rest.remove_prefix(header.size());
    std::uint64_t length = 0;
    std::memcpy(&length, rest.data(), sizeof length);
    rest.remove_prefix(sizeof length);
    const auto digest = rest.substr(0, digest_size);
    rest.remove_prefix(digest_size);
    if (length != rest.size() || sha256_hex(rest) != digest) return std::nullopt;
    // Used now: the least recently used entries are the ones pruned.
    fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
    return std::string(rest);
}

bool model_cache::write(std::string_view key, std::string_view bytes) const {
    try {
        return write_entry(key, bytes);
    } catch (const std::exception&) {
        return false;  // no randomness for the file's name, no memory: the models are simply not kept
    }
}

bool model_cache::write_entry(std::string_view key, std::string_view bytes) const {
    if (program_identity().empty()) return false;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return false;
    const auto path = file_of(key);
    const fs::path part = path.string() + ".part-" + random_hex(8);
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        // The service's own, like its database: the models are learnt from questions citizens asked.
        fs::permissions(part, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
        const std::uint64_t length = bytes.size();
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        out.write(reinterpret_cast<const char*>(&length), sizeof length);
        const auto digest = sha256_hex(bytes);
        out.write(digest.data(), static_cast<std::streamsize>(digest.size()));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            fs::remove(part, ec);
            return false;
        }
    }
    fs::rename(part, path, ec);
    if (ec) {
        fs::remove(part, ec);
        return false;
    }
    prune();
    return true;
}

void model_cache::prune() const {
    std::error_code ec;
    std::vector<std::pair<fs::file_time_type, fs::path>> entries;
    const auto now = fs::file_time_type::clock::now();
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        const auto& p = it->path();
        auto when = fs::last_write_time(p, ec);
        if (ec) {
            ec.clear();
            continue;
        }
        if (p.extension() == ".model") {
            entries.emplace_back(when, p);
        } else if (p.filename().string().find(".model.part-") != std::string::npos && now - when > std::chrono::hours(1)) {
            fs::remove(p, ec);  // left by a writer that stopped half-way
            ec.clear();
        }
    }
    if (entries.size() <= keep_) return;
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = keep_; i < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

}  // namespace bot::nlp
