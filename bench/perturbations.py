"""Realistic changes to how the MLP trains, injected from outside regcheck's code, and the power of each tier against them.

    python bench/perturbations.py list
    python bench/perturbations.py fit none --seeds 42,0-9 --out pools        # the unperturbed control
    python bench/perturbations.py fit epochs_90 --seeds 42 --out pools       # one pool: the grid, seed 42
    python bench/perturbations.py fit epochs_90 --seeds 0-9 --out pools --configs mlp-l1_0.1-l2_0.01   # some configurations
    python bench/perturbations.py fit none --seeds 10-19 --out pools --configs ...                  # the null pool
    python bench/perturbations.py table pools                                # the power tables
    python bench/perturbations.py distance run-tf215.json ...                # real environments (regcheck run --json)

docs/gates.md has the tables these printed, and what they mean.

**Injection.** ``fit`` starts ``python -m regcheck run --model mlp`` with ``bench/inject`` first on
``PYTHONPATH`` and the perturbation's name in ``REGCHECK_PERTURBATION``; that folder's
``sitecustomize.py`` (imported by Python at start-up, in worker processes too) calls ``install``,
which patches Keras or the study's data preparation right after they are imported. regcheck's
code is not touched: what the suite sees is what a user's changed training code would produce.
The run judges against a private copy of the baselines, so no ``.obtained.json`` lands in the
project; its ``--json`` file (every record) is the pool.

**Table.** Each pool is judged against the unperturbed control pool fitted in the same
environment (so the environment's own distance to the committed baselines does not count):
the exact tier compares seed 42 of each configuration field by field (the model's
``exact_fields``); the band tier takes every K-subset of the perturbed pool's band seeds as one
run against the control's seeds as the baseline, and reports the share caught; the control's
seeds beyond the baseline's (``fit none --seeds 10-19``) give the false-alarm rate the same way.
``table`` also reports the old band (``n_correct`` alone at 0.01) for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.abc
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INJECT = Path(__file__).resolve().parent / "inject"
VARIABLE = "REGCHECK_PERTURBATION"
CONTROL = "none"
KERAS = "keras"
SPLIT = "regcheck.studies.heart.split"
Patch = Callable[[ModuleType], None]


@dataclass(frozen=True)
class Perturbation:
    name: str
    description: str
    module: str  # patched right after this module is first imported
    patch: Patch


def _wrap_fit(change: Callable[[dict[str, Any]], None]) -> Patch:
    def patch(keras: ModuleType) -> None:
        original = keras.Model.fit

        def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
            change(kwargs)
            return original(self, *args, **kwargs)

        keras.Model.fit = fit

    return patch


def _set_if(key: str, old: Any, new: Any) -> Callable[[dict[str, Any]], None]:
    def change(kwargs: dict[str, Any]) -> None:
        if kwargs.get(key) == old:
            kwargs[key] = new

    return change


def _default(owner: Callable[[ModuleType], type], key: str, value: Any) -> Patch:
    """A changed default of a Keras class's constructor (what the study's code leaves unset)."""

    def patch(keras: ModuleType) -> None:
        cls = owner(keras)
        original = cls.__init__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault(key, value)
            original(self, *args, **kwargs)

        cls.__init__ = __init__

    return patch


def _stronger_penalty(factor: float) -> Patch:
    def patch(keras: ModuleType) -> None:
        original = keras.regularizers.l1_l2

        def l1_l2(l1: float = 0.0, l2: float = 0.0) -> Any:
            return original(l1=l1 * factor, l2=l2 * factor)

        keras.regularizers.l1_l2 = l1_l2

    return patch


def _flip_first_label(split: ModuleType) -> None:
    original = split.prepare_split

    def prepare_split(frame: Any) -> Any:
        prepared = original(frame)
        labels = prepared.y_train.copy()
        labels[0] = 1 - labels[0]  # row 0 is among the rows Keras trains on (the first 80%)
        return dataclasses.replace(prepared, y_train=labels)

    split.prepare_split = prepare_split


def _scaler_on_all_rows(split: ModuleType) -> None:
    original = split.prepare_split

    def prepare_split(frame: Any) -> Any:
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        from regcheck.studies.heart.data import TARGET

        prepared = original(frame)
        features = frame.drop(columns=[TARGET])
        x_train, x_test, _, _ = train_test_split(features, frame[TARGET], test_size=split.TEST_SIZE,
                                                 random_state=split.SPLIT_SEED)  # fmt: skip
        scaler = StandardScaler().fit(features)  # the leak: test rows shape the scaling
        return dataclasses.replace(prepared, x_train=scaler.transform(x_train), x_test=scaler.transform(x_test))

    split.prepare_split = prepare_split


PERTURBATIONS = {
    item.name: item
    for item in (
        Perturbation("epochs_90", "fit(epochs=90) instead of 100", KERAS, _wrap_fit(_set_if("epochs", 100, 90))),
        Perturbation("batch_12", "fit(batch_size=12) instead of 10", KERAS, _wrap_fit(_set_if("batch_size", 10, 12))),
        Perturbation("adam_epsilon", "Adam epsilon 1e-8 (PyTorch's default) instead of Keras' 1e-7", KERAS,
                     _default(lambda keras: keras.optimizers.Adam, "epsilon", 1e-8)),
        Perturbation("adam_beta_1", "Adam beta_1 0.8 instead of 0.9", KERAS,
                     _default(lambda keras: keras.optimizers.Adam, "beta_1", 0.8)),
        Perturbation("he_uniform", "Dense kernel_initializer he_uniform instead of glorot_uniform", KERAS,
                     _default(lambda keras: keras.layers.Dense, "kernel_initializer", "he_uniform")),
        Perturbation("scaler_all_rows", "StandardScaler fitted on all rows (test rows leak into the scaling)", SPLIT,
                     _scaler_on_all_rows),
        Perturbation("label_flip", "one training label flipped (row 0 of the training part)", SPLIT, _flip_first_label),
        Perturbation("penalty_x1.5", "l1 and l2 both 1.5 times the configuration's", KERAS, _stronger_penalty(1.5)),
    )
}  # fmt: skip


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``patch`` on ``name`` right after the module's own code, whichever import brings it in."""

    def __init__(self, name: str, patch: Patch) -> None:
        self.name = name
        self.patch = patch

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != self.name:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                break
        else:
            return None
        loader, patch = spec.loader, self.patch
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install(name: str) -> None:
    """Patch this process: called by ``bench/inject/sitecustomize.py`` before any user code runs."""
    if name == CONTROL:
        return
    if name not in PERTURBATIONS:
        raise SystemExit(f"{VARIABLE}={name}: unknown perturbation; expected one of {', '.join(PERTURBATIONS)}")
    perturbation = PERTURBATIONS[name]
    if perturbation.module in sys.modules:
        perturbation.patch(sys.modules[perturbation.module])
    else:
        sys.meta_path.insert(0, _AfterImport(perturbation.module, perturbation.patch))


