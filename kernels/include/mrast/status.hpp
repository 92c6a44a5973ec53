#pragma once
// Kernels report errors through return values, never exceptions or globals:
// the GDAL glue turns a Status into a CPLError naming the problem.

namespace mrast {

enum class Status {
    Ok = 0,
    InvalidArgument,  // null buffer, negative size, offsets out of order
    UnsupportedType,  // complex or unknown pixel type
    OutOfMemory,      // scratch could not be allocated
    Cancelled,        // the progress callback asked to stop
    CudaUnavailable,  // CUDA requested but no usable device/driver
    CudaError,        // a CUDA call failed
};

/// Short English name of a status, for error messages.
const char *status_name(Status s) noexcept;

}  // namespace mrast
