#!/usr/bin/env bash
# Run HERE (a machine that reaches the package index), from anywhere in the repository:
# puts into .whl/ (git-ignored) what run_gpu_comparison.sh needs on a GPU machine without network:
#   - Keras and the packages it needs that a JAX + PyTorch image lacks (namex, optree), as wheels
#     for CPython 3.12 on x86-64 Linux, and platformdirs (a regcheck dependency);
#   - a copy of heart.csv (never committed: it is data, not source).
# Override the target with PYTHON_VERSION=3.11 etc. if the GPU machine's python3 is another version.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON_VERSION=${PYTHON_VERSION:-3.12}
PIP=${PIP:-python3 -m pip}
BUNDLE=${BUNDLE:-.whl}
mkdir -p "$BUNDLE"
$PIP download --no-deps --only-binary=:all: --python-version "$PYTHON_VERSION" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$BUNDLE" \
    keras==3.15.1 namex==0.1.0 optree==0.20.0 platformdirs==4.14.8
DATA=${REGCHECK_DATA_DIR:-${REGCHECK_CACHE_DIR:-$HOME/.cache/regcheck}}
if [ ! -f "$DATA/heart.csv" ]; then
    echo "prepare_bundle: no heart.csv in $DATA; set REGCHECK_DATA_DIR to its folder" >&2
    exit 2
fi
install -m 0644 "$DATA/heart.csv" "$BUNDLE/heart.csv"
ls -l "$BUNDLE"
echo "ready: carry .whl (and the working tree) to the GPU machine, then run bench/gpu/run_gpu_comparison.sh there"
