"""Scoring ``extract_plan`` against the hand-written genre corpus (``plans/*.txt`` + ``*.yaml``).

Each plan in ``plans/`` is a text written in the habits of a bureau's 工作要点 (invented places,
bureaus and numbers) and a gold file beside it listing the tasks a reader should find, each with
its quantitative targets, and the plan-level goals::

    tasks:
      - title: 推进学前教育普惠发展
        targets:
          - {value: 3, unit: 所, comparator: ">="}
          - {value: 92, unit: "%", comparator: ">=", aspirational: true}
    goals:
      - {value: 94, unit: "%", comparator: ">="}
    heldout: true      # written after the extractor changed, scored apart

Matching rule (micro precision / recall / F1 over the whole corpus):

- **Tasks.** Titles are normalised (whitespace, punctuation and quotes dropped). A gold task is
  matched by the first unmatched extracted task, in document order, whose normalised title
  contains the gold title or is contained in it (both at least 4 characters), else whose
  ``difflib`` ratio with it is at least 0.6. Each extracted task matches one gold task at most.
- **Targets.** A target is the key (value, unit, comparator, aspirational); ``左右`` is the
  comparator ``~``. Targets are matched as multisets within a matched task pair, and among
  plan-level goals. The targets of an unmatched extracted task are all false positives; the
  targets of an unmatched gold task are all false negatives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from planlib.plan.extraction.extract import extract_plan
from planlib.plan.model import Plan, Target

GENRE = Path(__file__).resolve().parent
PLANS = GENRE / "plans"
TABLES = GENRE / "tables"  # table layouts (H2's), same gold format
TitleKey = str
TargetKey = tuple[float, str, str, bool]

_DROP_RE = re.compile(r"[\s，。；：、！？“”‘’\"'（）()《》【】\-—.,;:!?]")


def normalise_title(title: str) -> str:
    """A title without whitespace, punctuation or quotes, full-width folded."""
    return _DROP_RE.sub("", unicodedata.normalize("NFKC", title))


def titles_match(gold: str, found: str) -> bool:
    """The task matching rule (see the module docstring)."""
    g, f = normalise_title(gold), normalise_title(found)
    if not g or not f:
        return False
    if min(len(g), len(f)) >= 4 and (g in f or f in g):
        return True
    return SequenceMatcher(None, g, f).ratio() >= 0.6


def target_key(value: float, unit: str, comparator: str, aspirational: bool) -> TargetKey:
    return (round(float(value), 6), unit, comparator, bool(aspirational))


def _gold_key(entry: dict[str, Any]) -> TargetKey:
    return target_key(
        entry["value"], str(entry["unit"]), entry["comparator"], entry.get("aspirational", False)
    )


def _found_key(target: Target) -> TargetKey:
    return target_key(target.value, target.unit, target.comparator, target.aspirational)


@dataclass
class Counts:
    """True positives, false positives and false negatives of tasks and of targets."""

    task_tp: int = 0
    task_fp: int = 0
    task_fn: int = 0
    target_tp: int = 0
    target_fp: int = 0
    target_fn: int = 0
    missed: list[str] = field(default_factory=list)  # what went wrong, for a reader

    def add(self, other: Counts) -> None:
        for name in ("task_tp", "task_fp", "task_fn", "target_tp", "target_fp", "target_fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def tasks(self) -> tuple[float, float, float]:
        return self.f1(self.task_tp, self.task_fp, self.task_fn)

    @property
    def targets(self) -> tuple[float, float, float]:
        return self.f1(self.target_tp, self.target_fp, self.target_fn)


def _match_targets(gold: list[TargetKey], found: list[TargetKey], where: str, out: Counts) -> None:
    g, f = Counter(gold), Counter(found)
    common = g & f
    out.target_tp += sum(common.values())
    out.target_fp += sum((f - common).values())
    out.target_fn += sum((g - common).values())
    for key in (g - common).elements():
        out.missed.append(f"{where}: missed target {key}")
    for key in (f - common).elements():
        out.missed.append(f"{where}: spurious target {key}")


def score_plan(plan: Plan, gold: dict[str, Any]) -> Counts:
    """The counts of one extracted plan against its gold file."""
    out = Counts()
    free = list(plan.tasks)
    for g in gold.get("tasks") or []:
        keys = [_gold_key(t) for t in g.get("targets") or []]
        hit = next((t for t in free if titles_match(g["title"], t.title)), None)
        if hit is None:
            out.task_fn += 1
            out.target_fn += len(keys)
            out.missed.append(f"missed task {g['title']} ({len(keys)} targets)")
            continue
        free.remove(hit)
        out.task_tp += 1
        _match_targets(keys, [_found_key(t) for t in hit.targets], g["title"], out)
    for t in free:
        out.task_fp += 1
        out.target_fp += len(t.targets)
        out.missed.append(f"spurious task {t.title} ({len(t.targets)} targets)")
    gold_goals = [_gold_key(t) for t in gold.get("goals") or []]
    _match_targets(gold_goals, [_found_key(t) for t in plan.goals], "goals", out)
    return out


@dataclass(frozen=True)
class PlanScore:
    name: str
    heldout: bool
    counts: Counts


def corpus() -> list[tuple[Path, dict[str, Any]]]:
    """Every plan of the corpus with its gold (a ``.txt``, ``.docx``… beside a ``.yaml``)."""
    out = []
    golds = sorted(PLANS.rglob("*.yaml")) + sorted(TABLES.rglob("*.yaml"))
    for gold_path in golds:
        sources = [p for p in gold_path.parent.glob(gold_path.stem + ".*") if p.suffix != ".yaml"]
        if sources:
            out.append((sources[0], yaml.safe_load(gold_path.read_text(encoding="utf-8"))))
    return out


def score_corpus() -> list[PlanScore]:
    """Each plan extracted (no indicator codes) and scored."""
    scores = []
    for source, gold in corpus():
        plan = extract_plan(source, codes=False).plan
        scores.append(PlanScore(source.stem, bool(gold.get("heldout")), score_plan(plan, gold)))
    return scores


def total(scores: list[PlanScore]) -> Counts:
    out = Counts()
    for s in scores:
        out.add(s.counts)
    return out
