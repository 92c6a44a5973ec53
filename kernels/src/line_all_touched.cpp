// All-touched traversal: GDAL 3.13's GDALdllImageLineAllTouched rules. The
// rules themselves are host+device code in mrast/rules/line_all_touched.hpp,
// shared with the CUDA kernels; this file instantiates them for the CPU sink.

#include "coverage_detail.hpp"
#include "mrast/rules/line_all_touched.hpp"

namespace mrast {
namespace detail {

void all_touched_line(const RingView &ring, const ZSource &z, RasterSize size, bool intersect_only,
                      SpanSink &sink)
{
    rules::all_touched_line(ring, z, size.width, size.height, intersect_only, sink);
}

}  // namespace detail
}  // namespace mrast
