#!/usr/bin/env bash
# npm run models:train: retrain the sample models from their seeded generators, rewrite the
# golden files, then build the packages in models/<name>/<version>/ with the TypeScript importer.
# usage: npm run models:train [-- --fresh]   (--fresh is passed to build-packages.sh)
# Needs Debian's python3-xgboost and python3-sklearn (CI does not: it uses the committed files).
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3

if ! [ -x "$PY" ] || ! "$PY" -c 'import xgboost, sklearn, numpy' 2>/dev/null; then
  echo "models:train needs /usr/bin/python3 with xgboost and scikit-learn. Install them with:" >&2
  echo "  apt-get install python3-xgboost python3-sklearn    (as root, or with sudo)" >&2
  exit 1
fi
"$PY" -c 'import xgboost, sklearn; print(f"xgboost {xgboost.__version__}, scikit-learn {sklearn.__version__}")'

"$PY" selftest.py
"$PY" train_lead.py
"$PY" train_gift.py
"$PY" train_shapes.py
"$PY" golden_hasher.py
"$PY" check_json_semantics.py
bash build-packages.sh "$@"
