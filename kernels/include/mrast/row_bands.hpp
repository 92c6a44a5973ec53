#pragma once
// Deterministic row-band parallelism. The rows of a raster are cut into
// bands (about four per thread, so a slow band does not hold the others up);
// threads take the next band from an atomic counter. Each pixel belongs to
// exactly one band and every band merges its features in input order, so
// the output is the same bits for any thread count and any band split.

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "mrast/status.hpp"

namespace mrast {

struct RowBandOptions {
    int threads = 0;  // 0 = std::thread::hardware_concurrency()
    /// Called (one call at a time) after each band with the fraction of bands
    /// done; returning false cancels the remaining bands.
    bool (*progress)(double fraction, void *arg) = nullptr;
    void *progress_arg = nullptr;
};

/// Threads a run over `height` rows actually uses (>= 1, <= height).
int resolve_thread_count(int requested, std::int32_t height) noexcept;

/// How the rows are cut: band b is rows [first_row(b), first_row(b + 1)).
struct RowBandPlan {
    std::int32_t height = 0;
    std::int32_t count = 0;  // >= 1 when height >= 1

    std::int32_t first_row(std::int32_t band) const noexcept {
        return static_cast<std::int32_t>(static_cast<std::int64_t>(height) * band / count);
    }
    /// The band holding `row` (0 <= row < height): the largest b with
    /// first_row(b) <= row, i.e. height * b < (row + 1) * count.
    std::int32_t band_of(std::int32_t row) const noexcept {
        return static_cast<std::int32_t>(((static_cast<std::int64_t>(row) + 1) * count - 1) / height);
    }
};

/// band_of() for many rows, without its 64-bit division (40% of the time
/// of listing 1M points): a table of the band at every 2^shift-th row (at
/// most kEntries of them), then a step over the band starts that follow.
class BandLocator {
public:
    static constexpr std::int64_t kEntries = 4096;

    /// Rebuilds the tables for `plan` unless they are already its.
    void prepare(const RowBandPlan &plan) {
        if (plan.height == m_plan.height && plan.count == m_plan.count && !m_first.empty()) return;
        m_plan = plan;
        m_shift = 0;
        while ((static_cast<std::int64_t>(plan.height) >> m_shift) > kEntries) ++m_shift;
        m_first.resize(static_cast<std::size_t>(plan.count) + 1);
        for (std::int32_t b = 0; b < plan.count; ++b) m_first[static_cast<std::size_t>(b)] = plan.first_row(b);
        m_first[static_cast<std::size_t>(plan.count)] = plan.height;
        m_at.resize(plan.height > 0 ? static_cast<std::size_t>(((plan.height - 1) >> m_shift) + 1) : 0);
        std::int32_t b = 0;
        for (std::size_t i = 0; i < m_at.size(); ++i) {
            const auto row = static_cast<std::int32_t>(static_cast<std::int64_t>(i) << m_shift);
            while (m_first[static_cast<std::size_t>(b) + 1] <= row) ++b;
            m_at[i] = b;
        }
    }

    /// plan.band_of(row), 0 <= row < plan.height.
    std::int32_t band_of(std::int32_t row) const noexcept {
        std::int32_t b = m_at[static_cast<std::size_t>(row >> m_shift)];
        while (m_first[static_cast<std::size_t>(b) + 1] <= row) ++b;
        return b;
    }

private:
    RowBandPlan m_plan;
    int m_shift = 0;
    std::vector<std::int32_t> m_first;  // count + 1 band starts
    std::vector<std::int32_t> m_at;     // band of row i << m_shift
};

/// The split run_row_bands uses for `height` rows on `threads` threads.
RowBandPlan plan_row_bands(std::int32_t height, int threads) noexcept;

/// Runs work(ctx, band, row_begin, row_end, thread_index) for every band of
/// `plan`; thread_index < resolve_thread_count(options.threads, plan.height).
Status run_row_bands(const RowBandPlan &plan, const RowBandOptions &options,
                     void (*work)(void *ctx, std::int32_t band, std::int32_t row_begin,
                                  std::int32_t row_end, int thread_index),
                     void *ctx) noexcept;

/// Type-erased core: work(ctx, row_begin, row_end, thread_index) for every
/// band; thread_index < resolve_thread_count(options.threads, height).
/// Returns Cancelled if progress said stop, OutOfMemory if a band threw
/// std::bad_alloc.
Status run_row_bands(std::int32_t height, const RowBandOptions &options,
                     void (*work)(void *ctx, std::int32_t row_begin, std::int32_t row_end,
                                  int thread_index),
                     void *ctx) noexcept;

/// Same with any callable `f(row_begin, row_end, thread_index)`.
template <class F>
Status run_row_bands(std::int32_t height, const RowBandOptions &options, F &f) noexcept {
    return run_row_bands(
        height, options,
        [](void *ctx, std::int32_t b, std::int32_t e, int t) { (*static_cast<F *>(ctx))(b, e, t); },
        &f);
}

}  // namespace mrast
