"""Which library indicator a plan's target measures, and a plan indicator where none fits.

Plans word one indicator many ways (学前教育三年毛入园率, 学前三年毛入学率, 毛入园率), with scope
words, verbs and comparators leaked into the name (全市…达到, 稳定在…以上). Matching is a rule,
not a word list: both sides are normalised the same way (:func:`normalise`), then scored by the
longest common subsequence of characters against every name and alias, with the unit, the stage
of schooling (学前, 小学, 中职 …) and narrowing words (公办/民办, 本科/专科, 乡村, 新建, 优良/合格)
as evidence. A target no indicator fits becomes a plan indicator made from its own words
(:func:`plan_indicator`): YAML-ready entries for the library.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .definitions import Indicator, IndicatorSet

# --- thresholds (chosen from tests/catalog/test_matching.py) -------------------------------------
LIKELY = 0.78
"""A single best candidate at least this similar (and clear of the next) is "likely"."""
MARGIN = 0.08
"""…and the runner-up at least this far below; closer candidates make it "uncertain"."""
WEAK = 0.55
"""Below this nothing is proposed ("none"): the target becomes a plan indicator."""
CONFLICT = 0.4
"""Factor for a unit or stage that contradicts the indicator: a perfect name drops below WEAK."""

# --- normalisation -------------------------------------------------------------------------------
_SCOPE = re.compile(
    r"^(?:(?:到|至|截至)?\d{4}年(?:底|末)?(?:前)?|全年|年内|本年|当年|其中"
    r"|各县\(市、?区\)|各县市区|各县区|各区县|各市县|各地|全域"
    r"|(?:全|我|本)[省市县区州旗](?:域|范围内)?"
    r"|力争|确保|争取|努力|实现|推动|进一步)"
)
"""Leading words that say where or when, or urge, but never what is measured. 城区/农村 are
not among them: a rural rate is another indicator than the city's."""
_TAIL = re.compile(
    r"(?:[\d.]+(?:%|个百分点|万元|亿元|元|所|个|人次|人|名|项|家|间|套|台|座|处|场次|场|次)?"
    r"|达到|提高到|提升到|提高至|提升至|增加到|增长到|增至|降低到|降至|下降到|下降至"
    r"|保持在|稳定在|控制在|维持在|不低于|不少于|不超过|不高于|高于|低于|分别|均|达|到|为"
    r"|以上|以内|以下|左右|力争|确保|争取|努力|保持"
    r"|(?:(?:较|比)(?:上年|去年|上一年|\d{4}年)|同比|每年|年均|逐年|(?<=[率例重数]))"
    r"(?:提高|提升|增加|增长|降低|下降|减少|上升|压减)|(?:较|比)(?:上年|去年|上一年|\d{4}年)|同比)$"
)
"""Comparator and verb tails a sentence leaves on a name: 毛入园率达到92%以上."""
_PAIRS = "學学國国園园務务鞏巩師师數数畢毕業业職职費费課课後后蓋盖額额體体質质優优視视歷历專专與与發发達达標标準准辦办義义級级幹干預预經经財财補补區区縣县網网絡络資资場场館馆積积書书圖图儀仪設设備备樓楼險险實实現现萬万億亿員员長长參参殘残兒儿齡龄輟辍規规屬属適适應应會会養养託托個个總总計计導导鄉乡鎮镇遷迁隨随購购買买關关對对進进選选藝艺術术習习練练訓训試试測测衛卫廚厨竈灶報报聯联廣广帶带寬宽樣样類类營营齊齐創创維维護护歲岁嬰婴滿满擴扩築筑舊旧點点線线電电腦脑勞劳動动統统閱阅讀读廳厅驗验範范項项傳传負负擔担減减輕轻題题語语聲声運运診诊療疗產产傷伤戶户貧贫難难幫帮獎奖勵励貸贷緊紧裝装機机構构農农證证崗岗門门雙双際际異异係系綜综環环離离開开閉闭啟启歸归劃划將将為为爲为於于從从並并這这貫贯條条臨临時时間间階阶層层納纳稅税徵征執执賬账紀纪錄录冊册據据頻频樂乐觀观覽览價价錢钱銀银團团隊队黨党組组織织權权責责監监評评勢势強强寫写聽听說说醫医藥药愛爱稱称讓让較较穩稳確确爭争內内該该東东華华製制"
_TRAD = str.maketrans(_PAIRS[0::2], _PAIRS[1::2])
"""Traditional characters of the domain's words, each before its simplified form: script only."""
_BRACKET = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
_PUNCT = re.compile(r"[、，,。；;：:“”\"'‘’《》<>「」·/\-—~～的]")
_SHARE_TAIL = re.compile(r"(?:所占比例|所占比重|占比例|占比重|占比|比例|比重|比率)$")
_SCHOOLS = re.compile(r"^中小学[校生]?(?=..)")
_COUNT_TAIL = re.compile(r"(?:总人数|人数|人次|总数|个数|数量|数)$")


