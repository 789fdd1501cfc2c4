#!/usr/bin/env bash
# The GPU check of issue 12 in one go, meant to take about 10 minutes on one H100 or H200 (16 cores), per Keras
# backend (JAX, then PyTorch; no TensorFlow: its wheel is too large to carry and the GPU machines
# have no network):
#   1. the study's fit cases (bench/test_mlp_bench.py) and the scaling family (bench/test_mlp_scaling.py:
#      batch x width, CPU and GPU side by side) with the GPU visible, then the fit cases with it hidden;
#   2. the main job, `regcheck run --model mlp`, with the default worker count for the device
#      (regcheck.frameworks.pool: 8 per GPU) and, for JAX, once more with one worker per core, the
#      set-up that crashed in issue 12.
# Every step has a time limit and a failed step does not stop the others; the log ends with how each
# step ended. What it writes (7 files, few enough to bring back from a remote machine):
#   log.txt, run-<backend>.json, bench-<backend>-gpu.json, bench-<backend>-cpu.json
# and `regcheck compare` of each backend's two bench runs (the crossover table included) in the log.
#
# Prepare .whl/ first, where the package index is reachable (Keras and the few wheels the GPU
# image lacks, and heart.csv):   bench/gpu/prepare_bundle.sh
# then, on the GPU machine, from the repository root:
#   bench/gpu/run_gpu_comparison.sh
#   BACKENDS=jax bench/gpu/run_gpu_comparison.sh           # one backend
# Settings (environment variables):
#   BACKENDS     Keras backends (default: "jax torch")
#   ROUNDS       rounds of each JAX fit case and scaling case (default: 3; PyTorch: 1, a fit is about 25 s)
#   MAIN_SEEDS   seeds of the main job (default: none named, the sequential band's own: 5 seeds, more only
#                where a configuration's verdict is still open; a fixed band of fewer seeds cannot reach its level)
#   BUDGET       seconds for the whole script; a step that would not fit is skipped, and says so (default: 540)
#   RESULTS      where the files go (default: $OUT if set, else .benchmarks/gpu)
#   PYTHON       the interpreter that holds JAX and PyTorch (default: python3)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUNDLE=${BUNDLE:-$ROOT/.whl}
BACKENDS=${BACKENDS:-jax torch}
ROUNDS=${ROUNDS:-3}
BUDGET=${BUDGET:-540}
RESULTS=${RESULTS:-${OUT:-$ROOT/.benchmarks/gpu}}
PYTHON=${PYTHON:-python3}
SITE=${SITE:-/tmp/regcheck-site}
STARTED=$SECONDS

mkdir -p "$RESULTS" "$SITE"
exec > >(tee -a "$RESULTS/log.txt") 2>&1

say() { echo "== $(date -u +%H:%M:%S) +$((SECONDS - STARTED))s $*"; }
# step NAME LIMIT COMMAND...: run COMMAND for at most LIMIT seconds, if the budget still holds LIMIT.
step() {
    local name=$1 limit=$2
    shift 2
    local left=$((BUDGET - (SECONDS - STARTED)))
    if [ "$left" -lt "$limit" ]; then
        say "SKIPPED $name: needs up to ${limit}s, ${left}s of the budget left"
        echo "$name skipped (budget)" >>"$RESULTS/.steps"
        return 0
    fi
    say "$name (limit ${limit}s): $*"
    local begun=$SECONDS
    timeout --kill-after=10 "$limit" "$@"
    local code=$?
    say "$name ended: exit $code after $((SECONDS - begun))s$([ $code -eq 124 ] && echo ' (stopped at its limit)')"
    echo "$name exit $code $((SECONDS - begun))s" >>"$RESULTS/.steps"
}

ls "$BUNDLE"/keras-*.whl >/dev/null 2>&1 || { echo "run_gpu_comparison: no Keras wheel in $BUNDLE; run bench/gpu/prepare_bundle.sh where the package index is reachable" >&2; exit 2; }
[ -f "$BUNDLE/heart.csv" ] || { echo "run_gpu_comparison: no heart.csv in $BUNDLE; run bench/gpu/prepare_bundle.sh" >&2; exit 2; }
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$BUNDLE"/*.whl \
    || { echo "run_gpu_comparison: the wheels in $BUNDLE do not install on $("$PYTHON" --version); PYTHON_VERSION=... bench/gpu/prepare_bundle.sh" >&2; exit 2; }
