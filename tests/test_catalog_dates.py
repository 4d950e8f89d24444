"""A catalog's date (the rollback guard compares it with the configs') counts only the
models whose `last_updated` is a date: a model with junk there is skipped anyway."""

from __future__ import annotations

from modelsync.model.catalog import newest_update


def test_junk_dates_do_not_date_the_catalog() -> None:
    # A mutated catalog of the property tests (test_mutated_catalogs_never_break_the_sync)
    # whose only dated model had "1e3" was refused as older than the configs.
    catalog = {"p": {"models": {"a": {"last_updated": "1e3"}, "b": {"last_updated": "2025-01"}}}}
    assert newest_update(catalog) == "2025-01"
    assert newest_update({"p": {"models": {"a": {"last_updated": "9999x"}}}}) is None
