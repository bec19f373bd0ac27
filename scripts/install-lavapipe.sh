#!/usr/bin/env bash
# Installs Mesa's lavapipe (a Vulkan driver on the CPU, LLVM-compiled, 256-bit SIMD) into .cache/lavapipe, so that
# the webgpu tests and the bench have a software adapter that is fast enough to train on. Prints the ICD file to
# point VK_ICD_FILENAMES at on its last line. No root, nothing installed system-wide.
#
# Why not what Debian 12 has (docs/gpu.md, "Software adapters"):
#   - Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn: "Vulkan shaderUniform*ArrayDynamicIndexing required".
#   - chromium's SwiftShader works, but it is built with Subzero, which emulates coroutines: every workgroupBarrier
#     in a shader costs thread switches. tfjs' matmul, conv, reduce and transpose shaders all use barriers, and a
#     default-model training step took 20 s on it against 2 s on lavapipe 25.
#
# It takes libvulkan_lvp.so from bookworm-backports' mesa-vulkan-drivers (pinned version and SHA-256), and
# uses Debian's libLLVM-15 (package libllvm15) and libdrm2. Debian ≥ 13 and Ubuntu ≥ 24.04 ship a Mesa whose
# lavapipe works as is (/usr/share/vulkan/icd.d/lvp_icd.*.json); this script is for Debian 12, as CI runs.
# The cache lives in .cache/lavapipe (gitignored); override with DCGAN_LAVAPIPE_CACHE.
set -euo pipefail

VERSION='25.0.7-2~bpo12+1'
SHA256=3899f1800424c60a05df5d6913076a526ca8fdbabec43672cd397563d1ca3263
DEB="mesa-vulkan-drivers_${VERSION}_amd64.deb"
# deb.debian.org drops a backport's file when a newer one lands; snapshot.debian.org keeps it.
URLS=(
  "http://deb.debian.org/debian/pool/main/m/mesa/$DEB"
  "https://snapshot.debian.org/archive/debian/20251101T000000Z/pool/main/m/mesa/$DEB"
)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${DCGAN_LAVAPIPE_CACHE:-$root/.cache/lavapipe}"
icd="$cache/lvp_icd.json"
lib="$cache/libvulkan_lvp.so"

log() { echo "[install-lavapipe] $*" >&2; }

if [[ -f "$icd" && -f "$lib" && "$(cat "$cache/version" 2>/dev/null)" == "$VERSION" ]]; then
  log "lavapipe $VERSION already in $cache"
  echo "$icd"
  exit 0
fi
if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  log "only for Linux x86-64 (this is $(uname -s)-$(uname -m)); the webgpu tests use another adapter here"
  exit 1
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libLLVM-15\.so\.1 '; then
  log "libLLVM-15.so.1 is missing: apt-get install libllvm15"
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
got=''
for url in "${URLS[@]}"; do
  log "downloading $url"
  if curl -fsSL --retry 2 --max-time 300 -o "$tmp/$DEB" "$url"; then got=1; break; fi
done
[[ -n "$got" ]] || { log "could not download $DEB"; exit 1; }
echo "$SHA256  $tmp/$DEB" | sha256sum -c --quiet - || { log "SHA-256 mismatch for $DEB"; exit 1; }

dpkg-deb -x "$tmp/$DEB" "$tmp/root"
mkdir -p "$cache"
cp "$tmp/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" "$lib"
# The package's ICD file names the library by its bare name; ours names the copy in the cache.
cat > "$icd" <<EOF
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib", "api_version": "1.4.305" } }
EOF
echo "$VERSION" > "$cache/version"
log "lavapipe $VERSION installed in $cache"
echo "$icd"
