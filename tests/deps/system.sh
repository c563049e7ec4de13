#!/usr/bin/env bash
# Debian packages the tests need beyond Node, Python and git: Chromium (the browser the VS
# Code extension's end-to-end test drives) and the headers code-server's native modules build
# against when npm installs it. Installs the missing ones with apt-get (as root, or through
# sudo); prints what is missing and fails otherwise. Run by .ci/run; safe to run again.
set -euo pipefail

packages=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get)
else
  echo "tests/deps/system.sh: missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
