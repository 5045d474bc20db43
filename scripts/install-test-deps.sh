#!/usr/bin/env bash
# Install what the end-to-end tests need beyond Python packages; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v caddy >/dev/null 2>&1 || need_apt+=(caddy)
[ -x /usr/sbin/debootstrap ] || need_apt+=(debootstrap)  # tests/e2e/test_vps_walkthrough.py: a fresh Debian
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} from Debian's packages"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

node_dir=tests/e2e/node
if [ ! -f "$node_dir/node_modules/.installed" ] || [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.installed" ]; then
    echo "installing the npm clients the tests drive"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$node_dir/node_modules/.installed"
fi
