"""The decision support's sentences, in English and Chinese, by reason code."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "awaiting_diagnosis": (
        "No diagnosis yet (time zero): predictions count from now.",
        "尚未确诊（零点）：预计从现在起算。",
    ),
    "elapsed": ("{elapsed} min since the diagnosis.", "确诊已过{elapsed}分钟。"),
    "door_out_remaining": (
        "{inside} min at a non-PCI facility: {remaining} min left of the expected {expected}.",
        "已在非PCI医院{inside}分钟：预期{expected}分钟出门，还需{remaining}分钟。",
    ),
    "pci_unreachable": ("{name}: not reachable by road.", "{name}：道路不可达。"),
    "pci_own_median": (
        "{name}: road {road} + own median door-to-wire {d2w} ({cases} cases) = {predicted} min.",
        "{name}：路程{road} + 本院中位门-导丝{d2w}（{cases}例）= {predicted}分钟。",
    ),
    "pci_prior": (
        "{name}: road {road} + prior door-to-wire {d2w} ({cases} cases < {min_cases}) "
        "= {predicted} min.",
        "{name}：路程{road} + 先验门-导丝{d2w}（{cases}例 < {min_cases}）= {predicted}分钟。",
    ),
    "onset_unknown": ("Onset time unknown.", "发病时间不详。"),
    "killip_unknown": ("Killip class unknown.", "Killip分级未知。"),
    "onset_over_limit": (
        "Onset {hours} h ago (> {limit} h): no thrombolysis.",
        "发病{hours}小时（> {limit}小时）：不溶栓。",
    ),
    "late_pci_indicated": (
        "Late presentation with {signs}: primary PCI.",
        "晚就诊但有{signs_zh}：直接PCI。",
    ),
    "late_stable_no_activation": (
        "Onset {limit}-{stable} h ago and stable: no emergency cath-lab activation; angiography "
        "at a PCI centre may be considered.",
        "发病{limit}-{stable}小时且病情稳定：不紧急启动导管室；可考虑至PCI中心造影。",
    ),
    "late_stable_none": (
        "Onset {hours} h ago (> {stable} h) and stable: no emergency reperfusion.",
        "发病{hours}小时（> {stable}小时）且病情稳定：不行急诊再灌注。",
    ),
    "killip_shock_or_failure": (
        "Killip class {killip} (shock or acute heart failure): primary PCI whatever the delay.",
        "Killip {killip}级（休克或急性心衰）：无论延误均直接PCI。",
    ),
    "pci_busy": (
        "{name}: cath lab busy, not offered.",
        "{name}：导管室忙，不推荐。",
    ),
    "pci_not_24_7": (
        "{name}: no 24/7 PCI, not offered out of hours.",
        "{name}：非24小时PCI，非工作时间不推荐。",
    ),
    "no_pci_no_lysis": (
        "No PCI centre reachable, and no thrombolysis after the onset limit: arrange a transfer.",
        "无可达PCI中心，且超过发病时限不溶栓：安排转运。",
    ),
    "lysis_contraindicated": ("Thrombolysis contraindicated: primary PCI.", "溶栓禁忌：直接PCI。"),
    "no_pci_reachable": (
        "No PCI centre reachable by road: consider thrombolysis, arrange a transfer.",
        "无可达PCI中心：考虑溶栓并安排转运。",
    ),
    "within_limit": (
        "Best: {name}, {predicted} min ≤ {limit} min limit.",
        "最佳：{name}，{predicted}分钟 ≤ {limit}分钟时限。",
    ),
    "over_limit": (
        "Best: {name}, {predicted} min > {limit} min limit.",
        "最佳：{name}，{predicted}分钟 > {limit}分钟时限。",
    ),
    "no_lysis_unit": ("No thrombolysis unit reachable: primary PCI.", "无可达溶栓单位：直接PCI。"),
    "activate_cathlab": (
        "Primary PCI at {name}: activate the cath lab from the field, bypass the ED.",
        "{name}直接PCI：院前启动导管室，绕行急诊。",
    ),
    "thrombolysis_first": (
        "Thrombolysis at {name} (road {road} min, door-to-needle ≤ {target} min), then "
        "immediate transfer to {pci}.",
        "在{name}溶栓（路程{road}分钟，入门至溶栓 ≤ {target}分钟），随即转运至{pci}。",
    ),
    "scale_missing": ("No LVO scale score given.", "未提供大血管闭塞评分。"),
    "lvo_positive": (
        "{scale} {score} ≥ {threshold}: LVO likely.",
        "{scale} {score} ≥ {threshold}：提示大血管闭塞。",
    ),
    "lvo_negative": (
        "{scale} {score} < {threshold}: LVO not suggested.",
        "{scale} {score} < {threshold}：不提示大血管闭塞。",
    ),
    "lkw_missing": ("Last known well unknown.", "最后正常时间未知。"),
    "windows": (
        "Last known well {hours} h ago: lysis window {lysis} h {lysis_state}, thrombectomy "
        "window {lvo} h {lvo_state}.",
        "最后正常{hours}小时前：溶栓窗{lysis}小时{lysis_zh}，取栓窗{lvo}小时{lvo_zh}。",
    ),
    "extra_minutes": (
        "Thrombectomy centre {evt} adds {extra} min over {ivt} (allowed {allowed}).",
        "取栓中心{evt}比{ivt}多{extra}分钟（允许{allowed}）。",
    ),
    "no_stroke_centre": ("No stroke centre reachable by road.", "无可达卒中中心。"),
    "only_thrombectomy_centre": (
        "No other thrombolysis centre reachable: {name}.",
        "无其他可达溶栓中心：{name}。",
    ),
    "direct_to_thrombectomy": (
        "LVO likely, in window: directly to {name}.",
        "疑大血管闭塞且在时间窗内：直送{name}。",
    ),
    "drip_and_ship": (
        "Nearest thrombolysis centre {name}, then transfer to {evt} (drip and ship).",
        "最近溶栓中心{name}，再转{evt}取栓（溶栓-转运）。",
    ),
    "past_lysis_window": (
        "Past the {lysis} h lysis window, no lysis possible: straight to {name}.",
        "已过{lysis}小时溶栓窗，无法溶栓：直送{name}。",
    ),
    "advanced_imaging": (
        "Beyond {hours} h: thrombectomy needs advanced imaging (CTP/MRI) to select.",
        "超过{hours}小时：取栓需高级影像（CTP/MRI）筛选。",
    ),
    "arrives_past_lysis_window": (
        "{name} would be reached {arrival} h after last known well, past the {lysis} h lysis "
        "window: lyse at the nearest centre first.",
        "到达{name}时距最后正常{arrival}小时，超过{lysis}小时溶栓窗：先就近溶栓。",
    ),
    "nearest_thrombolysis": ("Nearest thrombolysis centre {name}.", "最近溶栓中心{name}。"),
}
