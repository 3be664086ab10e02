#!/usr/bin/env bash
# The GPU tier batching benchmark on an NVIDIA machine: the same harness and table as docs/benchmarks.md's CPU
# run, with the tier required to run on CUDA (it refuses to fall back to CPU, so a broken CUDA setup fails
# loudly instead of measuring the CPU).
# Needs: the .NET 10 SDK, Node.js (Azurite), an NVIDIA driver with CUDA 13 and cuDNN 9 libraries on the
# loader path (or run inside the tier image's base, nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04, with the SDK added).
#   tests/Stratus.Benchmarks/run-gpu-tier-benchmark.sh [seconds per level, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
if [ ! -f .tools/azurite/node_modules/azurite/dist/src/azurite.js ]; then
  npm install --prefix .tools/azurite "azurite@$(sed -n 's/^AZURITE_VERSION=//p' .ci/tool-versions.env)" --no-audit --no-fund --loglevel error
fi
dotnet build -c Release tests/Stratus.Benchmarks --nologo -v quiet

# Passed by the runner to the tier process: CUDA or nothing; larger batches suit a GPU.
export Stratus__Tier__ExecutionProvider=cuda
export Stratus__Tier__Batching__MaxBatchSize="${MAX_BATCH:-64}"
dotnet run -c Release --no-build --project tests/Stratus.Benchmarks -- tier-batching --connections 1,8,32,64 --seconds "$seconds" \
  | tee /dev/stderr | grep -E '^\|' > gpu-tier-benchmark.md
echo "table written to gpu-tier-benchmark.md (copy it into docs/benchmarks.md with the GPU's name)"
