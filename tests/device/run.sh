#!/usr/bin/env bash
# Device check, one script: builds the model engine against the PyTorch libtorch of the GPU
# machine (worker-only build; nlohmann-json carried in third_party/) and runs parity.py.
# From the session: cp -r /usr/include/nlohmann third_party/ ; then, with the device tool,
#   run: bash tests/device/run.sh   carry: ["third_party"]   (results land in $OUT)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/amalgam-device}
mkdir -p "$out"
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B build-device -G Ninja -DAMALGAM_WORKER_ONLY=ON -DCMAKE_PREFIX_PATH="$prefix" \
  -DNLOHMANN_JSON_INCLUDE_DIR="$PWD/third_party" > "$out/cmake.log"
cmake --build build-device --target amalgam_parity > "$out/build.log"
# The example data is laid out as an evaluation folder, for the metric parity.
python3 tests/device/parity.py build-device "$out/models" resources/examples 2>&1 | tee "$out/parity.txt"
