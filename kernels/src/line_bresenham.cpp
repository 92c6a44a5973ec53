// Lines without all-touched: GDAL 3.13's GDALdllImageLine rules. The rules
// themselves are host+device code in mrast/rules/line_bresenham.hpp, shared
// with the CUDA kernels; this file instantiates them for the CPU sink.

#include "coverage_detail.hpp"
#include "mrast/rules/line_bresenham.hpp"

namespace mrast {
namespace detail {

void bresenham_line(const RingView &ring, const ZSource &z, RasterSize size, SpanSink &sink)
{
    rules::bresenham_line(ring, z, size.width, size.height, sink);
}

}  // namespace detail
}  // namespace mrast
