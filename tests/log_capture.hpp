// What spdlog's default logger writes while a test runs (tests that check a line is logged, or
// not repeated).
#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace test {

/// Keeps what spdlog's default logger writes while it lives (thread-safe to read).
class log_capture {
public:
    log_capture()
        : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10000)), previous_(spdlog::default_logger()) {
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;
    /// Lines written so far that contain `text`.
    std::size_t count(const std::string& text) const {
        std::size_t n = 0;
        for (const auto& line : sink_->last_formatted()) n += line.find(text) != std::string::npos;
        return n;
    }

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace test
