#!/usr/bin/env bash
# Lays out the image's /app tree in a folder, with the same commands as deploy/Dockerfile's
# stages, on this machine's Node.js instead of the node:20-bookworm-slim base:
#   scripts/image/assemble.sh <empty or new output folder>
# test/deploy/image.test.ts runs it and starts the service from the result (read-only, as
# another user); it also checks that every RUN command of the Dockerfile appears here verbatim.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: assemble.sh <output folder>}
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then echo "$OUT is not empty; give a new or empty folder" >&2; exit 2; fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/image-assemble-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
manifests() { # the COPY of the package manifests both stages start with
  mkdir -p "$1/scoring-service" "$1/sf-plugin"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$ROOT/.npmrc" "$1/"
  cp "$ROOT/scoring-service/package.json" "$1/scoring-service/"
  cp "$ROOT/sf-plugin/package.json" "$1/sf-plugin/"
}

# 1. build and 2. deps are independent stages (as BuildKit runs them); run them side by side.
build() {
  manifests "$WORK/build" && cp "$ROOT/tsconfig.base.json" "$WORK/build/"
  (cd "$WORK/build" \
    && npm ci --omit=dev --workspace scoring-service \
    && npm install --no-save --workspace scoring-service typescript@5.9.3 @types/node@20.19.43) >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; exit 1; }
  cp "$ROOT/scoring-service/tsconfig.build.json" "$WORK/build/scoring-service/"
  cp -r "$ROOT/scoring-service/src" "$WORK/build/scoring-service/src"
  (cd "$WORK/build" && npx tsc -p scoring-service/tsconfig.build.json)
}

deps() {
  manifests "$WORK/deps" && cp "$ROOT/scripts/image/prune-onnxruntime.js" "$WORK/"
  (cd "$WORK/deps" \
    && npm ci --omit=dev --workspace scoring-service \
    && node "$WORK/prune-onnxruntime.js" node_modules \
    && rm -rf sf-plugin node_modules/@lead-scoring/sf-plugin-scoring node_modules/.package-lock.json) >"$WORK/deps.log" 2>&1 \
    || { cat "$WORK/deps.log" >&2; exit 1; }
}

build & b=$!
deps & d=$!
wait $b || { echo "the build stage failed" >&2; exit 1; }
wait $d || { echo "the deps stage failed" >&2; exit 1; }

# 3. runtime (/app)
mkdir -p "$OUT/scoring-service" "$OUT/models"
cp "$WORK/deps/package.json" "$OUT/"
cp -a "$WORK/deps/node_modules" "$OUT/node_modules"
cp "$ROOT/scoring-service/package.json" "$OUT/scoring-service/"
cp -r "$WORK/build/scoring-service/dist" "$OUT/scoring-service/dist"
cp "$ROOT/models/registry.json" "$OUT/models/"
cp -r "$ROOT/models/lead-scoring" "$OUT/models/lead-scoring"
cp -r "$ROOT/models/gift-demand" "$OUT/models/gift-demand"
echo "assembled the image's /app in $OUT ($(du -sh "$OUT" | cut -f1))"
