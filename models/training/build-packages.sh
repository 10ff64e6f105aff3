#!/usr/bin/env bash
# Build the bundled model packages (models/<name>/<version>/) from the training artifacts with
# the TypeScript importer; it computes sha256, signature and created, and copies
# background.json and snapshots/ from the metadata's folder.
#
# usage: bash models/training/build-packages.sh [--fresh]
#   Versions are immutable: the importer refuses to re-import a version whose model bytes differ.
#   --fresh first removes the bundled versions' package folders and their registry.json entries
#   (other models, versions and the ledger are kept; the ledger gets new import entries). Use it
#   while the sample models or the importer are still changing, never for a version in use.
set -euo pipefail
cd "$(dirname "$0")/../.."   # repository root
ART=models/training/artifacts
BUNDLED=("lead-scoring 4.0.0" "lead-scoring 4.1.0" "gift-demand 2.1.0")

if [ "${1:-}" = "--fresh" ]; then
  for entry in "${BUNDLED[@]}"; do
    set -- $entry
    rm -rf "models/$1/$2"
    node -e '
      const fs = require("fs");
      const [file, name, version] = process.argv.slice(1);
      if (!fs.existsSync(file)) process.exit(0);
      const registry = JSON.parse(fs.readFileSync(file, "utf8"));
      const model = registry.models && registry.models[name];
      if (model && model.versions) {
        delete model.versions[version];
        for (const [alias, v] of Object.entries(model.aliases || {})) if (v === version) delete model.aliases[alias];
      }
      fs.writeFileSync(file, JSON.stringify(registry, null, 2) + "\n");
    ' models/registry.json "$1" "$2"
    echo "removed $1 $2 (fresh build)"
  done
fi

# the importer CLI runs from scoring-service/dist: build the service first so it is current
npx tsc -p scoring-service/tsconfig.build.json

for entry in "${BUNDLED[@]}"; do
  set -- $entry
  echo "importing $1 $2"
  npm run -s model:import -- \
    --xgboost "$ART/$1/$2/xgboost.json" \
    --name "$1" --version "$2" \
    --models-dir models \
    --metadata "$ART/$1/$2/metadata.json"
done
