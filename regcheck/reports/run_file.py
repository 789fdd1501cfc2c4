"""A run as a report reads it: the run document of ``regcheck run --json`` (or the same dict built in
memory), with its records, verdicts and the layout the study gave its reports.

The layout is what the run document carries besides results: the study's grid axes (``"grids"``,
``GridAxes`` as dicts) and every configuration's parameters (``"configurations"``), so that a
configuration without records (its fit raised) still has its place in a grid. A run file written
before those existed has neither; ``with_study_layout`` then takes them from the study itself
(``regcheck report --study``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from regcheck.engine.errors import UsageError
from regcheck.engine.exact import FieldDifference
from regcheck.engine.records import ResultRecord
from regcheck.engine.study import GridAxes
from regcheck.reports.inputs import read_json

if TYPE_CHECKING:
    from regcheck.engine.study import Study


@dataclass(frozen=True)
class VerdictView:
    """One configuration's verdict as the renderers need it, whichever writer made it."""

    model: str
    config_id: str
    status: str
    tier: str
    reason: str
    detail: str = ""
    differences: tuple[FieldDifference, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in ("moved", "missing", "error")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VerdictView:
        differences = tuple(
            FieldDifference(*(str(item.get(key, "")) for key in ("field", "rule", "expected", "obtained", "difference")))
            for item in data.get("differences") or ()
            if isinstance(item, Mapping)
        )
        config_id = str(data.get("config_id", "?"))
        return cls(
            model=str(data.get("model") or config_id.split("-", 1)[0]),
            config_id=config_id,
            status=str(data.get("status", "?")),
            # A band model's verdict states its tier; an exact model's rule is its tier.
            tier=str(data.get("tier") or data.get("rule") or "-"),
            reason=str(data.get("reason", "")),
            detail=str(data.get("detail", "")),
            differences=differences,
        )


@dataclass(frozen=True)
class RunData:
    """One run of a study: its records, verdicts, what it was judged against, and its report layout.

    ``grids`` and ``configurations`` are ``None`` where the run file has no such field (a writer
    older than them), and empty where the study gave none.
    """

    source: str
    created: str | None
    records: tuple[ResultRecord, ...]
    verdicts: tuple[VerdictView, ...]
    published: Mapping[str, float] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seconds: float | None = None
    study: str = ""
    grids: tuple[GridAxes, ...] | None = None
    configurations: Mapping[str, Mapping[str, Any]] | None = None

    def models(self) -> list[str]:
        seen = [v.model for v in self.verdicts] + [r.model for r in self.records]
        return list(dict.fromkeys(seen))

    def records_for(self, config_id: str) -> list[ResultRecord]:
        return sorted((r for r in self.records if r.config_id == config_id), key=lambda r: r.seed)

    def verdict_for(self, config_id: str) -> VerdictView | None:
        return next((v for v in self.verdicts if v.config_id == config_id), None)

    def config_ids(self, model: str) -> list[str]:
        ids = [v.config_id for v in self.verdicts if v.model == model]
        ids += [r.config_id for r in self.records if r.model == model]
        return list(dict.fromkeys(ids))

    def params(self, config_id: str) -> dict[str, Any]:
        """A configuration's parameters: from its records, else (no record: its fit raised) from the layout."""
        records = self.records_for(config_id)
        if records:
            return dict(records[0].params)
        return dict((self.configurations or {}).get(config_id) or {})

    def axes_for(self, model: str) -> GridAxes | None:
        return next((axes for axes in self.grids or () if axes.model == model), None)

    def environment(self) -> Mapping[str, Any]:
        return self.records[0].environment if self.records else {}


def run_data_from_document(document: Mapping[str, Any], source: str) -> RunData:
    """The view of a run document (``regcheck run --json``, or the same dict built in memory)."""
    records_in = document.get("records")
    verdicts_in = document.get("verdicts")
    if not isinstance(records_in, list) or not isinstance(verdicts_in, list):
        raise UsageError(
            f"{source}: not a regcheck run file (expected lists 'records' and 'verdicts'; "
            f"write one with 'regcheck run --json PATH')"
        )
    try:
        records = tuple(ResultRecord.from_dict(item) for item in records_in)
    except TypeError as exc:
        raise UsageError(f"{source}: a record lacks a required field ({exc})") from None
    published = document.get("published") or {}
    decimals = document.get("published_decimals") or {}
    profiles = document.get("profiles") or {}
    seconds = document.get("seconds")
    return RunData(
        source=source,
        created=document.get("created"),
        records=records,
        verdicts=tuple(VerdictView.from_dict(item) for item in verdicts_in if isinstance(item, Mapping)),
        published={str(k): float(v) for k, v in published.items() if isinstance(v, (int, float))},
        decimals={str(k): int(v) for k, v in decimals.items() if isinstance(v, int)},
        profiles={str(k): v for k, v in profiles.items() if isinstance(v, Mapping)},
        seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
        study=str(document.get("study") or ""),
        grids=_grid_axes(document["grids"]) if "grids" in document else None,
        configurations=_configurations(document["configurations"]) if "configurations" in document else None,
    )


def _grid_axes(raw: Any) -> tuple[GridAxes, ...]:
    """The study's report layout as the run file keeps it; an entry of another shape is left out."""
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if not (
            isinstance(item, Mapping) and all(isinstance(item.get(key), str) for key in ("model", "title", "rows", "columns"))
        ):
            continue
        plot: Literal["lines", "heatmap"] = "lines" if item.get("plot") == "lines" else "heatmap"
        raw_labels = item.get("labels")
        labels: Mapping[Any, Any] = raw_labels if isinstance(raw_labels, Mapping) else {}
        found.append(
            GridAxes(
                model=item["model"],
                title=item["title"],
                rows=item["rows"],
                columns=item["columns"],
                row_label=str(item.get("row_label") or item["rows"]),
                plot=plot,
                labels={str(value): str(label) for value, label in labels.items()},
            )
        )
    return tuple(found)


def _configurations(raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(config_id): dict(params) for config_id, params in raw.items() if isinstance(params, Mapping)}


def study_layout(study: Study, models: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """What the run document keeps of ``study``'s report layout (for ``models``, default all): its
    grid axes and every configuration's parameters."""
    from dataclasses import asdict

    chosen = [model for model in study.models() if models is None or model.name in models]
    names = {model.name for model in chosen}
    return {
        "grids": [asdict(axes) for axes in study.grid_axes() if axes.model in names],
        "configurations": {config.config_id: dict(config.params()) for model in chosen for config in model.configurations()},
    }


def with_study_layout(run: RunData, study: Study) -> RunData:
    """``run`` with what its file lacks of the layout (grids, configurations) taken from ``study``.

    Nothing is taken from a study other than the one the run file names (when it names one), and
    nothing the file has is replaced.
    """
    if (run.grids is not None and run.configurations is not None) or run.study not in ("", study.name):
        return run
    layout = run_data_from_document({"records": [], "verdicts": [], **study_layout(study)}, run.source)
    return replace(
        run,
        grids=run.grids if run.grids is not None else layout.grids,
        configurations=run.configurations if run.configurations is not None else layout.configurations,
    )


def read_run(path: Path) -> RunData:
    """A run file: what kind of file it is first, then every field the renderers use (``runfile``)."""
    from regcheck.engine.jsonio import is_integer
    from regcheck.engine.records import RECORD_SCHEMA_VERSION
    from regcheck.engine.runfile import RUN_KIND, check_run_document

    document = read_json(path, "run file")
    if not isinstance(document, dict):
        raise UsageError(f"run file {path}: expected a JSON object written by 'regcheck run --json PATH'")
    if not isinstance(document.get("records"), list) or not isinstance(document.get("verdicts"), list):
        run_data_from_document(document, str(path))  # raises, naming the lists a run file has
    if document.get("kind") != RUN_KIND:
        raise UsageError(f"run file {path}: kind is {document.get('kind')!r}, expected 'regcheck.run' (regcheck run --json PATH)")
    version = document.get("schema_version")
    if not is_integer(version) or version != RECORD_SCHEMA_VERSION:
        raise UsageError(f"run file {path}: schema_version is {version!r}, expected {RECORD_SCHEMA_VERSION}")
    check_run_document(document, f"run file {path}", UsageError)
    return run_data_from_document(document, str(path))
