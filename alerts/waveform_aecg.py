"""An HL7 annotated ECG (the FDA's aECG: XML, ``urn:hl7-org:v3``, root ``AnnotatedECG``) read as
a ``Waveform`` (pure, no I/O): the first rhythm series' sequence set, its time sequence giving
the sampling rate, its lead sequences (``MDC_ECG_LEAD_*``, ``origin + scale × digits``) in mV.

The XML is parsed by defusedxml with DTDs forbidden: no entity, internal or external, is ever
expanded or fetched (an XXE or "billion laughs" file is refused before anything is read).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from alerts.waveforms import MAX_CHANNELS, MAX_SAMPLES, Samples, Unreadable, Waveform, assemble
from alerts.waveforms import lead_name as lead_of_code

NS = "urn:hl7-org:v3"
ROOT = f"{{{NS}}}AnnotatedECG"
_SET = f"./{{{NS}}}component/{{{NS}}}series/{{{NS}}}component/{{{NS}}}sequenceSet"
_TO_MV = {"uV": 1e-3, "mV": 1.0, "V": 1e3}
_TO_S = {"s": 1.0, "ms": 1e-3}
MAX_DIGITS_TEXT = MAX_SAMPLES * 12  # characters of one lead's digits: far more than enough


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def read_aecg(content: bytes) -> Waveform:
    """The 12-lead waveform of an aECG file, or ``Unreadable`` saying why it is none."""
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Unreadable(
            f"declares a DTD or entities ({type(exc).__name__}): refused, an aECG needs neither"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise Unreadable(f"does not parse as XML ({exc})") from exc
    if root.tag != ROOT:
        raise Unreadable(f"has the root {root.tag!r}, not {ROOT!r}")
    sequence_set = root.find(_SET)
    if sequence_set is None:
        raise Unreadable("has no series of leads (component/series/component/sequenceSet)")
    sequences = sequence_set.findall(f"./{_tag('component')}/{_tag('sequence')}")
    if len(sequences) > 2 * MAX_CHANNELS:
        raise Unreadable(f"has {len(sequences)} sequences in a series: at most {2 * MAX_CHANNELS}")
    rate_hz: float | None = None
    found: dict[str, Samples] = {}
    for sequence in sequences:
        code = _attr(sequence.find(_tag("code")), "code")
        value = sequence.find(_tag("value"))
        if value is None:
            continue
        if code.startswith("TIME_"):
            rate_hz = _rate(value)
            continue
        lead = lead_of_code(code)
        if lead is not None and lead not in found:
            found[lead] = _samples(value, lead)
    if rate_hz is None:
        raise Unreadable("has no time sequence (TIME_ABSOLUTE or TIME_RELATIVE) giving its rate")
    return assemble(found, rate_hz)


def _attr(element: Element | None, name: str) -> str:
    return "" if element is None else element.get(name, "").strip()


def _number(element: Element | None, units: dict[str, float], what: str) -> float:
    """A physical quantity (``value`` and ``unit`` attributes) in the unit ``units`` maps to 1."""
    unit = _attr(element, "unit")
    if unit not in units:
        raise Unreadable(f"gives its {what} in {unit or 'no unit'!s}: one of {', '.join(units)}")
    try:
        number = float(_attr(element, "value"))
    except ValueError as exc:
        raise Unreadable(f"gives its {what} as no number") from exc
    if not np.isfinite(number):
        raise Unreadable(f"gives its {what} as no finite number")
    return number * units[unit]


def _rate(value: Element) -> float:
    increment = _number(value.find(_tag("increment")), _TO_S, "time increment")
    if increment <= 0:
        raise Unreadable(f"has a time increment of {increment:g} s")
    return 1.0 / increment


def _samples(value: Element, lead: str) -> Samples:
    origin = _number(value.find(_tag("origin")), _TO_MV, f"lead {lead} origin")
    scale = _number(value.find(_tag("scale")), _TO_MV, f"lead {lead} scale")
    digits = value.find(_tag("digits"))
    text = "" if digits is None or digits.text is None else digits.text
    if len(text) > MAX_DIGITS_TEXT:
        raise Unreadable(f"has more than {MAX_SAMPLES} samples in lead {lead}")
    tokens = text.split()
    if len(tokens) > MAX_SAMPLES:
        raise Unreadable(f"has {len(tokens)} samples in lead {lead}: at most {MAX_SAMPLES}")
    try:
        numbers = np.array(tokens, dtype=np.float64)
    except ValueError as exc:
        raise Unreadable(f"has digits in lead {lead} that are not numbers") from exc
    return np.asarray(origin + scale * numbers, dtype=np.float64)