def _strip_ends(s: str) -> str:
    """Scope prefixes and comparator tails off, repeatedly (全市…力争…达到…以上)."""
    while True:
        t = _TAIL.sub("", _SCOPE.sub("", s))
        if t == s or not t:
            return t or s
        s = t


def _tidy(s: str) -> str:
    s = _SHARE_TAIL.sub("占比", _PUNCT.sub("", s).replace("及以上", "以上"))
    t = _COUNT_TAIL.sub("", s)
    return t if len(t) >= 2 else s


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).translate(_TRAD)


def normalise(name: str) -> tuple[str, ...]:
    """The forms a name is compared in: NFKC, simplified script, no spaces, scope and comparator ends off, no 的,
    及以上 → 以上, a share tail (比例/比重/占比) as 占比, no trailing 数. Brackets give two forms,
    their words dropped and kept: 入学（安置）率 → 入学率, 入学安置率."""
    s = _strip_ends(re.sub(r"\s+", "", _nfkc(name)))
    dropped = _BRACKET.sub("", s)
    kept = re.sub(r"[()\[\]【】]", "", s)
    forms = [_tidy(_strip_ends(dropped)), _tidy(_strip_ends(kept))]
    return tuple(dict.fromkeys(f for f in forms if f))


def clean_name(name: str) -> str:
    """The name as a person would print it: scope and comparator ends off, brackets kept."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    s = _strip_ends(s).replace("(", "（").replace(")", "）")
    return s or name.strip()


# --- stages of schooling: domain structure, one table ---------------------------------------------
_STAGE_WORDS = {
    "preschool": "学前|幼儿园|在园幼儿|入园|普惠园|公办园|民办园",
    "primary": "小学",
    "junior": "初中|初级中学",
    "compulsory": "义务教育",
    "upper": "高中阶段",
    "senior": "普通高中|普高|高中",
    "vocational": "中职|中等职业|职业高中|技工学校",
    "higher_vocational": "高职|高等职业",
    "higher": "高校|高等学校|高等教育|大学",
    "school": "中小学",
    "special": "特殊教育|特教|残疾",
}
_STAGE_KEYS = sorted(
    ((w, k) for k, v in _STAGE_WORDS.items() for w in v.split("|")), key=lambda kv: -len(kv[0])
)
_COVERS = {
    "compulsory": {"primary", "junior"},
    "upper": {"senior", "vocational"},
    "school": {"primary", "junior", "compulsory", "senior"},  # 中小学: the schools, not a stage
}
_CATEGORY = {
    "preschool": "学前教育",
    "primary": "义务教育",
    "junior": "义务教育",
    "compulsory": "义务教育",
    "upper": "高中阶段教育",
    "senior": "高中阶段教育",
    "vocational": "职业教育",
    "higher_vocational": "职业教育",
    "higher": "高等教育",
    "special": "特殊教育",
}


def stages(text: str) -> frozenset[str]:
    """The stages a wording names, longest keyword first (职业高中 is 中职, not 高中)."""
    s = _nfkc(text)
    found = set()
    for word, stage in _STAGE_KEYS:
        if word in s:
            found.add(stage)
            s = s.replace(word, "|")
    return frozenset(found)


def _stage_fit(own: frozenset[str], text: frozenset[str], entry: _Entry) -> float:
    """CONFLICT when the stages disagree; NARROWER when every name of the indicator names a stage
    and neither target nor phrase does (新增学位), or the target names a wider one (中小学/小学)."""
    if not own:
        return NARROWER if entry.stage_bound and not text else 1.0
    if not _stages_agree(own, entry.stages):
        return CONFLICT
    covered = any(t == e or t in _COVERS.get(e, ()) for t in own for e in entry.stages)
    return 1.0 if covered or not entry.stages else NARROWER


def _stages_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both sides name a stage: some stage of one is, contains or lies in one of the other."""
    if not a or not b:
        return True
    return any(x == y or y in _COVERS.get(x, ()) or x in _COVERS.get(y, ()) for x in a for y in b)


