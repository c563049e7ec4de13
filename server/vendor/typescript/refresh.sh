#!/usr/bin/env bash
# Refreshes the vendored TypeScript compiler from the npm registry.
#
#   server/vendor/typescript/refresh.sh [VERSION]     (default: the version in ./VERSION)
#
# Downloads typescript@VERSION with npm, checks the tarball against the registry's sha512
# integrity, and copies in what the embedded checker needs: lib/typescript.js, the lib .d.ts
# files the script environment (lib es2023, no DOM) references, and the licence and notices.
# It then writes VERSION and SHA256SUMS; the tidy test checks the files against SHA256SUMS,
# and build.rs compiles typescript.js to engine bytecode.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-$(sed -n 's/^typescript@\([^ ]*\).*/\1/p' "$here/VERSION" 2>/dev/null || true)}
version=${version:-6.0.3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "fetching typescript@$version from the npm registry" >&2
integrity=$(npm view "typescript@$version" dist.integrity)
(cd "$tmp" && npm pack --silent "typescript@$version" >/dev/null)
tarball="$tmp/typescript-$version.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "error: the tarball's sha512 ($actual) is not the registry's ($integrity)" >&2
  exit 1
fi
tar xzf "$tarball" -C "$tmp"
package="$tmp/package"

# The lib files: the closure of lib.es2023.d.ts over its /// <reference lib="..."/> lines.
libs=()
queue=(es2023)
while [ ${#queue[@]} -gt 0 ]; do
  name=${queue[0]}
  queue=("${queue[@]:1}")
  file="lib.$name.d.ts"
  case " ${libs[*]-} " in *" $file "*) continue ;; esac
  libs+=("$file")
  for ref in $(grep -o '<reference lib="[^"]*"' "$package/lib/$file" | sed 's/.*lib="\(.*\)"/\1/'); do
    queue+=("$ref")
  done
done

rm -f "$here"/lib.*.d.ts "$here/typescript.js"
cp "$package/lib/typescript.js" "$here/"
for file in "${libs[@]}"; do cp "$package/lib/$file" "$here/"; done
cp "$package/LICENSE.txt" "$package/ThirdPartyNoticeText.txt" "$here/"
echo "typescript@$version $integrity" > "$here/VERSION"
(cd "$here" && sha256sum VERSION LICENSE.txt ThirdPartyNoticeText.txt typescript.js lib.*.d.ts > SHA256SUMS)
echo "vendored typescript@$version: typescript.js and ${#libs[@]} lib files" >&2