def fit_pool(name: str, seeds: str, out: Path, jobs: int, extra: Sequence[str] = (), configs: Sequence[str] = ()) -> Path:
    """Run ``regcheck run --model mlp`` under one perturbation; the records land in ``out/NAME__sSEEDS.json``.

    With ``configs``, only those configurations are fitted, through the same run loop
    (``StudyRun.run``) in a process started the same way: the CLI has no filter by configuration.
    """
    if name != CONTROL and name not in PERTURBATIONS:
        raise SystemExit(f"unknown perturbation {name!r}; expected {CONTROL} or one of {', '.join(PERTURBATIONS)}")
    out.mkdir(parents=True, exist_ok=True)
    tag = f"{seeds.replace(',', '_')}" + (f"__{len(configs)}c" if configs else "")
    target = out / f"{name}__s{tag}.json"
    # The perturbations patch Keras' public calls (fit's epochs and batch_size, l1_l2); the speed
    # levers train through their own, so the pools train as published (proven bit-identical).
    environment = dict(os.environ, **{VARIABLE: name, "REGCHECK_MLP_LEVERS": "off"})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(INJECT), str(ROOT), os.environ.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as scratch:  # the run may write .obtained.json files: not in the project
        baselines = Path(scratch) / "baselines"
        shutil.copytree(ROOT / "baselines", baselines)
        if configs:
            command = [sys.executable, __file__, "_records", seeds, str(baselines), str(target), *configs]
        else:
            command = [sys.executable, "-m", "regcheck", "run", "--model", "mlp", "--seeds", seeds, "--jobs", str(jobs),
                       "--baselines", str(baselines), "--json", str(target), *extra]  # fmt: skip
        subprocess.run(command, env=environment, check=False, cwd=ROOT)
    if not target.exists():
        raise SystemExit(f"{name}: the run wrote no records ({target})")
    return target