# --- qualifiers that narrow what is counted: domain structure, one table ------------------------
_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "own": ("公办", "民办"),
    "degree": ("专科", "本科", "研究生|硕士"),
    "area": ("城区|城镇|县城", "乡村|农村|乡镇"),
    "new": ("新建|新增|改扩建|建成|补充|改造",),
    "grade": ("优良", "优秀", "合格|及格"),
}
"""Families of words that narrow what is counted, each member a group of synonyms."""
NARROWER = 0.8
"""Factor for a target that counts a part of what the indicator counts (城区…, 民办…, 新建…), or
an indicator that counts a part the target does not say (乡村教师…, 新增学位 against 学位)."""


def qualifiers(text: str) -> frozenset[tuple[str, str]]:
    """(family, member) of each qualifier a wording names: 农村 → (area, 乡村|农村|乡镇)."""
    s, groups = _nfkc(text), ((f, g) for f, gs in _QUALIFIERS.items() for g in gs)
    return frozenset((f, g) for f, g in groups if any(w in s for w in g.split("|")))


def _qualifiers_fit(own: frozenset[tuple[str, str]], entry: _Entry) -> float:
    """CONFLICT when both name a family's members and none agree (民办 against 公办, 本科 against
    专科); NARROWER for each family only the target names, or every name of the indicator does."""
    fit = 1.0
    for family in _QUALIFIERS:
        a, b = ({m for f, m in q if f == family} for q in (own, entry.qualifiers))
        if a and b and not a & b:
            return CONFLICT
        if (a and not b) or (not a and any(f == family for f, _ in entry.required)):
            fit *= NARROWER
    return fit


# --- units ---------------------------------------------------------------------------------------
_UNIT_GROUPS = (
    frozenset({"元", "万元", "亿元"}),
    frozenset({"人", "名", "万人"}),
    frozenset({"人次", "万人次"}),
    frozenset({"所", "个", "家", "处", "座", "项", "间", "套", "台", "场", "场次", "次", "班"}),
    frozenset({"平方米", "万平方米"}),
)
_RATE_UNITS = ("%", "个百分点")
_RATE_NAME = re.compile(r"(?:率|占比)$")


def _unit_fit(unit: str, forms: tuple[str, ...], ind: Indicator) -> float:
    """1 when the unit (or, without one, the name's 率/数 ending) agrees with the indicator's kind
    and unit, CONFLICT when it contradicts it: a % target is only a % ratio, a count or an amount
    a total in a compatible unit (亿元 ↔ 万元, 人 ↔ 名), a ratio in 元 or 平方米 (生均) only that."""
    unit, rate = unicodedata.normalize("NFKC", unit), any(_RATE_NAME.search(f) for f in forms)
    if unit in _RATE_UNITS:
        return 1.0 if ind.kind == "ratio" and ind.unit == "%" else CONFLICT
    if not unit:
        return 1.0 if rate == (ind.kind == "ratio") else 0.7
    if rate:
        return CONFLICT  # a 率 is never counted in 所
    if unit == ind.unit:
        return 1.0
    if ind.kind == "ratio":
        return CONFLICT  # a count or amount is never a rate
    for group in _UNIT_GROUPS:
        if unit in group and ind.unit in group:
            return 0.9 if "所" in group else 1.0  # 所 and 个 may count different things
    return CONFLICT


# --- similarity ----------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _masks(a: str) -> dict[str, int]:
    """Where each character of ``a`` stands, as bits; made once per target form."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    return masks


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004): one pass over b."""
    masks = _masks(a)
    v = full = (1 << len(a)) - 1
    for ch in b:
        u = v & masks.get(ch, 0)
        v = (v + u) | (v - u)
    return len(a) - bin(v & full).count("1")


def similarity(target: str, name: str) -> float:
    """Dice over the common subsequence, blended with the share of the target's wording the
    name accounts for. Asymmetric on purpose: plans abbreviate (毛入园率 lies wholly inside
    学前三年毛入园率), while words the target adds (视力不良 against 近视) point elsewhere."""
    if not target or not name:
        return 0.0
    common = _lcs(target, name)
    dice = 2 * common / (len(target) + len(name))
    return 0.6 * dice + 0.4 * common / len(target)


