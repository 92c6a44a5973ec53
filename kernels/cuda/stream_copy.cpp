// Streaming-store memcpy (see stream_copy.hpp).

#include "stream_copy.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mrast {
namespace cuda_detail {

void stream_copy(void *dst, const void *src, std::size_t n) noexcept {
#if defined(__SSE2__)
    auto *d = static_cast<unsigned char *>(dst);
    const auto *s = static_cast<const unsigned char *>(src);
    // Short copies (row ends, tiny rows): the head and tail stores would
    // dominate, and the lines are likely cached anyway.
    constexpr std::size_t kMinStream = 256;
    if (n < kMinStream) {
        std::memcpy(d, s, n);
        return;
    }
    // Destination 64-byte aligned: the four 16-byte stores of a step fill
    // one cache line, which leaves the write-combining buffer as one
    // full-line write (partial lines go out in pieces). The source may be
    // at any offset (unaligned loads).
    const std::size_t head = (64 - (reinterpret_cast<std::uintptr_t>(d) & 63)) & 63;
    std::memcpy(d, s, head);
    d += head;
    s += head;
    n -= head;
    for (const unsigned char *end = s + (n & ~std::size_t{63}); s != end; s += 64, d += 64) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 16));
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 32));
        const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + 48));
        _mm_stream_si128(reinterpret_cast<__m128i *>(d), a);
        _mm_stream_si128(reinterpret_cast<__m128i *>(d + 16), b);
        _mm_stream_si128(reinterpret_cast<__m128i *>(d + 32), c);
        _mm_stream_si128(reinterpret_cast<__m128i *>(d + 48), e);
    }
    std::memcpy(d, s, n & 63);
#else
    std::memcpy(dst, src, n);
#endif
}

void stream_fence() noexcept {
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

}  // namespace cuda_detail
}  // namespace mrast
