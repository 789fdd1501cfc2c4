"""Studies shipped with regcheck; each is a plug-in of the engine, registered like any user's study."""
