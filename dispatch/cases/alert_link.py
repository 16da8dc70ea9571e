"""The one door from alerts to cases: what an alert needs to know about its case, the
milestones an alert stamps (``prealert_sent`` when sent, ``ecg_transmitted`` when it carries an
ECG, ``cathlab_activated`` on activation), and who may receive a pathway's alert (the
``receivers`` of the pathway data)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from alerts.service import CaseFacts, CaseLink
from dispatch.cases import actions as case_actions
from dispatch.cases import events as case_events
from dispatch.cases.exceptions import CaseClosed
from dispatch.cases.hooks import CaseHooks
from dispatch.cases.pathways import Pathway, load_pathways


async def facts(db: AsyncSession, case_id: int) -> CaseFacts | None:
    """The case's facts for a new alert or ECG, the case locked for the transaction first: the
    stamp the alert makes locks it too, and taking it before the streams' heads keeps the
    order every writer uses (the case, then the heads), so no two can deadlock."""
    record = await case_actions.locked_record(db, case_id)
    if record is None:
        return None
    case, stamps, moved = record.case, record.stamps, record.transferred
    if case.status == "closed":  # facts are asked for a new alert only
        raise CaseClosed(f"case {case.id} is closed: it takes no new alerts")
    assigned = case.ambulance_id if case.ambulance_released_at is None else None
    return CaseFacts(
        pathway=case.pathway,
        facility_ids=frozenset(case_events.facilities_on(case, stamps, moved)),
        ambulance_id=assigned,
        drill=case.drill,
        eta_minutes=case.eta_minutes,
        complaint=case.complaint,
        patient_age=case.patient_age,
        patient_sex=case.patient_sex,
    )


# What an alert or an ECG reading stamps only while the case has none (live): the first ECG
# sent ahead is the transmission, the first reading the diagnosis; a second alert with an ECG,
# a second ECG read, or a retry, adds nothing.
ONCE_PER_CASE = frozenset({"ecg_transmitted", "diagnosis"})


def case_link(hooks: CaseHooks) -> CaseLink:
    """The link the app gives alerts; its stamps run the app's case hooks (the read model)."""

    async def stamp(
        db: AsyncSession,
        case_id: int,
        milestone: str,
        at: datetime,
        by: str,
        facility_id: str | None,
    ) -> None:
        # Locked by ``facts`` earlier in this transaction (an alert's send, an ECG's), its
        # events are all the case's; else locked now only for a once-per-case milestone (an
        # answer has locked its alert and its streams' heads, which a stamp at the door takes
        # after the case: locking the case after them could deadlock with it).
        record = case_events.remembered(db, case_id) or await case_actions.locked_record(
            db, case_id, lock=milestone in ONCE_PER_CASE
        )
        if record is None:
            return
        case, events = record.case, list(record.events)
        if case.status == "closed":  # an activation after the close
            raise CaseClosed(f"case {case.id} is closed: it takes no new time stamps")
        if milestone in ONCE_PER_CASE:
            stamps = case_events.stamps_of(events)
            if any(s.milestone == milestone and not s.superseded for s in stamps):
                return
        await case_events.stamp(
            db, case, milestone, at, "alert", by, facility_id, hooks=hooks, events=events
        )

    return CaseLink(facts=facts, stamp=stamp, receivers=receivers_from(load_pathways))


def receivers_from(
    pathways: Callable[[], Mapping[str, Pathway]],
) -> Callable[[str], frozenset[str] | None]:
    """The pathway's receiving capabilities, read from the pathway data (None: no such pathway)."""

    def receivers(pathway_id: str) -> frozenset[str] | None:
        pathway = pathways().get(pathway_id)
        return None if pathway is None else pathway.receivers.capabilities

    return receivers