@dataclass(frozen=True)
class _Entry:
    code: str
    forms: frozenset[str]
    stages: frozenset[str]
    qualifiers: frozenset[tuple[str, str]]  # in any of its names
    required: frozenset[tuple[str, str]]  # in all of them (乡村教师本科…)
    stage_bound: bool  # every name of it names a stage


def _swaps(forms: set[str]) -> set[tuple[str, str]]:
    """One-character variants the library itself lists for one indicator (入园率 / 入学率), as
    three-character windows: a plan may swap them anywhere in that indicator's names."""
    out: set[tuple[str, str]] = set()
    for a in forms:
        for b in forms:
            if a < b and len(a) == len(b):
                diff = [i for i in range(len(a)) if a[i] != b[i]]
                if len(diff) == 1:
                    lo, hi = max(0, diff[0] - 1), diff[0] + 2
                    out.add((a[lo:hi], b[lo:hi]))
    return out


def _entry(ind: Indicator) -> _Entry:
    forms = {f for n in (ind.name, *ind.aliases) for f in normalise(n)}
    for x, y in _swaps(forms):
        forms |= {f.replace(x, y) for f in forms if x in f}
        forms |= {f.replace(y, x) for f in forms if y in f}
    names = (ind.name, *ind.aliases)
    marks, bound = [qualifiers(n) for n in names], all(stages(n) for n in names)
    every, required = frozenset().union(*marks), frozenset.intersection(*marks)
    return _Entry(ind.code, frozenset(forms), stages("|".join(names)), every, required, bound)


_PREPARED: dict[int, tuple[IndicatorSet, tuple[_Entry, ...]]] = {}


def _entries(indicators: IndicatorSet) -> tuple[_Entry, ...]:
    """Each indicator's forms, made once per IndicatorSet (it is immutable)."""
    hit = _PREPARED.get(id(indicators))
    if hit is None or hit[0] is not indicators:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        hit = (indicators, tuple(_entry(i) for i in indicators))
        _PREPARED[id(indicators)] = hit
    return hit[1]


