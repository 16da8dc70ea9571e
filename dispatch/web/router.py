"""Serving the pages, their static files, and the one unauthenticated thing they need first.

- ``/`` (the list of pages), ``/console``, ``/field``, ``/cathlab/{facility_id}``,
  ``/cathlab/{facility_id}/pad``, ``/reports``:
  HTML pages from ``pages/``, each with a strict Content-Security-Policy (same origin only; the
  optional map tile host is the one exception, for images).
- ``/static/...``: ``static/`` (JavaScript modules, CSS, the vendored Leaflet), revalidated on
  every load so an upgraded server never runs with old scripts.
- ``GET /api/v1/web/config``: ``{synthetic, show_demo_logins, tile_url, tile_attribution,
  heartbeat_seconds, wall_alarm_repeat_seconds, wall_silence_seconds, time_zone, pathways,
  text_limits, delay_reasons, milestone_defs}``
  — before sign-in, so every page can say it shows synthetic data (and the wall its alarm);
  ``pathways``: ``[{id, name_zh, name_en, milestones, receivers_need}]`` (``receivers_need``:
  what a receiving facility needs one of for the pathway's alerts: a capability, or
  ``kind:<facility kind>``); ``milestone_defs``: ``[{name, label_zh, label_en, in_facility,
  stamped_by}]``, the milestones the pathway file defines (a new pathway's own time stamps are
  named, and have their buttons, on every page);
  ``text_limits``: ``{complaint, summary, stamp_note, stamp_reason, answer_note,
  cancel_reason, delay_note}`` → the longest text the API takes (the pages clamp and count
  against it); ``delay_reasons``: ``[{code, label_zh, label_en}]``, the coded list of reasons
  for a missed target (``dispatch/cases/delay_reasons.py``, the one copy).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exists, select
from starlette.responses import Response
from starlette.types import Scope

from dispatch.cases import delay_reasons
from dispatch.cases.pathways import defined_milestones, load_pathways
from dispatch.settings import Settings
from dispatch.web.text_limits import text_limits
from units.deps import SessionDep
from units.models import Facility

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
STATIC = HERE / "static"

router = APIRouter(include_in_schema=False)
# A page's facility id in its path: a facility's slug, or 422.
FacilityInPath = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
api = APIRouter(prefix="/api/v1/web", tags=["web"])


def tile_source(tile_url: str | None) -> str:
    """The CSP source of the tile server (``{s}`` subdomains become a wildcard), or ``''``."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def content_security_policy(settings: Settings) -> str:
    """Scripts, styles and connections from this server only; images also from the tile host."""
    sources = ("'self'", "data:", "blob:", tile_source(settings.map_tile_url))
    images = " ".join(source for source in sources if source)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; media-src 'self' blob: data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


def page(request: Request, name: str) -> FileResponse:
    """One HTML page, never cached without revalidation."""
    settings: Settings = request.app.state.settings
    return FileResponse(
        PAGES / f"{name}.html",
        media_type="text/html; charset=utf-8",
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": content_security_policy(settings),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.api_route("/", methods=["GET", "HEAD"])
async def index(request: Request) -> FileResponse:
    """The list of the four pages."""
    return page(request, "index")


@router.api_route("/console", methods=["GET", "HEAD"])
async def console(request: Request) -> FileResponse:
    """The dispatcher console."""
    return page(request, "console")


@router.api_route("/field", methods=["GET", "HEAD"])
async def field(request: Request) -> FileResponse:
    """The field app of ambulance crews and township units."""
    return page(request, "field")


@router.api_route("/cathlab/{facility_id}", methods=["GET", "HEAD"])
async def cathlab(
    request: Request,
    facility_id: FacilityInPath,
) -> FileResponse:
    """The alert wall screen of a receiving facility's cath-lab or stroke team."""
    return page(request, "cathlab")


@router.api_route("/cathlab/{facility_id}/pad", methods=["GET", "HEAD"])
async def milestone_pad(
    request: Request,
    facility_id: FacilityInPath,
) -> FileResponse:
    """The receiving hospital's milestone pad (its own times, for a tablet in the cath lab)."""
    return page(request, "pad")


@router.api_route("/ecg", methods=["GET", "HEAD"])
async def ecg(request: Request) -> FileResponse:
    """The county ECG centre's reading page (issue 16)."""
    return page(request, "ecg")


@router.api_route("/reports", methods=["GET", "HEAD"])
async def reports(request: Request) -> FileResponse:
    """The time-audit reports."""
    return page(request, "reports")


@api.get("/config")
async def config(request: Request, db: SessionDep) -> dict[str, Any]:
    """What a page needs before sign-in: whether the demo is loaded, the map tiles, timings."""
    settings: Settings = request.app.state.settings
    synthetic = bool(await db.scalar(select(exists().where(Facility.synthetic.is_(True)))))
    return {
        "synthetic": synthetic,
        # The sign-in form names the demo logins only off production (issue 12, finding 2).
        "show_demo_logins": synthetic and settings.env != "production",
        "tile_url": settings.map_tile_url,
        "tile_attribution": settings.map_tile_attribution,
        "heartbeat_seconds": settings.heartbeat_seconds,
        "wall_alarm_repeat_seconds": settings.wall_alarm_repeat_seconds,
        "wall_silence_seconds": settings.wall_silence_seconds,
        "time_zone": settings.time_zone,
        "pathways": [
            {
                "id": pathway.id,
                "name_zh": pathway.name_zh,
                "name_en": pathway.name_en,
                "milestones": pathway.milestones,
                "receivers_need": sorted(pathway.receivers.capabilities),
            }
            for pathway in load_pathways().values()
        ],
        "text_limits": text_limits(),
        # the pathway file's own milestones (their names; the core ones are in the pages)
        "milestone_defs": [m.model_dump() for m in defined_milestones().values()],
        "delay_reasons": delay_reasons.coded_list(),
    }


class RevalidatedStaticFiles(StaticFiles):
    """Static files that the browser revalidates (ETag) on every load."""

    def file_response(
        self,
        full_path: os.PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install(app: FastAPI) -> None:
    """Add the pages, ``/api/v1/web/config`` and ``/static`` to the app."""
    app.include_router(router)
    app.include_router(api)
    app.mount("/static", RevalidatedStaticFiles(directory=STATIC), name="static")
