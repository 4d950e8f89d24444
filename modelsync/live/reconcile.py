"""The three lists: served and in the catalog, in the catalog and not served, served and
not in the catalog. Nothing here touches the network or a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .ids import Match, Matched, match
from .providerfile import Entry, ProviderFile


@dataclass(frozen=True)
class Served:
    """A model of the file that the provider serves (``served_as``: the id it lists)."""

    id: str
    served_as: str
    match: Match
    available: bool
    deprecated: bool


@dataclass(frozen=True)
class NotServed:
    """A model of the file that the provider does not serve to this key."""

    id: str
    available: bool
    deprecated: bool
    default_model: bool
    scored: bool

    @property
    def loud(self) -> bool:
        """The router would pick it: the provider's default model, or one with a score."""
        return self.default_model or self.scored


@dataclass(frozen=True)
class Reconciled:
    served: list[Served]
    not_served: list[NotServed]
    #: Served ids that match no model of the file: unpriced, the router cannot use them.
    not_in_catalog: list[str]
    #: Whether the file's ``default_model`` is served (``None``: the file names none).
    default_served: bool | None


def reconcile(file: ProviderFile, served_ids: Iterable[str]) -> Reconciled:
    served_list = list(served_ids)
    found, unmatched = match(file.models, served_list)
    served = [
        Served(e.id, found[e.id].served_as, found[e.id].how, e.available, e.deprecated)
        for e in sorted(file.models.values(), key=lambda e: e.id)
        if e.id in found
    ]
    not_served = [
        NotServed(e.id, e.available, e.deprecated, e.id == file.default_model, e.scored)
        for e in sorted(file.models.values(), key=lambda e: (not _loud(e, file), e.id))
        if e.id not in found
    ]
    return Reconciled(served, not_served, unmatched, _default_served(file, served_list, found))


def _loud(entry: Entry, file: ProviderFile) -> bool:
    return entry.id == file.default_model or entry.scored


def _default_served(
    file: ProviderFile, served: list[str], found: dict[str, Matched]
) -> bool | None:
    default = file.default_model
    if default is None:
        return None
    if default in found:
        return True
    # A default model the file does not list may still be served.
    extra, _ = match([default], served)
    return default in extra
