# The x86-64 instruction level the kernels are built for.
#
# x86-64-v2 (SSE4.1/4.2, SSSE3, POPCNT: every x86-64 CPU since about 2009)
# gives std::floor as one roundsd instead of an integer round trip, and
# floor sits on the dependent chain of GDAL's all-touched walk and of every
# crossing and row range (about a fifth of the all-touched coverage time).
# No level here has FMA, and -ffp-contract=off (kernels/CMakeLists.txt)
# keeps every product and sum rounded as GDAL rounds them anyway.
#
#   -DMRAST_X86_64_LEVEL=x86-64-v2   default
#   -DMRAST_X86_64_LEVEL=            baseline x86-64 (very old CPUs)
include(CheckCXXCompilerFlag)

set(MRAST_X86_64_LEVEL "x86-64-v2" CACHE STRING
    "-march level for the kernels on x86-64 (empty: the compiler's default)")

function(mrast_set_arch target)
  if(NOT MRAST_X86_64_LEVEL OR NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    return()
  endif()
  check_cxx_compiler_flag("-march=${MRAST_X86_64_LEVEL}" MRAST_HAS_MARCH_LEVEL)
  if(MRAST_HAS_MARCH_LEVEL)
    # PUBLIC: inline rules compiled in other targets must not differ.
    target_compile_options(${target} PUBLIC
      $<$<COMPILE_LANGUAGE:CXX>:-march=${MRAST_X86_64_LEVEL}>)
  else()
    message(STATUS "merge-rasterize: -march=${MRAST_X86_64_LEVEL} not supported, baseline build")
  endif()
endfunction()
