#!/usr/bin/env bash
# The real-GPU measurement docs/gpu.md asks for, prepared for a session that has a machine with a GPU.
# It has NOT been run yet: no GPU machine was lent to the task that wrote it. Run from the repo root:
#   bash bench/gpu.sh            (Linux, NVIDIA driver installed; root for apt-get)
# Measures it/s, batch 64, one D and one G step per iteration, of
#   - the 28×28 TF-tutorial model, 64/64 filters (bench/tfjs-side.ts --tutorial), and
#   - the 64×64×3 DCGAN-paper model, ngf = ndf = 64 (--paper64, on random 64×64×3 images),
# on webgpu (Dawn over NVIDIA's Vulkan driver) and on PyTorch CUDA (bench/torch_gpu_speed.py), and prints
# one JSON line per figure, plus the adapter and driver, for docs/gpu.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps=${STEPS:-30}

# 1. Vulkan: the loader (libvulkan1) and NVIDIA's ICD (installed by the driver as nvidia_icd.json).
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 -y -q install --no-install-recommends libvulkan1 vulkan-tools python3-numpy >/dev/null || true
fi
icd=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -n 1 || true)
if [[ -n $icd ]]; then export VK_ICD_FILENAMES=$icd; else echo "[gpu] no nvidia_icd.json found: Dawn sees whatever ICDs are installed" >&2; fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/[gpu] nvidia-smi: /' >&2 || echo "[gpu] nvidia-smi not found" >&2
command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverName|apiVersion' | sed 's/^/[gpu] vulkan: /' >&2 || true

# 2. The tfjs side, bundled as npm run bench does.
[[ -d node_modules/webgpu ]] || npm ci --no-audit --no-fund
node -e "require('esbuild').buildSync({entryPoints:['bench/tfjs-side.ts'],outfile:'.bench/tfjs-side.cjs',bundle:true,platform:'node',target:'node20',format:'cjs',mainFields:['module','main'],external:['vscode','@tensorflow/tfjs-node-gpu','@tensorflow/tfjs-node'],logLevel:'warning'})"
mkdir -p .bench
python3 - <<'PY'
import numpy as np
np.save('.bench/random64x64x3.npy', np.random.default_rng(1).integers(0, 256, size=(2048, 64, 64, 3), dtype=np.uint8))
PY
node .bench/tfjs-side.cjs speed --backend webgpu --tutorial --steps "$steps" --warmup 5 --out .bench/gpu-webgpu-tutorial | tail -n 1
node .bench/tfjs-side.cjs speed --backend webgpu --paper64 --data .bench/random64x64x3.npy --steps "$steps" --warmup 5 --out .bench/gpu-webgpu-paper64 | tail -n 1
# wasm on the same machine's CPU, for scale.
node .bench/tfjs-side.cjs speed --backend wasm --tutorial --steps 10 --out .bench/gpu-wasm-tutorial | tail -n 1

# 3. PyTorch CUDA (pip's torch wheel with CUDA; Debian's python3-torch is CPU-only).
python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' || { echo "[gpu] PyTorch has no CUDA here: pip install torch" >&2; exit 1; }
python3 bench/torch_gpu_speed.py --steps "$steps" --warmup 5
