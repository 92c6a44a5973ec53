#pragma once
// MRAST_HD marks functions shared by the CPU threads and (later) the CUDA
// kernels: the merge policies, the pixel conversion and the touched states.
// It is the one macro the kernels allow (STYLE.md: templates over macros).

#if defined(__CUDACC__)
#define MRAST_HD __host__ __device__
#else
#define MRAST_HD
#endif
