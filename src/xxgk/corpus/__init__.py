"""The cross-report stage: many reports at once (ingest, compile, indicators, compare, audit)."""
