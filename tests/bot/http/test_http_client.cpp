// The tests' synchronous HTTP client.
#include "tests/bot/http/test_http_client.hpp"

#include "bot/events/webhook.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <poll.h>

namespace test {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct http_client::impl {
    net::io_context ioc;
    tcp::socket socket{ioc};
    boost::beast::flat_buffer buffer;
};

http_client::http_client(std::uint16_t port) : impl_(std::make_unique<impl>()) {
    impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    impl_->socket.set_option(tcp::no_delay(true));
}

http_client::~http_client() {
    boost::system::error_code ec;
    impl_->socket.close(ec);
}

http_reply http_client::read_reply() {
    http::response<http::string_body> res;
    http::read(impl_->socket, impl_->buffer, res);
    http_reply r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    r.keep_alive = res.keep_alive();
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    return r;
}

http_reply http_client::request(const std::string& method, const std::string& target, const std::string& body,
                                const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
        if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.prepare_payload();
    http::write(impl_->socket, req);
    return read_reply();
}

void http_client::send_raw(const std::string& bytes) { net::write(impl_->socket, net::buffer(bytes)); }

bool http_client::closed_by_peer(int wait_ms) {
    pollfd p{impl_->socket.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return false;
    char c;
    boost::system::error_code ec;
    std::size_t n = impl_->socket.read_some(net::buffer(&c, 1), ec);
    return ec || n == 0;
}

http_reply post_signed(http_client& c, const std::string& path, const std::string& app_id, const std::string& secret,
                       const std::string& body, const std::string& timestamp) {
    return c.request("POST", path, body,
                     {{"X-ZEvent-Signature", bot::webhook::signature_header(app_id, body, timestamp, secret)}});
}

}  // namespace test
