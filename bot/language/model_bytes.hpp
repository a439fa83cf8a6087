// Trained models as bytes, for the model cache (model_cache.hpp). The bytes are read back only by
// the same program on the same machine (the cache's key names the program), so values are copied
// as they lie in memory; the reader still checks every length against what is left.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bot::nlp {

class model_writer {
public:
    template <class T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    template <class T>
    void items(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        value(static_cast<std::uint64_t>(v.size()));
        if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    std::string out_;
};

/// Reads what model_writer wrote; every call returns false, and reads nothing more, once the
/// bytes are short.
class model_reader {
public:
    explicit model_reader(std::string_view in) : in_(in) {}
    template <class T>
    [[nodiscard]] bool value(T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        if (failed_ || in_.size() < sizeof v) return fail();
        std::memcpy(&v, in_.data(), sizeof v);
        in_.remove_prefix(sizeof v);
        return true;
    }
    template <class T>
    [[nodiscard]] bool items(std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        std::uint64_t n = 0;
        if (!value(n) || n > in_.size() / sizeof(T)) return fail();
        v.resize(static_cast<std::size_t>(n));
        if (n) std::memcpy(v.data(), in_.data(), v.size() * sizeof(T));
        in_.remove_prefix(v.size() * sizeof(T));
        return true;
    }
    /// True when everything was read and nothing is left over.
    [[nodiscard]] bool done() const { return !failed_ && in_.empty(); }

private:
    bool fail() {
        failed_ = true;
        return false;
    }
    std::string_view in_;
    bool failed_ = false;
};

}  // namespace bot::nlp
