"""The heart study, regcheck's first plug-in (registered as ``heart`` in the ``regcheck.studies`` entry points)."""

from regcheck.studies.heart.study import HeartStudy, study

__all__ = ["HeartStudy", "study"]
