"""The report as JSON and as tables (rows with headers in Chinese or English) for CSV and Excel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dispatch.cases import delay_reasons
from dispatch.reports.catalogue import MetricDef
from dispatch.reports.metrics import Figures
from dispatch.reports.names import finding_text, pathway_name
from dispatch.reports.service import CaseFact, CaseRow, MetricReport, Report
from dispatch.reports.trends import trend

Lang = Literal["zh", "en"]
Table = tuple[list[str], list[list[Any]]]

HEADERS: dict[str, tuple[str, str]] = {
    "pathway": ("路径", "Pathway"),
    "metric": ("指标", "Metric"),
    "metric_id": ("指标代码", "Metric id"),
    "group": ("分组", "Group"),
    "month": ("月份", "Month"),
    "facility": ("机构", "Facility"),
    "facility_id": ("机构代码", "Facility id"),
    "n": ("例数", "n"),
    "mean": ("均值(分钟)", "Mean (min)"),
    "median": ("中位数(分钟)", "Median (min)"),
    "p90": ("第90百分位(分钟)", "P90 (min)"),
    "compliance": ("达标率", "Compliance"),
    "target": ("目标", "Target"),
    "outside": ("未达标例数", "Outside target"),
    "missing": ("缺失时间点", "Missing stamps"),
    "judgement": ("是否达到考核要求", "Meets the accreditation target"),
    "case_id": ("病例编号", "Case id"),
    "ref_at": ("首次医疗接触时间", "First medical contact"),
    "minutes": ("分钟", "Minutes"),
    "met": ("达标", "Met"),
    "findings": ("数据质量问题", "Data-quality findings"),
    "out_of_order": ("时间顺序错误", "Out of order"),
    "clock_skew": ("时钟偏差", "Clock skew"),
    "corrections": ("更正", "Corrections"),
    "count": ("数量", "Count"),
}
GROUP_NAMES = {
    "total": ("全部", "All"),
    "month": ("按月", "By month"),
    "facility": ("按机构", "By facility"),
}
YES_NO = {True: ("是", "yes"), False: ("否", "no"), None: ("", "")}


def header(key: str, lang: Lang) -> str:
    zh, en = HEADERS[key]
    return zh if lang == "zh" else en


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def target_text(metric: MetricDef, lang: Lang) -> str:
    """The metric's targets as one short phrase."""
    parts = []
    if metric.kind == "rate":
        if metric.target_minutes is not None:
            parts.append(f"≤ {metric.target_minutes:g} min")
        if metric.rate_at_least is not None:
            parts.append(f"≥ {metric.rate_at_least:.0%}")
        return ", ".join(parts)
    if metric.target_minutes is not None:
        sign = "≤" if metric.met_if == "le" else "<"
        parts.append(f"{sign} {metric.target_minutes:g} min")
    if metric.mean_below is not None:
        parts.append(("月均值 < " if lang == "zh" else "mean < ") + f"{metric.mean_below:g}")
    if metric.mean_at_most is not None:
        parts.append(("月均值 ≤ " if lang == "zh" else "mean ≤ ") + f"{metric.mean_at_most:g}")
    if metric.compliance_at_least is not None:
        parts.append(
            ("达标率 ≥ " if lang == "zh" else "compliance ≥ ") + f"{metric.compliance_at_least:.0%}"
        )
    if metric.aim_minutes is not None:
        parts.append(("力争 ≤ " if lang == "zh" else "aim ≤ ") + f"{metric.aim_minutes:g}")
    return ", ".join(parts)


def meets(metric: MetricDef, figures: Figures) -> dict[str, bool | None]:
    """Whether the figures meet the metric's report targets (None: no such target or no data)."""
    compliance = figures.compliance
    mean_ok = None
    if metric.mean_below is not None and figures.mean is not None:
        mean_ok = figures.mean < metric.mean_below
    if metric.mean_at_most is not None and figures.mean is not None:
        mean_ok = figures.mean <= metric.mean_at_most  # a mean exactly on the target meets it
    share = metric.compliance_at_least if metric.kind == "interval" else metric.rate_at_least
    share_ok = None if share is None or compliance is None else compliance >= share
    return {"mean": mean_ok, "compliance": share_ok}


def overall(metric: MetricDef, figures: Figures) -> bool | None:
    """All of the metric's report targets met (None: it has none, or no data)."""
    verdicts = [v for v in meets(metric, figures).values() if v is not None]
    return all(verdicts) if verdicts else None


def figures_json(metric: MetricDef, figures: Figures) -> dict[str, Any]:
    return {
        "n": figures.n,
        "mean": _round(figures.mean),
        "median": _round(figures.median),
        "p90": _round(figures.p90),
        "compliance": _round(figures.compliance, 4),
        "judged": figures.judged,
        "met": figures.met,
        "outside_target": figures.outside,
        "missing": figures.missing,
        "negative": figures.negative,
        "meets": meets(metric, figures),
    }


