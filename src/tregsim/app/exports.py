"""What the Export tab hands out: the scenario YAML on screen, the exact ``tregsim run``
command that reproduces the run, and the run's data (CSV, Parquet, summary.json).

Run options are checked here with the CLI's own sentences (``--replicates``, ``--seed``),
plus the app's size limits: the app is for exploring, big runs belong to ``tregsim run``.
"""

from __future__ import annotations

import io
import json
import math
import re
import shlex
from collections.abc import Sequence
from typing import Any

from tregsim.errors import TregsimInputError

__all__ = [
    "MAX_ADMINISTRATIONS",
    "MAX_FOLLOW_UP_WEEKS",
    "MAX_PATIENTS",
    "MAX_REPLICATES",
    "check_app_limits",
    "check_run_size",
    "parse_replicates",
    "parse_seed",
    "patients_csv",
    "patients_parquet",
    "run_command",
    "scenario_yaml",
    "summary_json",
]

#: Most replicate trials one app run may ask for.
MAX_REPLICATES = 2000
#: Most enrolled patients per trial in the app.
MAX_PATIENTS = 2000
#: Longest follow-up in the app, in weeks (10 years).
MAX_FOLLOW_UP_WEEKS = 520
#: Most administrations per regimen in the app (two doses a day for ten years is 7,300).
MAX_ADMINISTRATIONS = 10_000


def _whole(option: str, text: Any, minimum: int, fix: str) -> int:
    raw = str(text).strip() if text is not None else ""
    try:
        value = int(raw)
    except ValueError:
        raise TregsimInputError(
            f"{option} must be a whole number (got {raw[:40]!r}); {fix}", field=option
        ) from None
    if value < minimum:
        what = "a positive whole number" if minimum == 1 else f"at least {minimum}"
        raise TregsimInputError(f"{option} must be {what} (got {value}); {fix}", field=option)
    return value


def parse_replicates(text: Any) -> int:
    """Replicate count from the field (the CLI's ``--replicates`` messages)."""
    value = _whole("--replicates", text, 1, "ask for at least one replicate trial")
    if value > MAX_REPLICATES:
        raise TregsimInputError(
            f"--replicates ({value}) is above the app's limit of {MAX_REPLICATES}; run "
            "tregsim run (see Export) for more",
            field="--replicates",
        )
    return value


def parse_seed(text: Any, default: int) -> int:
    """Seed from the field; empty means the scenario's seed (the CLI's ``--seed``)."""
    if text is None or not str(text).strip():
        return default
    return _whole("--seed", text, 0, "use a non-negative integer seed")


def _administrations(regimen: Any) -> int:
    """How many administrations a regimen has, counted without listing them."""
    count = len(regimen.doses)
    for course in regimen.courses:
        count += math.ceil(course.days / course.every_days - 1e-9) * course.per_day
    return count


def check_app_limits(scenario: Any) -> None:
    """Refuse what would stall an interactive session: a follow-up over 10 years or a
    regimen of more than 10,000 administrations (TregsimInputError naming the field)."""
    if scenario.follow_up_weeks > MAX_FOLLOW_UP_WEEKS:
        raise TregsimInputError(
            f"follow_up_weeks ({scenario.follow_up_weeks:g}) is above the app's limit of "
            f"{MAX_FOLLOW_UP_WEEKS} weeks; shorten it, or use tregsim run",
            field="follow_up_weeks",
        )
    for name, regimen in scenario.regimens.items():
        count = _administrations(regimen)
        if count > MAX_ADMINISTRATIONS:
            raise TregsimInputError(
                f"regimens.{name} has {count} administrations, above the app's limit of "
                f"{MAX_ADMINISTRATIONS}; shorten its courses or space the doses out",
                field=f"regimens.{name}",
            )


def check_run_size(scenario: Any) -> None:
    """Refuse trials too big for an interactive run (TregsimInputError on population.n)."""
    check_app_limits(scenario)
    if scenario.population.n > MAX_PATIENTS:
        raise TregsimInputError(
            f"population.n ({scenario.population.n}) is above the app's limit of "
            f"{MAX_PATIENTS} patients per trial; run tregsim run (see Export) for more",
            field="population.n",
        )


def _safe_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text).strip("-.")
    return stem or "scenario"


def run_command(
    source: str,
    overrides: Sequence[str],
    replicates: int,
    seed: int,
    out: str | None = None,
) -> str:
    """The ``tregsim run`` command reproducing a run of the app.

    ``source`` is the built-in name or the uploaded file's name; ``overrides`` the
    ``--set`` values from :func:`tregsim.app.form.evaluate_form`.
    """
    stem = _safe_stem(source.removesuffix(".yaml").removesuffix(".yml"))
    words = ["tregsim", "run", source, "--out", out or f"results/{stem}"]
    words += ["--replicates", str(replicates), "--seed", str(seed)]
    for item in overrides:
        words += ["--set", item]
    return shlex.join(words)


def scenario_yaml(scenario: Any, source: str, overrides: Sequence[str]) -> str:
    """The scenario on screen as YAML, with a header saying where it came from."""
    lines = [f"# Made with tregsim app from {source.replace(chr(10), ' ')}"]
    if overrides:
        lines.append("# with these changes (tregsim run --set):")
        lines += [f"#   {item.replace(chr(10), ' ')}" for item in overrides]
    return "\n".join(lines) + "\n" + scenario.to_yaml()


def patients_csv(patients: Any) -> bytes:
    """The patient rows as CSV."""
    return patients.to_csv(index=False).encode("utf-8")


def patients_parquet(patients: Any) -> bytes:
    """The patient rows as Parquet."""
    buffer = io.BytesIO()
    patients.to_parquet(buffer, index=False)
    return buffer.getvalue()


def summary_json(summary: dict[str, Any]) -> str:
    """The run's summary as summary.json text."""
    return json.dumps(summary, indent=2, allow_nan=False)
