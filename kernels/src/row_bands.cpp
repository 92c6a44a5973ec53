// Row-band scheduler; see row_bands.hpp for why the split is deterministic.

#include "mrast/row_bands.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace mrast {
namespace {

// Enough bands for load balancing and a smooth progress bar, few enough that
// the per-band cost (testing every feature's row range) stays negligible.
constexpr int kBandsPerThread = 4;
constexpr int kMinBands = 8;

struct Scheduler {
    Scheduler(const RowBandPlan &plan, const RowBandOptions &options,
              void (*work)(void *, std::int32_t, std::int32_t, std::int32_t, int), void *ctx) noexcept
        : m_plan(plan), m_options(options), m_work(work), m_ctx(ctx) {}

    RowBandPlan m_plan;
    const RowBandOptions &m_options;
    void (*m_work)(void *, std::int32_t, std::int32_t, std::int32_t, int);
    void *m_ctx;
    std::atomic<std::int32_t> m_next{0};
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_error{static_cast<int>(Status::Ok)};
    std::mutex m_progress_mutex;
    std::int32_t m_done = 0;  // guarded by m_progress_mutex

    void fail(Status s) noexcept {
        int expected = static_cast<int>(Status::Ok);
        m_error.compare_exchange_strong(expected, static_cast<int>(s));
        m_stop.store(true);
    }

    void worker(int thread_index) noexcept {
        while (!m_stop.load(std::memory_order_relaxed)) {
            const std::int32_t band = m_next.fetch_add(1);
            if (band >= m_plan.count) return;
            try {
                m_work(m_ctx, band, m_plan.first_row(band), m_plan.first_row(band + 1), thread_index);
            } catch (const std::bad_alloc &) {
                fail(Status::OutOfMemory);
                return;
            } catch (...) {
                fail(Status::InvalidArgument);
                return;
            }
            if (m_options.progress) {
                std::lock_guard<std::mutex> lock(m_progress_mutex);
                ++m_done;
                if (!m_stop.load() &&
                    !m_options.progress(static_cast<double>(m_done) / m_plan.count,
                                        m_options.progress_arg)) {
                    fail(Status::Cancelled);
                }
            }
        }
    }
};

struct PlainWork {
    void (*work)(void *, std::int32_t, std::int32_t, int);
    void *ctx;
    static void call(void *self, std::int32_t, std::int32_t b, std::int32_t e, int t) {
        const auto *p = static_cast<PlainWork *>(self);
        p->work(p->ctx, b, e, t);
    }
};

}  // namespace

int resolve_thread_count(int requested, std::int32_t height) noexcept {
    int n = requested;
    if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 1;
    return static_cast<int>(std::max<std::int32_t>(1, std::min<std::int32_t>(n, height)));
}

RowBandPlan plan_row_bands(std::int32_t height, int threads) noexcept {
    if (height <= 0) return RowBandPlan{0, 0};
    const std::int64_t wanted =
        std::max<std::int64_t>(kMinBands, std::int64_t{kBandsPerThread} * std::max(threads, 1));
    return RowBandPlan{height, static_cast<std::int32_t>(std::min<std::int64_t>(height, wanted))};
}

Status run_row_bands(const RowBandPlan &plan, const RowBandOptions &options,
                     void (*work)(void *, std::int32_t, std::int32_t, std::int32_t, int),
                     void *ctx) noexcept {
    if (plan.height <= 0 || plan.count <= 0) return Status::Ok;
    const int threads = std::min(resolve_thread_count(options.threads, plan.height), plan.count);
    Scheduler s(plan, options, work, ctx);
    if (threads == 1) {
        s.worker(0);
        return static_cast<Status>(s.m_error.load());
    }
    std::vector<std::thread> pool;
    try {
        pool.reserve(static_cast<std::size_t>(threads - 1));
        for (int t = 1; t < threads; ++t) pool.emplace_back([&s, t] { s.worker(t); });
    } catch (const std::exception &) {
        // Fewer threads only cost time: the caller's thread works through
        // whatever bands are left, and the result is the same.
    }
    s.worker(0);
    for (auto &th : pool) th.join();
    return static_cast<Status>(s.m_error.load());
}

Status run_row_bands(std::int32_t height, const RowBandOptions &options,
                     void (*work)(void *, std::int32_t, std::int32_t, int), void *ctx) noexcept {
    if (height <= 0) return Status::Ok;
    PlainWork plain{work, ctx};
    return run_row_bands(plan_row_bands(height, resolve_thread_count(options.threads, height)),
                         options, &PlainWork::call, &plain);
}

}  // namespace mrast