def metric_json(item: MetricReport, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    m, groups = item.metric, item.groups
    return {
        "pathway": m.pathway,
        "name": m.name,
        "kind": m.kind,
        "label_zh": m.label_zh,
        "label_en": m.label_en,
        "combines": list(m.members),
        "target": m.rate_at_least
        if m.kind == "rate" and m.target_minutes is None
        else m.target_minutes,
        "target_minutes": m.target_minutes,
        "met_if": m.met_if,
        "report_targets": {
            "mean_below": m.mean_below,
            "mean_at_most": m.mean_at_most,
            "compliance_at_least": m.compliance_at_least,
            "aim_minutes": m.aim_minutes,
            "rate_at_least": m.rate_at_least,
        },
        **figures_json(m, groups.total),
        "by_month": [
            {"month": month.isoformat()[:7], **figures_json(m, f)}
            for month, f in sorted(groups.by_month.items())
        ],
        "trend": trend(m.kind == "rate", groups.by_month),
        "by_facility": [
            {
                "facility_id": fid,
                "name_zh": names.get(fid or "", ("未归属", ""))[0],
                "name_en": names.get(fid or "", ("", "unattributed"))[1],
                **figures_json(m, f),
            }
            for fid, f in sorted(groups.by_facility.items(), key=lambda kv: kv[0] or "")
        ],
        "worst": [
            {
                "case_id": w.case_id,
                "minutes": _round(w.minutes),
                "target_minutes": w.target_minutes,
                "facility_id": w.facility_id,
                "ref_at": w.ref_at.isoformat(),
            }
            for w in item.worst
        ],
    }


def delay_json(fact: CaseFact) -> dict[str, str] | None:
    """A missed fact's delay reason ``{code, label_zh, label_en, note}``; None if none yet."""
    if fact.delay_code is None:
        return None
    label_zh, label_en = delay_reasons.label(fact.delay_code)
    return {
        "code": fact.delay_code, "label_zh": label_zh, "label_en": label_en,
        "note": fact.delay_note,
    }  # fmt: skip


def case_json(case: CaseRow, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "pathway": case.pathway,
        "facility_id": case.facility_id,
        "ref_at": case.ref_at.isoformat(),
        "month": case.ref_at.astimezone(zone).strftime("%Y-%m"),
        "intervals": [
            {
                "name": f.name,
                "leg": f.leg,
                "facility_id": f.facility_id,
                "minutes": _round(f.minutes),
                "target_minutes": f.target_minutes,
                "met": f.met,
                "delay_reason": delay_json(f),
            }
            for f in case.facts
        ],
        "findings": list(case.findings),
    }


def report_json(report: Report) -> dict[str, Any]:
    """The whole report as the API's JSON."""
    scope = report.scope
    zone = ZoneInfo(scope.time_zone)
    body: dict[str, Any] = {
        "report": "intervals",
        "period": {
            "from": scope.start.isoformat(),
            "to": scope.end.isoformat(),
            "time_zone": scope.time_zone,
        },
        "filters": {
            "pathway": scope.pathway,
            "facility_id": scope.facility_id,
            "drill": scope.drill,
        },
        "generated_at": report.generated_at.isoformat(),
        "case_count": report.case_count,
        "metrics": [metric_json(item, report.facilities) for item in report.metrics],
        "quality": dict(report.quality),
        "delay_reasons": [
            {
                "pathway": pathway,
                "name": name,
                "code": code,
                "label_zh": delay_reasons.label(code)[0],
                "label_en": delay_reasons.label(code)[1],
                "n": n,
            }
            for pathway, name, code, n in report.delays
        ],
    }
    if report.cases is not None:
        body["cases"] = [case_json(c, zone) for c in report.cases]
        body["quality"]["listed"] = [
            {"case_id": c.case_id, "findings": list(c.findings)} for c in report.cases if c.findings
        ]
    return body


def _facility(report: Report, fid: str | None, lang: Lang) -> str:
    if fid is None:
        return "未归属" if lang == "zh" else "unattributed"
    return pick(report.facilities.get(fid, (fid, fid)), lang)


def _figure_cells(f: Figures) -> list[Any]:
    return [
        f.n,
        _round(f.mean),
        _round(f.median),
        _round(f.p90),
        _round(f.compliance, 4),
        f.outside,
        f.missing,
    ]


FIGURE_KEYS = ("n", "mean", "median", "p90", "compliance", "outside", "missing")


def metric_labels(report: Report, lang: Lang) -> dict[str, str]:
    """Each metric's name in the language, by its id."""
    return {m.metric.name: m.metric.label(lang) for m in report.metrics}


def findings_text(findings: list[str], lang: Lang, labels: dict[str, str]) -> str:
    """A case's findings joined: Chinese words for ``zh``, the codes for ``en``."""
    return "; ".join(finding_text(f, lang, labels) for f in findings)


def summary_table(report: Report, lang: Lang) -> Table:
    """One row per metric and group (whole period, each month, each facility); the metric's id
    only in English (a Chinese file carries no codes)."""
    with_id = lang == "en"
    keys = (
        "pathway",
        *(("metric_id",) if with_id else ()),
        "metric",
        "group",
        "month",
        "facility",
        "target",
        *FIGURE_KEYS,
        "judgement",
    )
    rows: list[list[Any]] = []
    for item in report.metrics:
        m = item.metric

        def row(
            group: str, month: date | None, fid: str | None, f: Figures, m: MetricDef = m
        ) -> list[Any]:
            return [
                pathway_name(m.pathway, lang), *([m.name] if with_id else []), m.label(lang),
                pick(GROUP_NAMES[group], lang),
                month.isoformat()[:7] if month else "",
                _facility(report, fid, lang) if group == "facility" else "",
                target_text(m, lang), *_figure_cells(f), pick(YES_NO[overall(m, f)], lang),
            ]  # fmt: skip

        rows.append(row("total", None, None, item.groups.total))
        for month, f in sorted(item.groups.by_month.items()):
            rows.append(row("month", month, None, f))
        for fid, f in sorted(item.groups.by_facility.items(), key=lambda kv: kv[0] or ""):
            rows.append(row("facility", None, fid, f))
    return [header(k, lang) for k in keys], rows


def case_columns(report: Report) -> list[tuple[str, int]]:
    """The (metric, leg) columns of the case table, in report order."""
    order = {m.metric.name: i for i, m in enumerate(report.metrics)}
    seen = {(f.name, f.leg) for c in report.cases or [] for f in c.facts}
    return sorted(seen, key=lambda nl: (order.get(nl[0], len(order)), nl[0], nl[1]))


def case_table(report: Report, lang: Lang) -> Table:
    """One row per case: its minutes (or rate flag) per metric, whether met, its findings."""
    zone = ZoneInfo(report.scope.time_zone)
    columns = case_columns(report)
    labels = metric_labels(report, lang)
    heads = [header(k, lang) for k in ("case_id", "pathway", "month", "facility", "ref_at")]
    for name, leg in columns:
        label = labels.get(name, name) + (f" #{leg + 1}" if leg else "")
        heads += [f"{label} ({header('minutes', lang)})", f"{label} ({header('met', lang)})"]
    heads.append(header("findings", lang))
    rows = []
    for case in report.cases or []:
        cells = {(f.name, f.leg): f for f in case.facts}
        local = case.ref_at.astimezone(zone)
        row: list[Any] = [
            case.case_id, pathway_name(case.pathway, lang), local.strftime("%Y-%m"),
            _facility(report, case.facility_id, lang), local.strftime("%Y-%m-%d %H:%M:%S"),
        ]  # fmt: skip
        for key in columns:
            fact = cells.get(key)
            row += (
                [None, ""] if fact is None else [_round(fact.minutes), pick(YES_NO[fact.met], lang)]
            )
        row.append(findings_text(case.findings, lang, labels))
        rows.append(row)
    return heads, rows


def outside_rows(report: Report, lang: Lang) -> Iterator[list[Any]]:
    """The worst cases outside target, per metric."""
    for item in report.metrics:
        for w in item.worst:
            yield [
                item.metric.label(lang), w.case_id, _round(w.minutes), w.target_minutes,
                _facility(report, w.facility_id, lang),
                w.ref_at.astimezone(ZoneInfo(report.scope.time_zone)).strftime("%Y-%m-%d %H:%M"),
            ]  # fmt: skip


def outside_table(report: Report, lang: Lang) -> Table:
    keys = ("metric", "case_id", "minutes", "target", "facility", "ref_at")
    return [header(k, lang) for k in keys], list(outside_rows(report, lang))


def findings_table(report: Report, lang: Lang) -> Table:
    """Counts of data-quality findings, then each case that has any."""
    keys = ("case_id", "facility", "ref_at", "findings")
    zone = ZoneInfo(report.scope.time_zone)
    labels = metric_labels(report, lang)
    rows: list[list[Any]] = []
    for case in report.cases or []:
        if case.findings:
            local = case.ref_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            rows.append(
                [
                    case.case_id,
                    _facility(report, case.facility_id, lang),
                    local,
                    findings_text(case.findings, lang, labels),
                ]
            )
    return [header(k, lang) for k in keys], rows


def quality_table(report: Report, lang: Lang) -> Table:
    keys = ("missing", "out_of_order", "clock_skew", "corrections")
    q = report.quality
    heads = [header("findings", lang), header("count", lang)]
    rows: list[list[Any]] = [[header(k, lang), q[k]] for k in keys]
    return heads, rows
