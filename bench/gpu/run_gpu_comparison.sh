#!/usr/bin/env bash
# CPU vs GPU timings of the MLP benchmarks, per Keras backend, on a machine with an NVIDIA GPU and
# no network (JAX, PyTorch, scikit-learn, pandas, pytest and pytest-benchmark installed; no
# TensorFlow, no Keras). Prepare .whl/ first, where the package index is reachable:
#     bench/gpu/prepare_bundle.sh
# then, on the GPU machine, from the repository root:
#     bench/gpu/run_gpu_comparison.sh                 # both backends, GPU then CPU each
#     BACKENDS=jax ROUNDS=3 bench/gpu/run_gpu_comparison.sh
# For each backend it saves <backend>-gpu.json (the GPU visible) and <backend>-cpu.json (the GPU
# hidden: CUDA_VISIBLE_DEVICES= and JAX_PLATFORMS=cpu) and prints 'regcheck compare' of the two
# (the first run, the CPU, is the reference: a ratio below 1 means the GPU is faster).
#
# Settings (environment variables):
#   BACKENDS  Keras backends to run (default: "jax torch")
#   DEVICES   which runs per backend (default: "gpu cpu")
#   ROUNDS    rounds per deep-learning fit (default: 3, the fewest 'compare --fail-slower' judges)
#   SELECT    pytest -k expression (default: "mlp and not grid": fit and predict per configuration,
#             and the GPU-only case; "mlp" adds the whole grid, "" also the logistic cases)
#   RESULTS   where the runs go (default: $OUT if set, else .benchmarks/gpu)
#   PYTHON    the interpreter that holds JAX and PyTorch (default: python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUNDLE=${BUNDLE:-$ROOT/.whl}
BACKENDS=${BACKENDS:-jax torch}
DEVICES=${DEVICES:-gpu cpu}
ROUNDS=${ROUNDS:-3}
SELECT=${SELECT-mlp and not grid}
RESULTS=${RESULTS:-${OUT:-$ROOT/.benchmarks/gpu}}
PYTHON=${PYTHON:-python3}
SITE=${SITE:-/tmp/regcheck-site}

ls "$BUNDLE"/keras-*.whl >/dev/null 2>&1 || { echo "run_gpu_comparison: no Keras wheel in $BUNDLE; run bench/gpu/prepare_bundle.sh where the package index is reachable" >&2; exit 2; }
mkdir -p "$RESULTS" "$SITE"
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$BUNDLE"/*.whl
# The repository itself is on the path (no install needed: bench/ uses no entry point).
export PYTHONPATH="$ROOT:$SITE${PYTHONPATH:+:$PYTHONPATH}"
export REGCHECK_DATA_DIR=${REGCHECK_DATA_DIR:-$BUNDLE}
export PYTHONUNBUFFERED=1

nvidia-smi -L 2>/dev/null || echo "run_gpu_comparison: nvidia-smi lists no GPU; the gpu runs will compute on the CPU"

for backend in $BACKENDS; do
    runs=()
    # CPU first: it is the reference of the comparison.
    for device in $(printf '%s\n' $DEVICES | sort); do
        if [ "$device" = cpu ]; then hide=(env CUDA_VISIBLE_DEVICES= JAX_PLATFORMS=cpu); else hide=(env); fi
        # Fail fast (before minutes of benchmarks) if Keras cannot load this backend.
        "${hide[@]}" KERAS_BACKEND="$backend" "$PYTHON" -c "import sys, keras; from regcheck.engine.devices import detect
print('$backend/$device run: python', sys.version.split()[0], 'keras', keras.__version__, 'on', detect('$backend').label)"
        # -W default: a framework's deprecation warning must not abort a benchmark run (pyproject turns them into errors).
        "${hide[@]}" KERAS_BACKEND="$backend" "$PYTHON" -m pytest bench -k "$SELECT" -p no:cacheprovider -W default \
            -rs --regcheck-bench-rounds "$ROUNDS" --benchmark-json "$RESULTS/$backend-$device.json"
        runs+=("$RESULTS/$backend-$device.json")
    done
    if [ "${#runs[@]}" -ge 2 ]; then
        "$PYTHON" -m regcheck compare "${runs[@]}" | tee "$RESULTS/compare-$backend.txt"
    fi
done
echo "saved runs and comparisons in $RESULTS"
