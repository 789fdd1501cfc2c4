"""Studies shipped with regcheck; each is a plug-in of the engine, registered like any user's study."""

# The study a run without --study runs: the first one regcheck shipped.
DEFAULT_STUDY = "heart"
