"""The settings that choose between a definition's options, and the judgement rules.

Where sources differ (户籍 or 常住 population, the age band, 巩固率 with 转入/转出 and a cap) an
indicator definition offers options and :class:`Settings` chooses one; every output row states
the choice. :class:`Judgement` holds how values are judged beyond each indicator's tolerance
(左右, 力争, 序时进度), read from the ``judgement`` block of ``data/indicators.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from ..errors import SettingsError

if TYPE_CHECKING:
    from .definitions import IndicatorSet


CHOICES: dict[str, tuple[str, ...]] = {
    "population_basis": ("常住", "户籍"),
    "high_school_age_band": ("15–17", "15–18"),
    "retention_base": ("入学人数", "调整转入转出"),
    "projection": ("linear", "last"),
}
_SETTING_WORDS: dict[str, dict[str, str]] = {
    "population_basis": {"常住": "常住人口", "户籍": "户籍人口"},
    "high_school_age_band": {"15–17": "15–17岁", "15–18": "15–18岁"},
    "retention_base": {"入学人数": "基数为入学时人数", "调整转入转出": "基数按转入转出调整"},
}


@dataclass(frozen=True)
class Settings:
    """The choices where sources differ; every output states the ones it used.

    Refuses unknown keys: ``Settings.coerce({"age_band": ...})`` raises :class:`SettingsError`.

    - ``population_basis``: 常住 (resident) or 户籍 (registered) population in gross rates.
    - ``high_school_age_band``: 15–17 or 15–18 for 高中阶段毛入学率.
    - ``retention_base``: 巩固率 base 入学人数 (official) or 调整转入转出 (county templates).
    - ``retention_cap``: cap 巩固率 at 100% (gross rates are never capped).
    - ``tolerance``: per indicator code, overrides the definition's 接近 tolerance (points for
      ratios, a share of the target for totals).
    - ``approximate_band``, ``aspirational_slack``, ``progress_band``: override the definitions'
      judgement rules (:class:`Judgement`, the ``judgement`` block of ``data/indicators.yaml``);
      None keeps the definitions' value.
    - ``projection``: ``linear`` (flows: to date ÷ 序时进度; stocks: trend over the quarters so
      far) or ``last`` (carry the latest value to year end).
    """

    population_basis: str = "常住"
    high_school_age_band: str = "15–17"
    retention_base: str = "入学人数"
    retention_cap: bool = False
    tolerance: Mapping[str, float] = field(default_factory=dict)
    approximate_band: float | None = None
    aspirational_slack: float | None = None
    progress_band: float | None = None
    projection: str = "linear"

    def __post_init__(self) -> None:
        band = str(self.high_school_age_band).replace("-", "–").replace("—", "–")
        object.__setattr__(self, "high_school_age_band", band)
        for key, allowed in CHOICES.items():
            if getattr(self, key) not in allowed:
                raise SettingsError(
                    f"设置 {key} 的值 {getattr(self, key)!r} 无效，可选：{'、'.join(allowed)}"
                )
        if not isinstance(self.retention_cap, bool):
            raise SettingsError(
                f"设置 retention_cap 应为 true 或 false，实际为 {self.retention_cap!r}"
            )
        for key in ("approximate_band", "aspirational_slack", "progress_band"):
            v = getattr(self, key)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 100:
                raise SettingsError(f"设置 {key} 应为非负数，实际为 {v!r}")
        if not isinstance(self.tolerance, Mapping):
            raise SettingsError("设置 tolerance 应为「指标代码: 容差」的键值表")
        for code, v in self.tolerance.items():
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise SettingsError(f"设置 tolerance.{code} 应为非负数，实际为 {v!r}")
        object.__setattr__(self, "tolerance", dict(self.tolerance))

    @classmethod
    def coerce(cls, value: Settings | Mapping[str, Any] | None) -> Settings:
        """A Settings from None (defaults), a Settings, or a mapping of known keys only."""
        if value is None:
            return cls()
        if isinstance(value, Settings):
            return value
        if not isinstance(value, Mapping):
            raise SettingsError(f"设置应为键值表，实际为 {type(value).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = [k for k in value if k not in known]
        if unknown:
            raise SettingsError(
                f"未知的设置：{'、'.join(map(str, unknown))}；可用：{'、'.join(sorted(known))}"
            )
        return cls(**dict(value))

    def judgement(self, indicators: IndicatorSet) -> Judgement:
        """The definitions' judgement rules with this run's overrides."""
        base = indicators.judgement
        return Judgement(
            approximate_band=_pick(self.approximate_band, base.approximate_band),
            aspirational_slack=_pick(self.aspirational_slack, base.aspirational_slack),
            progress_band=_pick(self.progress_band, base.progress_band),
        )

    def check_codes(self, indicators: IndicatorSet) -> Settings:
        """Refuse per-indicator settings naming an indicator the definitions do not have."""
        unknown = [c for c in self.tolerance if c not in indicators]
        if unknown:
            raise SettingsError(
                f"设置 tolerance 中的指标代码未定义：{'、'.join(map(str, unknown))}；"
                f"可用：{'、'.join(indicators.codes)}"
            )
        return self

    def replace(self, **changes: Any) -> Settings:
        """A changed copy; unknown keys are refused."""
        return _replace(self, changes)

    def words(self, key: str) -> str:
        """How a report states the choice made for ``key``."""
        if key == "retention_cap":
            return "封顶100%" if self.retention_cap else "不封顶"
        return _SETTING_WORDS.get(key, {}).get(str(getattr(self, key)), str(getattr(self, key)))

    def describe(self, indicators: IndicatorSet | None = None) -> str:
        """All choices in one line for a report footnote (the 左右 band as the definitions, or
        this run's override, set it)."""
        band = self.approximate_band
        if band is None:
            band = (
                indicators.judgement if indicators is not None else Judgement()
            ).approximate_band
        return "；".join(
            [
                f"人口口径：{self.words('population_basis')}",
                f"高中阶段年龄段：{self.words('high_school_age_band')}",
                f"巩固率：{self.words('retention_base')}，{self.words('retention_cap')}",
                f"左右：±{band:.0%}",
                f"预测方法：{'线性外推' if self.projection == 'linear' else '沿用最新值'}",
            ]
        )


def _replace(settings: Settings, changes: Mapping[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = [k for k in changes if k not in known]
    if unknown:
        raise SettingsError(f"未知的设置：{'、'.join(unknown)}；可用：{'、'.join(sorted(known))}")
    return replace(settings, **changes)


# --- definitions ------------------------------------------------------------------------------


def _pick(override: float | None, default: float) -> float:
    return float(default if override is None else override)


@dataclass(frozen=True)
class Judgement:
    """How a value is judged against its target, beyond each indicator's 接近 tolerance.

    From the ``judgement`` block of ``data/indicators.yaml``, so a bureau changes its rules in
    the file, and every report states them (:meth:`sentences`).
    """

    approximate_band: float = 0.05
    """左右: the target is met within ± this share of it."""
    aspirational_slack: float = 2.0
    """力争: a value short by up to this many tolerances is 接近, not 未达标."""
    progress_band: float = 0.05
    """序时进度: done ÷ target at least this share of the year ahead of schedule is 超前."""

    def sentences(self) -> list[str]:
        """The rules in a reader's words, one sentence each (the report appendix)."""
        return [
            f"“左右”的目标：实际值在目标值上下{self.approximate_band:.0%}以内为达标。",
            f"“力争”的目标：差距在该指标接近容差的{self.aspirational_slack:g}倍以内为接近。",
            f"序时进度：完成率高于序时进度{self.progress_band * 100:g}个百分点以上为超前，"
            "按序时目标判断达标或接近为正常，未达标为滞后。",
        ]


__all__ = ["Judgement", "Settings"]
