"""The live check's result: one :class:`ProviderCheck` per provider, and its JSON form
(versioned; docs/live.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .families import Family
from .reconcile import NotServed, Reconciled, Served
from .vocab import Problem, SkipReason, Status

#: The version of the JSON document; keys are only ever added within a version.
LIVE_REPORT_VERSION = 1


@dataclass
class ProviderCheck:
    """What the live check found for one provider."""

    provider: str
    status: Status
    path: str | None = None
    family: Family | None = None
    #: The URL asked (never with a key in it).
    endpoint: str | None = None
    key_variable: str | None = None
    skip_reason: SkipReason | None = None
    problem: Problem | None = None
    #: Why it was skipped or failed, in words.
    message: str | None = None
    default_model: str | None = None
    result: Reconciled | None = None
    served_count: int = 0
    pages: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def served(self) -> list[Served]:
        return self.result.served if self.result else []

    @property
    def not_served(self) -> list[NotServed]:
        return self.result.not_served if self.result else []

    @property
    def not_in_catalog(self) -> list[str]:
        return self.result.not_in_catalog if self.result else []

    @property
    def default_served(self) -> bool | None:
        return self.result.default_served if self.result else None

    @property
    def ok(self) -> bool:
        """Skipped, or checked with its default model (if any) served."""
        if self.status is Status.FAILED:
            return False
        return self.status is Status.SKIPPED or self.default_served is not False

    def problems(self) -> list[str]:
        """One line per thing that makes the check fail for this provider."""
        if self.status is Status.FAILED:
            return [f"{self.provider}: {self.message}"]
        if self.status is Status.CHECKED and self.default_served is False:
            return [f"{self.provider}: default model {self.default_model} is not served"]
        return []

    def counts(self) -> dict[str, int]:
        return {
            "served": self.served_count,
            "served_in_catalog": len(self.served),
            "not_served": len(self.not_served),
            "not_served_loud": sum(1 for m in self.not_served if m.loud),
            "not_in_catalog": len(self.not_in_catalog),
        }

    def to_json(self) -> dict[str, Any]:
        reason = self.problem or self.skip_reason
        return {
            "provider": self.provider,
            "status": self.status.value,
            "ok": self.ok,
            "path": self.path,
            "family": self.family.value if self.family else None,
            "endpoint": self.endpoint,
            "key_variable": self.key_variable,
            "reason": reason.value if reason else None,
            "message": self.message,
            "default_model": self.default_model,
            "default_model_served": self.default_served,
            "pages": self.pages,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "served_in_catalog": [{**asdict(m), "match": m.match.value} for m in self.served],
            "not_served": [{**asdict(m), "loud": m.loud} for m in self.not_served],
            "not_in_catalog": list(self.not_in_catalog),
        }


@dataclass
class LiveReport:
    """The live check of a config directory (``modelsync.check_live``)."""

    config_dir: str
    providers: list[ProviderCheck] = field(default_factory=list)
    seconds: float = 0.0

    def with_status(self, status: Status) -> list[ProviderCheck]:
        return [p for p in self.providers if p.status is status]

    @property
    def ok(self) -> bool:
        """Every checked provider answered and serves its default model."""
        return all(p.ok for p in self.providers)

    def problems(self) -> list[str]:
        return [line for p in self.providers for line in p.problems()]

    def counts(self) -> dict[str, int]:
        return {status.value: len(self.with_status(status)) for status in Status}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": LIVE_REPORT_VERSION,
            "ok": self.ok,
            "config_dir": self.config_dir,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "providers": [p.to_json() for p in self.providers],
            "errors": self.problems(),
        }
