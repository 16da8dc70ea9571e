"""The milestones' names in Chinese and English, for what the server draws and writes (the
timeline chart, the reports' files). The pages have the same names in
``dispatch/web/static/js/milestones.js``; tests/unit/test_milestone_labels.py keeps the two equal.
"""

from __future__ import annotations

from typing import Literal

from dispatch.cases.milestones import MILESTONES
from dispatch.cases.pathways import defined_milestones

Lang = Literal["zh", "en"]

LABELS: dict[str, tuple[str, str]] = {
    "symptom_onset": ("发病", "Symptom onset"),
    "call_received": ("接到呼救", "Call received"),
    "unit_notified": ("派车", "Unit notified"),
    "unit_en_route": ("出车", "Unit en route"),
    "unit_on_scene": ("到达现场", "On scene"),
    "first_medical_contact": ("首次医疗接触", "First medical contact"),
    "first_ecg": ("首份心电图", "First ECG"),
    "ecg_transmitted": ("心电图已传输", "ECG transmitted"),
    "diagnosis": ("确诊", "Diagnosis"),
    "critical_value_reported": ("危急值报告", "Critical value reported"),
    "prealert_sent": ("预警已发送", "Pre-alert sent"),
    "thrombolysis_start": ("开始溶栓", "Thrombolysis started"),
    "unit_left_scene": ("离开现场", "Left the scene"),
    "facility_arrival": ("到达本院（入门）", "Arrived (door-in)"),
    "facility_departure": ("离开本院（出门）", "Departed (door-out)"),
    "cathlab_activated": ("导管室激活", "Cath lab activated"),
    "cathlab_ready": ("导管室就绪", "Cath lab ready"),
    "ed_arrival": ("到达急诊", "ED arrival"),
    "ccu_arrival": ("到达CCU", "CCU arrival"),
    "troponin_drawn": ("肌钙蛋白抽血", "Troponin drawn"),
    "troponin_result": ("肌钙蛋白出结果", "Troponin result"),
    "cathlab_arrival": ("到达导管室", "Cath lab arrival"),
    "ct_start": ("开始CT", "CT started"),
    "ct_read": ("CT判读", "CT read"),
    "arterial_puncture": ("动脉穿刺", "Arterial puncture"),
    "wire_crossing": ("导丝通过", "Wire crossing"),
    "recanalization": ("再通", "Recanalization"),
    "handover": ("交接", "Handover"),
    "unit_available": ("车辆可用", "Unit available"),
}


def milestone_label(milestone: str, lang: Lang) -> str:
    """The milestone's name in the language (the pathway file's own milestones by their labels
    there; an unknown one as it is)."""
    pair = LABELS.get(milestone)
    if pair is None:
        defined = defined_milestones().get(milestone)
        if defined is None:
            return milestone
        pair = (defined.label_zh, defined.label_en)
    return pair[0] if lang == "zh" else pair[1]


def unlabelled() -> list[str]:
    """Milestones of the vocabulary without a name here (empty: every one has both)."""
    return [m for m in MILESTONES if m not in LABELS]
