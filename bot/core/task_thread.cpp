// One thread for long tasks beside the write worker.
#include "bot/core/task_thread.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

namespace bot {

task_thread::task_thread(const std::string& db_path) : db_(storage::open_reader(db_path)) {}

task_thread::~task_thread() { stop(); }

bool task_thread::post(job j) {
    {
        std::lock_guard lk(mu_);
        if (stopping_) return false;
        jobs_.push_back(std::move(j));
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
        // Notified under the lock: stop() may otherwise join and destroy cv_ while notify_one runs.
        cv_.notify_one();
    }
    return true;
}

void task_thread::stop() {
    std::thread t;
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
        cv_.notify_one();
        t = std::move(thread_);
    }
    if (t.joinable()) t.join();
}

void task_thread::run() {
    for (;;) {
        job j;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            j = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            j(*db_);
        } catch (const std::exception& e) {
            spdlog::error("task failed: {}", e.what());
        }
    }
}

}  // namespace bot
