// Link codes: random from OpenSSL, stored only as a hash.
#include "bot/link_code.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <stdexcept>

namespace bot {

std::string make_link_code() {
    static constexpr char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // 31 symbols
    constexpr unsigned n = sizeof(alphabet) - 1;
    std::string code;
    while (code.size() < 8) {
        unsigned char b[16];
        if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness for a link code");
        for (unsigned char c : b) {
            // Rejection sampling keeps every symbol equally likely.
            if (c >= 256 - (256 % n)) continue;
            code.push_back(alphabet[c % n]);
            if (code.size() == 8) break;
        }
    }
    return code;
}

std::string hash_link_code(std::string_view code) {
    std::string norm;
    for (char c : code)
        if (!std::isspace(static_cast<unsigned char>(c))) norm.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(norm.data()), norm.size(), md);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : md) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    return out;
}

}  // namespace bot