def _records(seeds: str, baselines: str, target: str, configs: Sequence[str]) -> None:
    """In the perturbed process: fit ``configs`` for ``seeds`` by regcheck's run loop and write the records."""
    from regcheck.engine.registry import load_study
    from regcheck.engine.run import RunOptions, StudyRun
    from regcheck.files.runfile import run_document, write_run_file
    from regcheck.frontends.options import parse_seeds

    study = load_study("heart")
    run = StudyRun(study, RunOptions("heart", Path(baselines), seeds=parse_seeds(seeds)))
    model = study.model("mlp")
    fitted = [record for config_id in configs for record in run.run(model.configuration(config_id))]
    write_run_file(Path(target), run_document(fitted, [], {"profiles": {"mlp": model.profile()}}))


def main(argv: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["_records"]:  # the child process of ``fit --configs``
        _records(argv[1], argv[2], argv[3], argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="the perturbations")
    fit = verbs.add_parser("fit", help="fit one pool under a perturbation (or 'none')")
    fit.add_argument("perturbation", nargs="+")
    fit.add_argument("--seeds", default="0-9,42")
    fit.add_argument("--out", type=Path, required=True)
    fit.add_argument("--jobs", type=int, default=1)
    fit.add_argument("--configs", nargs="+", default=[], help="only these configuration ids (default: the grid)")
    fit.add_argument("--study", help="regcheck run's --study (where regcheck is not installed: regcheck.studies.heart:study)")
    table = verbs.add_parser("table", help="judge every pool in a folder against its control")
    table.add_argument("folder", type=Path, nargs="+")
    table.add_argument("--k", type=int, action="append", help="run seeds per resampled run (default: 3, 5, 10)")
    table.add_argument(
        "--baseline-seeds",
        default="0-9,42",
        help="the control's seeds that play the baseline (default: 0-9,42, as the committed baselines)",
    )
    distance = verbs.add_parser("distance", help="judge real environments' run files by the band against the baselines")
    distance.add_argument("run_file", type=Path, nargs="+")
    distance.add_argument("--baselines", type=Path, default=ROOT / "baselines")
    distance.add_argument("--profile", type=int, default=0, help="which profile of the baselines (default: 0, the reference)")
    args = parser.parse_args(argv)
    if args.verb == "list":
        for item in PERTURBATIONS.values():
            print(f"{item.name:<16} {item.description}")
    elif args.verb == "fit":
        for name in args.perturbation:
            print(fit_pool(name, args.seeds, args.out, args.jobs, ["--study", args.study] if args.study else [], args.configs))
    elif args.verb == "distance":
        from power import print_distances

        print_distances(args.run_file, args.baselines, args.profile)
    else:
        from power import print_tables  # bench/power.py: the judging of the pools

        from regcheck.frontends.options import parse_seeds

        print_tables(args.folder, args.k or [3, 5, 10], parse_seeds(args.baseline_seeds))


if __name__ == "__main__":
    main()
