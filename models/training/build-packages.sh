#!/usr/bin/env bash
# Build the bundled model packages (models/<name>/<version>/) from the training artifacts with
# the TypeScript importer; it computes sha256, signature and created, and copies
# background.json and snapshots/ from the metadata's folder.
set -euo pipefail
cd "$(dirname "$0")/../.."   # repository root
ART=models/training/artifacts

build() {
  local name=$1 version=$2
  echo "importing $name $version"
  npm run -s model:import -- \
    --xgboost "$ART/$name/$version/xgboost.json" \
    --name "$name" --version "$version" \
    --models-dir models \
    --metadata "$ART/$name/$version/metadata.json"
}

# the importer CLI runs from scoring-service/dist: build the service first so it is current
npx tsc -p scoring-service/tsconfig.build.json
build lead-scoring 4.0.0
build lead-scoring 4.1.0
build gift-demand 2.1.0