# The working tree itself is on the path, not installed: name the study by module (no entry point needed).
export PYTHONPATH="$ROOT:$SITE${PYTHONPATH:+:$PYTHONPATH}"
export REGCHECK_DATA_DIR=${REGCHECK_DATA_DIR:-$BUNDLE}
export REGCHECK_STUDY=${REGCHECK_STUDY:-regcheck.studies.heart:study}
export PYTHONUNBUFFERED=1
regcheck() { "$PYTHON" -m regcheck "$@"; }

say "machine: $(nproc) cores, $("$PYTHON" --version 2>&1)"
nvidia-smi -L || echo "run_gpu_comparison: nvidia-smi lists no GPU; the GPU cases will skip"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

for backend in $BACKENDS; do
    export KERAS_BACKEND=$backend
    hide=(env CUDA_VISIBLE_DEVICES= JAX_PLATFORMS=cpu)
    # Fail fast (before minutes of benchmarks) if Keras cannot load this backend.
    "$PYTHON" -c "import keras, $backend; from regcheck.frameworks.devices import detect; from regcheck.frameworks.pool import pool_for
print('$backend:', $backend.__version__, 'keras', keras.__version__, 'on', detect('$backend').label)
print('$backend default pool:', pool_for('$backend').reason)" || { say "SKIPPED $backend: keras or $backend does not load"; continue; }
    jobs=$("$PYTHON" -c "from regcheck.frameworks.pool import pool_for; print(pool_for('$backend').jobs)")
    if [ "$backend" = torch ]; then
        fits="test_mlp_fit and l1_0.01-l2_0.001" rounds=1 main_limit=240
    else
        fits="test_mlp_fit and l1_0.01" rounds=$ROUNDS main_limit=180
    fi
    bench=(-m pytest -p no:cacheprovider -W default -rs -q --benchmark-columns=median,iqr,rounds)
    # -W default: a framework's deprecation warning must not abort a benchmark run (pyproject makes them errors).
    step "$backend bench gpu" 150 "$PYTHON" "${bench[@]}" bench/test_mlp_bench.py bench/test_mlp_scaling.py \
        -k "($fits) or on_the_gpu or scaling" --regcheck-bench-rounds "$rounds" --benchmark-json "$RESULTS/bench-$backend-gpu.json"
    step "$backend bench cpu" 60 "${hide[@]}" "$PYTHON" "${bench[@]}" bench/test_mlp_bench.py \
        -k "($fits) and not on_the_gpu" --regcheck-bench-rounds "$rounds" --benchmark-json "$RESULTS/bench-$backend-cpu.json"
    if [ -f "$RESULTS/bench-$backend-cpu.json" ] && [ -f "$RESULTS/bench-$backend-gpu.json" ]; then
        regcheck compare "$RESULTS/bench-$backend-cpu.json" "$RESULTS/bench-$backend-gpu.json"
    fi
    seeds=()
    [ -n "${MAIN_SEEDS:-}" ] && seeds=(--seeds "$MAIN_SEEDS")
    step "$backend main job, default workers ($jobs)" "$main_limit" \
        "$PYTHON" -m regcheck run --model mlp "${seeds[@]}" --jobs "$jobs" --json "$RESULTS/run-$backend.json"
    if [ "$backend" = jax ]; then
        # Issue 12's crash: one JAX worker per core on one GPU. Now each is kept to its share of the card.
        step "jax main job, one worker per core ($(nproc))" 90 "$PYTHON" -m regcheck run --model mlp --seeds 0 --jobs "$(nproc)"
    fi
done
say "steps:"
cat "$RESULTS/.steps" 2>/dev/null && rm -f "$RESULTS/.steps"
say "done; files in $RESULTS: $(ls "$RESULTS" | tr '\n' ' ')"
