#include "mrast/status.hpp"

namespace mrast {

const char *status_name(Status s) noexcept {
    switch (s) {
        case Status::Ok: return "ok";
        case Status::InvalidArgument: return "invalid argument";
        case Status::UnsupportedType: return "unsupported pixel type";
        case Status::OutOfMemory: return "out of memory";
        case Status::Cancelled: return "cancelled";
        case Status::CudaUnavailable: return "CUDA unavailable";
        case Status::CudaError: return "CUDA error";
    }
    return "unknown status";
}

}  // namespace mrast