# --- matching ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """What a target measures. ``code`` is the best candidate unless ``confidence`` is "none";
    only "exact" and "likely" may be taken without a person confirming."""

    code: str | None
    confidence: str  # "exact" | "likely" | "uncertain" | "none"
    score: float
    candidates: tuple[tuple[str, float], ...] = ()
    name: str = ""  # the target's name as written, for describe_match
    reason: str = ""  # why it is not better than it is: 单位不符, 学段不符, 候选接近 …


_Own = tuple[frozenset[str], frozenset[tuple[str, str]]]  # a target's stages and qualifiers
_Hint = tuple[tuple[str, ...], frozenset[str]]  # its source phrase's forms and stages


def _score(
    entry: _Entry, ind: Indicator, forms: tuple[str, ...], unit: str, own: _Own, hint: _Hint
) -> tuple[float, bool, bool]:
    """(score, stage conflict, unit conflict) of one indicator for a target."""
    text_forms, text_stages = hint
    fit, stage = _unit_fit(unit, forms, ind), _stage_fit(own[0], text_stages, entry)
    raw = max(similarity(f, g) for f in forms for g in entry.forms)
    score = raw * fit * stage * _qualifiers_fit(own[1], entry)
    if text_forms and any(g in t for g in entry.forms for t in text_forms):
        score += 0.03  # the source phrase names it whole
    if not own[0] and text_stages and entry.stages:
        score += 0.03 if _stages_agree(text_stages, entry.stages) else -0.05
    return min(score, 1.0), stage <= CONFLICT, fit <= CONFLICT


def match_target(indicators: IndicatorSet, name: str, unit: str = "", text: str = "") -> Match:
    """The library indicator a target (name as written, unit, source phrase) measures.

    exact: a name or alias equal after normalisation, unit and stage agreeing; likely: one clear
    winner (score ≥ LIKELY, the next ≥ MARGIN behind, no conflict); uncertain: a candidate at
    least WEAK but close to another, or contradicted by the unit; none: nothing at WEAK.
    """
    forms = normalise(name)
    if not forms:
        return Match(None, "none", 0.0, (), name, "名称为空")
    own = (stages(name), qualifiers(name))
    # 中小学 before a measure no stage bounds is the whole school system: 中小学教师培训 is 教师培训
    wide = tuple(dict.fromkeys((*forms, *(_SCHOOLS.sub("", f) for f in forms))))
    hint = (normalise(text), stages(text))  # both empty without a text
    scored = []
    for entry, ind in zip(_entries(indicators), indicators, strict=True):
        mine = forms if entry.stages else wide
        score, stage_bad, unit_bad = _score(entry, ind, mine, unit, own, hint)
        exact = any(f in entry.forms for f in mine)
        scored.append((round(score, 3), exact, stage_bad, unit_bad, entry.code))
    scored.sort(key=lambda r: -r[0])
    candidates = tuple((r[4], r[0]) for r in scored[:3])
    exacts = [r for r in scored if r[1]]
    if len(exacts) == 1:
        score, _, stage_bad, unit_bad, code = exacts[0]
        if not (stage_bad or unit_bad):
            return Match(code, "exact", 1.0, candidates, name)
        why = "单位与指标不符" if unit_bad else "学段与指标不符"
        return Match(code, "uncertain", score, candidates, name, f"名称一致但{why}")
    if not scored or scored[0][0] < WEAK:
        return Match(None, "none", scored[0][0] if scored else 0.0, candidates, name, "无相近指标")
    best = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if len(exacts) > 1:
        return Match(best[4], "uncertain", best[0], candidates, name, "多个指标名称一致")
    clear = best[0] - second >= MARGIN - 1e-9  # scores are rounded to 3 decimals
    if best[0] >= LIKELY and clear:
        return Match(best[4], "likely", best[0], candidates, name)
    reason = "相似度不高" if clear else "候选接近"
    return Match(best[4], "uncertain", best[0], candidates, name, reason)


def describe_match(m: Match, indicators: IndicatorSet) -> str:
    """One line for the 待确认清单: what was chosen, how sure, and the other candidates."""

    def label(code: str) -> str:
        return f"{indicators[code].name}（{code}）" if code in indicators else code

    others = [f"{label(c)} {s:.2f}" for c, s in m.candidates if c != m.code and s > 0]
    tail = f"；其他候选：{'、'.join(others)}" if others else ""
    why = f"（{m.reason}）" if m.reason else ""
    if m.code is None:
        return f"{m.name}：指标库中没有相符的指标{why}，将作为本计划指标{tail}"
    if m.confidence == "exact":
        return f"{m.name} → {label(m.code)}，名称一致"
    ask = "较为可信，请核对" if m.confidence == "likely" else "请确认"
    return f"{m.name} → {label(m.code)}，相似度 {m.score:.2f}{why}，{ask}{tail}"


# --- plan indicators -----------------------------------------------------------------------------
_FLOW = re.compile(
    r"新增|新建|新招|招聘|引进|补充|培训|完成|投入|改造|建设|建成|改扩建|资助|发放|开展|举办"
)
"""Words of a year's accomplishment: the element is a flow (1月至本期), else a stock."""
_RANGE = {
    "人": 5e6,
    "名": 5e6,
    "人次": 5e7,
    "万元": 1e8,
    "元": 1e12,
    "平方米": 1e8,
    "万平方米": 1e4,
}
_AMOUNT = ("元", "万元", "亿元")
_SUBJECTS = {
    "中小学生": "人",
    "学生": "人",
    "在校生": "人",
    "幼儿": "人",
    "儿童少年": "人",
    "儿童": "人",
    "少年": "人",
    "专任教师": "人",
    "教师": "人",
    "校长": "人",
    "毕业生": "人",
    "新生": "人",
    "学校": "所",
    "幼儿园": "所",
    "校舍": "所",
    "班级": "个",
}
_ASSESSED = ("优良", "优秀", "合格", "及格")
"""Grades of a test: their denominator is those tested (体质健康测试学生数)."""


def _code(name: str, used: Set[str]) -> str:
    """plan_ + 8 hex of the name's hash; _2, _3 … when taken (with its element codes)."""
    base = "plan_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    code, n = base, 1
    while any(c in used for c in (code, f"{code}_value", f"{code}_num", f"{code}_den")):
        n += 1
        code = f"{base}_{n}"
    return code


def _subject(stem: str) -> tuple[str, str, str] | None:
    """(prefix, subject, qualifier) of a rate's stem: 学生|体质健康优良, 小学|专任教师|本科以上学历.
    Of overlapping subjects the later one wins (中小学校舍: 校舍, not 学校)."""
    hits = [(m.start(), m.end(), s) for s in _SUBJECTS for m in re.finditer(s, stem)]
    hits.sort(key=lambda h: (h[0], -h[1]))
    for start, end, subj in hits:
        if any(s2 < end and e2 > end for s2, e2, _ in hits if (s2, e2) != (start, end)):
            continue  # a longer or later word overlaps its end
        qualifier = stem[end:]
        if len(qualifier) >= 2:
            return stem[:start], subj, qualifier
    return None


