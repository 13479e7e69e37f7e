#!/bin/sh
# Stages one service for its image: the workspace files it needs and only its runtime
# dependencies, laid out like the workspace so Node resolves workspace packages to their
# real paths outside node_modules (Node refuses to strip types under node_modules, which is
# why `pnpm deploy`'s copies into node_modules cannot run our .ts sources; ADR 0001).
#
#   deploy/stage.sh <service> <source-dir> <out-dir>
#
# The Dockerfile runs exactly this; test/manifests runs it outside a container and starts
# the staged service with `node src/main.ts` to prove the image's command works.
set -eu
service="$1"; src="$(cd "$2" && pwd)"; out="$3"
[ -f "$src/services/$service/package.json" ] || { echo "stage: no service $service" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cp "$src/package.json" "$src/pnpm-lock.yaml" "$src/pnpm-workspace.yaml" "$out/"
[ -f "$src/.npmrc" ] && cp "$src/.npmrc" "$out/"
# Patched dependencies (pnpm-workspace.yaml's patchedDependencies) are part of the install.
[ -d "$src/patches" ] && cp -r "$src/patches" "$out/"
# The service and the workspace packages it depends on, transitively (production only).
dirs="$(cd "$src" && pnpm --filter-prod "@smsgw/$service..." exec pwd)"
for dir in $dirs; do
  rel="${dir#"$src"/}"
  mkdir -p "$out/$rel"
  # Sources and data only: no tests, no node_modules (reinstalled below).
  (cd "$dir" && find . -path ./node_modules -prune -o -type f ! -name '*.test.ts' -print) |
    while read -r file; do
      mkdir -p "$out/$rel/$(dirname "$file")"
      cp "$dir/$file" "$out/$rel/$file"
    done
done
cd "$out"
pnpm install --filter-prod "@smsgw/$service..." --prod --frozen-lockfile --ignore-scripts \
  ${PNPM_OFFLINE:+--offline} --reporter=append-only
