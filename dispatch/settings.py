"""The one settings class. Every value can be set by an ``INFOFIRST_`` environment variable."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.network import DEFAULT_SPEEDS_KMH

# Secrets that were ever published (in the source or in deploy/env.example) and anything that
# looks like a placeholder: refused in every mode (a token signed with one could be forged).
KNOWN_PUBLIC_SECRETS = frozenset({"infofirst-dev-secret-not-for-production-use"})
PLACEHOLDER_MARKERS = ("change-me", "changeme", "replace-me", "your-secret", "placeholder")
MIN_SECRET_LENGTH = 32


def secret_problem(secret: str) -> str | None:
    """Why a signing secret is refused (published, a placeholder, too short), or None."""
    lowered = secret.strip().lower()
    if secret in KNOWN_PUBLIC_SECRETS:
        return "is a published development secret"
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "is a placeholder"
    if len(secret.strip()) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    return None


Environment = Literal["dev", "demo", "test", "production"]


def _loopback_networks() -> list[IPv4Network | IPv6Network]:
    return [IPv4Network("127.0.0.1/32"), IPv6Network("::1/128")]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INFOFIRST_", env_file=".env", extra="ignore")

    env: Environment = "dev"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # Signs the bearer tokens. Unset: the key file (generated on first start, 0600) is used.
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path("var/secret.key")
    token_issuer: str = Field(default="infofirst", min_length=1)
    token_audience: str = Field(default="infofirst-api", min_length=1)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1, le=7 * 24 * 60)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_positions_per_batch: int = Field(default=1000, ge=1)
    max_future_seconds: int = Field(
        default=600, ge=0, description="How far past the server clock a reported time may be."
    )
    # The service area: coordinates outside it are rejected (default: China's extent).
    service_area: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)
    time_zone: str = "Asia/Shanghai"
    # Roads and travel times.
    road_speeds_kmh: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SPEEDS_KMH))
    access_speed_kmh: float = Field(
        default=10.0, gt=0, description="Speed of the leg between a point and its road."
    )
    max_snap_m: float = Field(
        default=2000.0, gt=0, description="Farther than this from every road: outside the map."
    )
    road_reload_seconds: float = Field(default=10.0, gt=0)
    coverage_margin_m: float = Field(default=800.0, ge=0)
    # Alerts: delivery and escalation.
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Browser origins allowed to open alert websockets (same-origin always is).",
    )
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    # On SIGTERM, connections still open after this long (a screen that stopped reading keeps
    # its socket from flushing) are cut: screens reconnect to another process and replay.
    shutdown_grace_seconds: float = Field(default=5.0, gt=0)
    ws_queue_size: int = Field(default=256, ge=1)
    alert_poll_seconds: float = Field(default=2.0, gt=0)
    listener_check_seconds: float = Field(default=5.0, gt=0)
    alert_ack_timeout_seconds: float = Field(default=60.0, gt=0)
    escalation_reminder_seconds: float = Field(default=60.0, gt=0)
    escalation_check_seconds: float = Field(default=1.0, gt=0)
    escalation_webhook_url: str | None = None
    # Background loops (listener, escalator, road watcher) run under one supervisor: a loop that
    # fails is restarted after a pause doubling from the initial one up to the maximum, back to
    # the initial one once a run lasted the healthy time.
    loop_backoff_initial_seconds: float = Field(default=0.1, gt=0)
    loop_backoff_max_seconds: float = Field(default=30.0, gt=0)
    loop_healthy_seconds: float = Field(default=60.0, gt=0)
    # The web pages' map: the network's own roads, facilities and drive-time areas are always
    # drawn; a tile layer underneath only if a URL is set (county intranets have no internet).
    map_tile_url: str | None = Field(
        default=None, description="e.g. http://tiles.county.lan/{z}/{x}/{y}.png; none by default"
    )
    map_tile_attribution: str = ""
    # Decision support thresholds (docs/domain.md, "Decision rules"; JSON, e.g.
    # {"stemi_pci_limit_minutes": 120}): plain numbers here; the app factory builds the
    # decision rules' config from them at startup and refuses unknown names and bad values.
    decision: dict[str, float] = Field(default_factory=dict)
    # --- Part B, login throttling (issue 12, finding 3; units/login_policy.py) ---
    login_account_max_failures: int = Field(
        default=5, ge=1, description="failed sign-ins of one account within the window that lock it"
    )
    login_address_max_failures: int = Field(
        default=20,
        ge=1,
        description="failed sign-ins from one address within the window that lock it",
    )
    login_window_seconds: float = Field(
        default=86400,
        gt=0,
        description="how far back an account's failed sign-ins count (a long window lets the "
        "lockout grow: each further failure after a lockout locks again)",
    )
    login_address_window_seconds: float = Field(
        default=900, gt=0, description="how far back an address's failed sign-ins count"
    )
    login_lockout_seconds: float = Field(
        default=900, gt=0, description="the first lockout; it doubles at each further multiple"
    )
    login_max_lockout_seconds: float = Field(default=86400, gt=0, description="the longest lockout")
    login_workers: int = Field(
        default=2, ge=1, description="threads checking passwords (argon2) off the event loop"
    )
    login_queue: int = Field(
        default=8, ge=0, description="password checks that may wait for a thread; more get 503"
    )
    login_per_address: int = Field(
        default=1, ge=1, description="password checks one address may have in flight; more: 429"
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="proxies trusted for X-Forwarded-For (uvicorn's forwarded_allow_ips, e.g. "
        "127.0.0.1); the client address throttled is then the proxy's client; none: the peer",
    )
    # --- Issue 12, part c ---
    report_max_period_days: int = Field(
        default=1827, ge=1, le=36500, description="the longest period a report covers (days)"
    )

    # --- Issue 12: sessions and websockets (units/sessions.py, units/ws_tickets.py) ---
    session_max_days: float = Field(
        default=30,
        gt=0,
        description="a session renewed again and again ends this long after "
        "its sign-in (wall screens and tablets renew their token before it expires)",
    )
    ws_ticket_seconds: float = Field(
        default=30, gt=0, le=600, description="how long a one-time websocket ticket is good for"
    )
    ws_session_check_seconds: float = Field(
        default=15,
        gt=0,
        description="how often an open websocket checks its session (signed out, password "
        "changed, user disabled: closed with code 4401); at its expiry it is closed at once",
    )

    # --- Issue 12, part s ---
    ops_networks: list[IPvAnyNetwork] = Field(
        default_factory=_loopback_networks,
        description="client networks (CIDR, JSON list) that may read /readyz, /metrics and the "
        "API docs without signing in as admin; loopback only by default",
    )
    escalation_webhook_secret: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key signing the escalation webhook's body (required with a "
        "webhook URL in production)",
    )
    escalation_webhook_ca_file: str | None = Field(
        default=None,
        description="PEM file of the CA(s) to trust for the webhook's https certificate (e.g. "
        "the county's own CA); none: the system's trust store",
    )

    # --- Issue 12, part e ---
    migration_database_url: str | None = Field(
        default=None,
        description="the schema owner's database URL, used by `infofirst db upgrade` (and "
        "`db grant-app-role`); default: database_url",
    )
    audit_enabled: bool = Field(
        default=True, description="write the audit trail; false only for the bench's baseline"
    )
    wall_alarm_repeat_seconds: float = Field(
        default=20,
        gt=0,
        le=600,
        description="the wall screen rings again this often while an alert is unanswered",
    )
    wall_silence_seconds: float = Field(
        default=120,
        gt=0,
        le=3600,
        description="a silenced wall screen rings again after this long if still unanswered",
    )

    # --- Issue 13, the dispatcher console ---
    stale_case_hours: float = Field(
        default=24,
        gt=0,
        description="an active case with no stamp, transfer or change for this long is flagged "
        "stale on the console, for the dispatcher to close or cancel",
    )

    # --- Issue 16, the county's ECG reading network ---
    ecg_unread_escalation_seconds: float = Field(
        default=180,
        gt=0,
        description="an ECG sent for reading and still unread after this long escalates to the "
        "readers, the dispatchers and the escalation webhook; then every "
        "INFOFIRST_ESCALATION_REMINDER_SECONDS until it is read",
    )

    # --- Issue 17, the GPS track partitioned by month ---
    gps_track_retention_months: int = Field(
        default=13,
        ge=1,
        le=120,
        description="a GPS fix is kept at least this many months after it was received (and at "
        "most one more): `infofirst db track-partitions` drops the older months",
    )
    gps_track_months_ahead: int = Field(
        default=3,
        ge=1,
        le=24,
        description="monthly partitions of the GPS track made ahead of time",
    )
    report_database_url: str | None = Field(
        default=None,
        description="where the reports read (e.g. the standby: a multi-host URL with "
        "target_session_attrs=prefer-standby); read-only; unset: the main database. An "
        "unreachable one falls back to the main database",
    )
    road_cache_dir: Path | None = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "infofirst-road-cache",
        description="where the road import and the server write the travel-time engine's arrays "
        "(one directory per stored network) for every server process to memory-map; empty: "
        "each process builds its own copy",
    )
    # 60 s, not a few: a tablet sends a GPS fix every 10 s on a session of its own, so an entry
    # kept 5 s was gone at each next fix and every fix read its session (a statement, a round
    # trip and an ORM row); what ends a session reaches every process by the NOTIFY, not by
    # this expiry, which only bounds how long an entry outlives its use.
    session_cache_seconds: float = Field(
        default=60,
        ge=0,
        le=600,
        description="how long a process may reuse a signed-in session it read, while its "
        "listener is connected: a sign-out, a password change or a disabled user reaches every "
        "process at once by a NOTIFY (units/session_cache.py); 0: every request reads it",
    )

    @property
    def migration_url(self) -> str:
        """The URL migrations run with: the owner's."""
        return self.migration_database_url or self.database_url

    @field_validator("road_cache_dir", mode="before")
    @classmethod
    def _no_road_cache_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _audit_always_in_production(self) -> Settings:
        if self.env == "production" and not self.audit_enabled:
            raise ValueError("INFOFIRST_AUDIT_ENABLED cannot be false in production")
        return self

    @model_validator(mode="after")
    def _refuse_public_secret(self) -> Settings:
        if self.secret_key is not None:
            problem = secret_problem(self.secret_key.get_secret_value())
            if problem is not None:
                raise ValueError(f"INFOFIRST_SECRET_KEY {problem}: set a random secret")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
