"""Provider selection (``--provider`` / ``--exclude`` globs), as a pure function."""

from __future__ import annotations

import logging

import pytest

from modelsync.errors import ProviderNotFound
from modelsync.model.configdir import select

IDS = ["openai", "anthropic", "azure", "azure-cognitive-services", "groq", "xai"]


def test_no_include_selects_every_provider_sorted() -> None:
    assert select(IDS, [], []) == sorted(IDS)


def test_include_globs_are_unioned_and_case_sensitive() -> None:
    assert select(IDS, ["azure*", "xai"], []) == ["azure", "azure-cognitive-services", "xai"]
    with pytest.raises(ProviderNotFound):
        select(IDS, ["XAI"], [])


def test_exclude_wins_over_include() -> None:
    assert select(IDS, ["azure*"], ["*-services"]) == ["azure"]
    assert select(IDS, [], ["a*", "o*"]) == ["groq", "xai"]


def test_an_include_matching_nothing_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(ProviderNotFound, match=r"--provider 'antropic' matches no provider") as e:
        select(IDS, ["antropic"], [])
    assert "did you mean 'anthropic'" in str(e.value)


def test_an_exclude_matching_nothing_is_only_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="modelsync"):
        assert select(IDS, [], ["gorq"]) == sorted(IDS)
    (message,) = [r.getMessage() for r in caplog.records]
    assert "--exclude 'gorq' matches no provider" in message and "'groq'" in message


def test_ids_may_be_any_iterable_and_are_read_once() -> None:
    assert select(iter(IDS), iter(["g*"]), iter([])) == ["groq"]
