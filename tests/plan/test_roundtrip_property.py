"""Any plan planlib writes out (YAML or JSON plan file) reads back as the same plan."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planlib import Plan, Section, Target, Task
from planlib.plan.files import dump_plan, load_plan, plan_text
from planlib.plan.model import COMPARATORS, Framework

_CHARS = st.characters(
    whitelist_categories=("Lo", "Lu", "Ll", "Nd", "Po", "Zs"),
    blacklist_characters="\x85\u2028\u2029",
)
# words YAML would read as something else if written bare
_TRICKY = ["null", "yes", "No", "~", "1.5", "0x1F", "2022-01-01", "- 项", "#注释", "a: b", "'引号'"]
words = st.sampled_from(_TRICKY) | st.text(_CHARS, min_size=1, max_size=20).map(str.strip).filter(
    bool
)
names = st.lists(words, max_size=3, unique=True).map(tuple)
units = st.sampled_from(["%", "个百分点", "所", "万元", "平方米", "万平方米", "台", "万人次", "km"])
values = st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e12, max_value=1e12)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    comparator = draw(st.sampled_from(sorted(COMPARATORS)))
    return Target(
        indicator=draw(words),
        comparator=comparator,  # type: ignore[arg-type]
        value=draw(values),
        unit=draw(units),
        code=draw(st.none() | words),
        aspirational=draw(st.booleans()),
        approximate=comparator == "~",
        scope=draw(st.sampled_from(["rate", "total"])),
        source=draw(st.text(_CHARS, max_size=30).map(str.strip)),
        change=draw(st.booleans()),
        units=draw(names),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    numbers = draw(st.lists(st.integers(1, 30), min_size=1, max_size=4, unique=True))
    sections = tuple(Section(n, draw(words)) for n in numbers)
    framework = Framework(
        name=draw(st.text(_CHARS, max_size=8).map(str.strip)), priorities=draw(names)
    )
    tasks = []
    for n in numbers:
        for k in draw(st.lists(st.integers(1, 40), max_size=3, unique=True)):
            lead = draw(names)
            tasks.append(
                Task(
                    section=n,
                    number=k,
                    title=draw(words),
                    text=draw(st.text(_CHARS, max_size=40).map(str.strip)),
                    lead_units=lead,
                    responsible_units=tuple(u for u in draw(names) if u not in lead),
                    tags=draw(st.lists(st.sampled_from(framework.tags), unique=True).map(tuple))
                    if framework.tags
                    else (),
                    targets=tuple(draw(st.lists(targets(), max_size=3))),
                    notes=draw(st.text(_CHARS, max_size=10).map(str.strip)),
                    due=draw(st.text(_CHARS, max_size=10).map(str.strip)),
                )
            )
    return Plan(
        title=draw(words),
        year=draw(st.none() | st.integers(1949, 2200)),
        issuer=draw(st.text(_CHARS, max_size=10).map(str.strip)),
        framework=framework,
        sections=sections,
        tasks=tuple(tasks),
        goals=tuple(draw(st.lists(targets(), max_size=2))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_a_plan_written_out_reads_back_the_same(plan: Plan) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".yaml", ".json"):
            path = Path(tmp) / f"plan{suffix}"
            dump_plan(plan, path)
            back = load_plan(path)
            assert back == plan
            assert plan_text(back, suffix[1:]) == plan_text(plan, suffix[1:])
