#!/usr/bin/env bash
# Builds codemode's release archive for one platform, and with --vsix its VS Code package.
#
#   server/release/build.sh [--target TARGET] [--binary PATH] [--vsix] [--out DIR]
#
# TARGET is an npm platform name (linux-x64, linux-arm64, darwin-x64, darwin-arm64,
# win32-x64); the default is this machine's. The codemode binary is PATH, else a fresh
# `cargo build --release` (this machine's platform only). TypeScript 7's `tsc` for TARGET is
# the npm package @typescript/typescript-TARGET at the version in ./TYPESCRIPT7, fetched with
# npm and checked against the registry's sha512 integrity; its tsgo/ folder holds `tsc`, the
# lib files the checker uses (the closure of lib.es2023.d.ts, and lib.d.ts, by which tsc
# finds the folder), LICENSE and NOTICE.txt.
# codemode finds tsgo/tsc next to itself and checks with it (README, "Which TypeScript").
#
# Writes DIR/codemode-VERSION-TARGET.tar.gz (DIR: target/release-archives) holding
# codemode-VERSION-TARGET/{codemode,tsgo/,LICENSE-typescript...}; with --vsix, also
# DIR/codemode-VERSION-TARGET.vsix, the VS Code extension with both in its bin/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/server/release"
typescript=$(tr -d '[:space:]' < "$here/TYPESCRIPT7")

host_target() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;; Darwin) os=darwin ;; MINGW* | MSYS* | CYGWIN*) os=win32 ;;
    *) echo "error: unknown system $(uname -s); pass --target" >&2; exit 2 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;;
    *) echo "error: unknown machine $(uname -m); pass --target" >&2; exit 2 ;;
  esac
  echo "$os-$arch"
}

target=""; binary=""; vsix=false; out="$repo/target/release-archives"
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=${2:?--target needs a platform}; shift 2 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --vsix) vsix=true; shift ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
host=$(host_target)
target=${target:-$host}
case "$target" in
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64 | win32-arm64) ;;
  *) echo "error: unknown target $target" >&2; exit 2 ;;
esac
exe=""; [ "${target%%-*}" = win32 ] && exe=".exe"

if [ -z "$binary" ]; then
  if [ "$target" != "$host" ]; then
    echo "error: this machine builds $host; for $target pass --binary with a codemode built for it" >&2
    exit 2
  fi
  echo "building codemode (cargo build --release)" >&2
  (cd "$repo" && cargo build --release --locked -p codemode)
  binary="$repo/target/release/codemode$exe"
fi
[ -x "$binary" ] || { echo "error: $binary is not an executable" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)
name="codemode-$version-$target"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
package="@typescript/typescript-$target@$typescript"
echo "fetching $package from the npm registry" >&2
integrity=$(npm view "$package" dist.integrity)
tarball=$(cd "$tmp" && npm pack --silent "$package")
actual="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 | tr -d '\n')"
if [ "$actual" != "$integrity" ]; then
  echo "error: the tarball's sha512 ($actual) is not the registry's ($integrity)" >&2
  exit 1
fi
mkdir "$tmp/npm"
tar xzf "$tmp/$tarball" -C "$tmp/npm"
from="$tmp/npm/package"

stage="$tmp/$name"
mkdir -p "$stage/tsgo"
cp "$binary" "$stage/codemode$exe"
cp "$from/lib/tsc$exe" "$stage/tsgo/"
cp "$from/LICENSE" "$from/NOTICE.txt" "$stage/tsgo/"
# The lib files: the closure of lib.es2023.d.ts over its /// <reference lib="..."/> lines.
queue=(es2023); libs=()
while [ ${#queue[@]} -gt 0 ]; do
  lib=${queue[0]}; queue=("${queue[@]:1}")
  file="lib.$lib.d.ts"
  case " ${libs[*]-} " in *" $file "*) continue ;; esac
  libs+=("$file")
  for ref in $(grep -o '<reference lib="[^"]*"' "$from/lib/$file" | sed 's/.*lib="\(.*\)"/\1/'); do
    queue+=("$ref")
  done
done
for file in "${libs[@]}"; do cp "$from/lib/$file" "$stage/tsgo/"; done
# tsc finds its lib folder by lib.d.ts, which codemode's checks never load (their lib is es2023).
cp "$from/lib/lib.d.ts" "$stage/tsgo/"
echo "$package $integrity" > "$stage/tsgo/VERSION"

mkdir -p "$out"
tar czf "$out/$name.tar.gz" -C "$tmp" "$name"
echo "wrote $out/$name.tar.gz (codemode, TypeScript $typescript's tsc and ${#libs[@]} lib files)" >&2

if $vsix; then
  extension="$repo/vscode-extension"
  rm -rf "$extension/bin"
  mkdir -p "$extension/bin"
  cp -R "$stage/codemode$exe" "$stage/tsgo" "$extension/bin/"
  (cd "$extension" && npm ci --no-audit --no-fund --loglevel=error \
    && npx vsce package --no-dependencies --allow-missing-repository --target "$target" -o "$out/$name.vsix")
  rm -rf "$extension/bin"
  echo "wrote $out/$name.vsix" >&2
fi
