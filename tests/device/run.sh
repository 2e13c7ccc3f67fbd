#!/usr/bin/env bash
# The device check, one script: builds the model engine against the machine's PyTorch libtorch
# (worker-only build), then runs our engine beside transformers (device_check.py): parity,
# bfloat16 agreement, a one-rank process group (NCCL), speed on a Llama-3.2-1B-shaped model,
# and LoRA training beside peft.
# Meant to finish within 5 min.
# From the session: bash tests/device/prepare.sh, then with the device tool
#   run: bash tests/device/run.sh   carry: ["third_party", "device-data"]   (logs land in $OUT)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/amalgam-device}
mkdir -p "$out"
start=$(date +%s)
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
# nccl.h of PyTorch's nvidia-nccl wheel, where it is (NCCL for the process-group check).
nccl=$(python3 -c 'import os, nvidia.nccl as n; print(os.path.join(list(n.__path__)[0], "include"))' 2> /dev/null || true)
cmake -S . -B build-device -G Ninja -DCMAKE_BUILD_TYPE=Release -DAMALGAM_WORKER_ONLY=ON -DCMAKE_PREFIX_PATH="$prefix" \
  -DNLOHMANN_JSON_INCLUDE_DIR="$PWD/third_party" ${nccl:+-DAMALGAM_NCCL_INCLUDE="$nccl"} > "$out/cmake.log" 2>&1 || { tail -30 "$out/cmake.log"; exit 1; }
grep -E "nccl|Gloo" "$out/cmake.log" || true
cmake --build build-device --target amalgam_parity > "$out/build.log" 2>&1 || { grep -E "error|Error" "$out/build.log" | head -30; exit 1; }
echo "FIGURE worker build: $(( $(date +%s) - start )) s"
set +e
python3 tests/device/device_check.py build-device "$out/models" device-data 2>&1 | tee "$out/device_check.txt"
status=${PIPESTATUS[0]}
set -e
rm -rf "$out/models"  # gigabytes of random weights: nothing to bring back
echo "FIGURE whole check: $(( $(date +%s) - start )) s"
exit "$status"
