#!/usr/bin/env bash
# README command 2: build and run the whole test suite
#   1. on the host, with its GDAL (3.6 on Debian 12),
#   2. inside the cached Debian testing root, with GDAL 3.13 (without the
#      tests labelled "slow": the > 2^31-pixel raster runs on the host only),
#   3. a CUDA build of the kernels where nvcc exists (GPU tests skip, with a
#      message, when there is no GPU),
#   4. the kernels' and the plugin's suites (CLI, C API; host GDAL) under
#      clang's ASan + UBSan, and a bounded libFuzzer run
#      (MRAST_FUZZ_SECONDS, default 60) of the kernels.
# Does its own set-up (apt packages, the testing root). One summary line per
# environment; exits non-zero if any environment fails.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
LOGS=$REPO/build/logs
mkdir -p "$LOGS"
JOBS=${MRAST_JOBS:-$(nproc)}

bash scripts/setup-host.sh || { echo "FAIL setup: apt-get could not install the host packages"; exit 1; }

summaries=()
failed=0

# run_env NAME LOG CMD...: runs CMD, keeps its log, records a summary line.
run_env() {
  local name=$1 log=$2; shift 2
  local t0=$SECONDS
  echo "== $name (log: $log)"
  if "$@" >"$log" 2>&1; then
    local counts; counts=$(grep -E "tests passed|No tests were found" "$log" | tail -1)
    summaries+=("PASS  $name: ${counts:-ok} ($((SECONDS - t0)) s)")
  else
    failed=1
    echo "---- last lines of $log"; tail -n 60 "$log"
    local counts; counts=$(grep -E "tests passed" "$log" | tail -1)
    summaries+=("FAIL  $name: ${counts:-build or set-up failed} ($((SECONDS - t0)) s)")
  fi
}

build_and_test() {  # BUILD_DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" &&
    cmake --build "$dir" -j "$JOBS" &&
    ctest --test-dir "$dir" --output-on-failure -j "$JOBS"
}

host_gdal=$(gdal-config --version 2>/dev/null || echo "?")
run_env "host (GDAL $host_gdal)" "$LOGS/host.log" \
  build_and_test build/host -DMRAST_ENABLE_CUDA=OFF

run_env "testing root (GDAL 3.13)" "$LOGS/testing-root.log" \
  scripts/testing-root.sh bash -c \
  "cmake -S . -B build/testing -G Ninja -DCMAKE_BUILD_TYPE=Release -DMRAST_ENABLE_CUDA=OFF && cmake --build build/testing -j $JOBS && ctest --test-dir build/testing --output-on-failure -j $JOBS -LE slow"

if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  run_env "CUDA build (kernels, GDAL-free)" "$LOGS/cuda.log" \
    build_and_test build/cuda -DMRAST_ENABLE_CUDA=ON -DMRAST_BUILD_PLUGIN=OFF -DMRAST_BUILD_BENCH=OFF
else
  summaries+=("SKIP  CUDA build: no nvcc on this machine")
fi

if command -v clang++ >/dev/null 2>&1; then
run_env "sanitizers + fuzzing (clang ASan+UBSan: kernels, CLI, C API)" "$LOGS/sanitize.log" \
  build_and_test build/sanitize -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMRAST_ENABLE_CUDA=OFF -DMRAST_BUILD_BENCH=OFF \
  -DMRAST_SANITIZE=ON -DMRAST_BUILD_FUZZERS=ON -DMRAST_FUZZ_SECONDS="${MRAST_FUZZ_SECONDS:-60}"
else
  summaries+=("SKIP  sanitizers + fuzzing: no clang on this machine")
fi

echo
echo "==== summary"
printf '%s\n' "${summaries[@]}"
exit $failed
