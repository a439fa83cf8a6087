// Link codes: random from OpenSSL, stored only as a hash.
#include "bot/dossiers/link_code.hpp"

#include "bot/core/crypto.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <stdexcept>

namespace bot {

namespace {
constexpr char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // 31 symbols
constexpr std::size_t code_length = 8;

bool shaped(std::string_view code) {
    if (code.size() != code_length) return false;
    int digits = 0, letters = 0;
    for (char c : code) {
        char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::string_view(alphabet).find(u) == std::string_view::npos) return false;
        (std::isdigit(static_cast<unsigned char>(u)) ? digits : letters)++;
    }
    return digits >= 2 && letters >= 2;
}

std::string make_raw_code() {
    constexpr unsigned n = sizeof(alphabet) - 1;
    std::string code;
    while (code.size() < code_length) {
        unsigned char b[16];
        if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness for a link code");
        for (unsigned char c : b) {
            // Rejection sampling keeps every symbol equally likely.
            if (c >= 256 - (256 % n)) continue;
            code.push_back(alphabet[c % n]);
            if (code.size() == code_length) break;
        }
    }
    return code;
}

}  // namespace

bool looks_like_link_code(std::string_view text) { return shaped(text); }

std::string make_link_code() {
    std::string code;
    do {
        code = make_raw_code();
    } while (!shaped(code));
    return code;
}

namespace {
std::string normalised(std::string_view code) {
    std::string norm;
    for (char c : code)
        if (!std::isspace(static_cast<unsigned char>(c))) norm.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return norm;
}
}  // namespace

std::string hash_link_code(std::string_view code) { return sha256_hex(normalised(code)); }

std::string link_code_selector(std::string_view code) { return normalised(code).substr(0, link_code_selector_length); }

}  // namespace bot