def _rate_parts(name: str) -> tuple[str, str, str] | None:
    """(numerator name, denominator name, count unit) from a rate's wording, or None."""
    s = re.sub(r"[（(][^（）()]*[）)]", "", name)
    share = re.search(r"(所占比例|所占比重|占比|比例|比重|比率)$", s)
    stem = s[: share.start()] if share else s.removesuffix("率")
    if stem == s or not stem:
        return None
    if "占" in stem:  # A占B比例
        a, _, b = stem.partition("占")
        if a and b:
            num, den = (x if x.endswith("数") else x + "数" for x in (a, b))
            return num, den, "人"
    parts = _subject(stem)
    if parts is None:
        return None
    prefix, subj, qualifier = parts
    count_unit = _SUBJECTS[subj]
    grade = next((g for g in _ASSESSED if qualifier.endswith(g)), None)
    if grade is not None:
        attr = qualifier.removesuffix(grade)
        return f"{prefix}{qualifier}{subj}数", f"{prefix}{attr}测试{subj}数", count_unit
    if share is None and qualifier.endswith(("覆盖", "普及", "入学", "入园", "巩固", "配备")):
        return None  # a verb, not a quality of the subject: no good word for who has it
    return f"{prefix}{qualifier}{subj}数", f"{prefix}{subj}数", count_unit


def _element(code: str, name: str, unit: str, temporal: str, names: Set[str]) -> dict[str, Any]:
    if name in names:
        name += "（本计划）"
    return {
        "code": code,
        "name": name,
        "aliases": [],
        "unit": unit,
        "level": "county",
        "kind": "amount" if unit in _AMOUNT else "count",
        "temporal": temporal,
        "range": [0, _RANGE.get(unit, 100_000)],
    }


def plan_indicator(
    name: str, unit: str, comparator: str, used: Set[str], names_in_use: Set[str] = frozenset()
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A plan indicator for a target no library indicator fits, in the target's own words: the
    indicator entry and its county elements, YAML-ready (the caller adds ``origin: plan``).

    A count or amount is one element the counties report and a total over it; a rate is a
    numerator and a denominator element and a ratio × 100. ``used`` holds the codes taken,
    ``names_in_use`` the dictionary's element names (a clash gets 「（本计划）」).
    """
    title = clean_name(name)
    rate = unit in _RATE_UNITS
    if not rate and not title.endswith(("数", "量", "额", "人次")) and unit not in _AMOUNT:
        title += "数"
    code = _code(title, used)
    found = stages(title)
    category = next((c for s, c in _CATEGORY.items() if s in found), "综合")
    entry: dict[str, Any] = {"code": code, "name": title, "aliases": []}
    if rate:
        parts = _rate_parts(title)
        num, den, count_unit = parts or (f"{title}分子：达标数", f"{title}分母：总数", "个")
        elements = [
            _element(f"{code}_num", num, count_unit, "stock", names_in_use),
            _element(f"{code}_den", den, count_unit, "stock", names_in_use),
        ]
        entry |= {
            "kind": "ratio",
            "numerator": f"{code}_num",
            "denominator": f"{code}_den",
            "factor": 100,
            "unit": "%",
            "count_unit": count_unit,
            "temporal": "stock",
            "tolerance": {"points": 1.0},
            "precision": 1,
            "definition": f"{elements[0]['name']}占{elements[1]['name']}的百分比（本计划指标，口径待确认）。",
        }
    else:
        temporal = "flow" if _FLOW.search(title) else "stock"
        stored = "万元" if unit == "亿元" else unit
        elements = [_element(f"{code}_value", title, stored, temporal, names_in_use)]
        when = "本年（1月至本期）累计" if temporal == "flow" else "期末存量"
        entry |= {
            "kind": "total",
            "numerator": f"{code}_value",
            "factor": 0.0001 if unit == "亿元" else 1,
            "unit": unit,
            "temporal": temporal,
            "tolerance": {"share": 0.03 if unit in _AMOUNT else 0.05},
            "precision": 2 if unit == "亿元" else 0,
            "definition": f"{title}，{when}（本计划指标{'，以万元报送、以亿元展示' if unit == '亿元' else ''}）。",
        }
    direction = "lower" if comparator == "<=" else "higher"
    entry |= {"direction": direction, "level": "county", "source": "本计划", "category": category}
    return entry, elements
