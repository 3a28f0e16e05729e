"""The tiny result model every check returns."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CheckResult:
    """What one check found.

    ``status`` is ``"passed"``, ``"failed"`` or ``"not attempted"`` (the stub
    still raises ``NotImplementedError``); ``message`` says what was checked,
    what was found and what was expected; ``hint`` is one line of advice.
    """

    name: str
    points: float
    max_points: float
    status: str
    message: str
    hint: str = ""
    visible: bool = True

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict:
        return asdict(self)


def passed(name: str, max_points: float, message: str, visible: bool = True) -> CheckResult:
    return CheckResult(name, max_points, max_points, "passed", message, "", visible)


def failed(name: str, max_points: float, message: str, hint: str = "", visible: bool = True) -> CheckResult:
    return CheckResult(name, 0.0, max_points, "failed", message, hint, visible)


def not_attempted(name: str, max_points: float, function: str, visible: bool = True) -> CheckResult:
    return CheckResult(
        name, 0.0, max_points, "not attempted",
        f"`{function}` still raises NotImplementedError: not attempted yet.",
        f"Replace the `raise NotImplementedError` line in `{function}` with your code.",
        visible,
    )
