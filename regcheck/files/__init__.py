"""The files regcheck saves and reads: one module per format (kind, schema, writer, reader and checker, typed view)."""
