"""Settings: one class, read from ``TRACKER_*`` environment variables."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.domain.status import Clocks


class SettingsError(Exception):
    """A setting is wrong; the message is one line that names it."""


class Settings(BaseSettings):
    """Everything the tracker can be told from outside. See README.md, "Settings"."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    # PostgreSQL only: a schema of its own, e.g. for tests or several trackers in one database.
    database_schema: str = "public"
    base_url: str = "http://localhost:8000"
    organisation: str = Field(default="Citizens' Assembly Tracker", min_length=1,
                              max_length=120)
    # An image (URL or /static path) shown before the organisation's name; neutral default.
    logo_url: str = ""
    silent_days: int = Field(default=60, ge=1, le=3650)
    # Owners are reminded by e-mail this many days before a commitment is due.
    remind_days: int = Field(default=14, ge=1, le=365)
    # The Board's response is due this many days after the assembly that discussed an issue
    # (or after a revised response was asked for, or its support reached the threshold).
    response_days: int = Field(default=90, ge=1, le=3650)
    # A body an issue is referred to owes its answer this many days after the referral.
    referral_days: int = Field(default=60, ge=1, le=3650)
    # The meeting page dates a commitment this many months after the Board meeting, unless
    # the secretariat chooses another term or date.
    commitment_months: int = Field(default=3, ge=1, le=120)
    # Supporters at which an issue is owed a Board response, discussed or not.
    response_threshold: int = Field(default=100, ge=1, le=10_000_000)
    # Signs supporter ids (and links in mails); made and kept under the data dir if unset.
    secret_key: str = ""
    # Public commands per client (limits notation, e.g. "5/minute").
    rate_submit: str = "5/minute"
    rate_support: str = "30/minute"
    # "Was it delivered?" answers per client (each still counts once per commitment).
    rate_answer: str = "30/minute"
    # Staff login attempts per client: slows password guessing to a crawl.
    rate_login: str = "10/minute"
    # Follow-by-e-mail requests per client, and confirmation mails per address per day.
    rate_follow: str = "10/hour"
    follow_confirmations_per_day: int = Field(default=3, ge=1, le=100)
    # Mail for following by e-mail; with no SMTP host the follow form is not offered.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False  # upgrade a plain connection (port 587)
    smtp_tls: bool = False  # TLS from the start (port 465)
    smtp_timeout: float = Field(default=10.0, gt=0, le=300)
    mail_from: str = "tracker@localhost"
    # Reverse proxies whose X-Forwarded-For is believed: addresses and CIDR networks,
    # separated by commas. Empty: none; a client is the address it connects from.
    trusted_proxies: str = ""
    # The largest request body the API accepts, in bytes.
    max_body_bytes: int = Field(default=65_536, ge=1_024, le=10_000_000)
    # The largest evidence file (PDF, PNG, JPEG) staff may upload, in bytes.
    max_file_bytes: int = Field(default=10_000_000, ge=1_024, le=100_000_000)
    # How long a write's Idempotency-Key is kept (and a repeat answered from it), in hours.
    idempotency_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Each web process keeps rendered pages in memory up to this many bytes (0: none).
    page_cache_bytes: int = Field(default=32 * 1024 * 1024, ge=0, le=2**36)
    # `tracker serve`: a request's headers must arrive within header_timeout seconds of the
    # connection opening (or of the previous answer on it), and its body within
    # body_timeout seconds of the headers; slower or silent clients are disconnected.
    header_timeout: float = Field(default=10.0, gt=0, le=60)
    body_timeout: float = Field(default=30.0, gt=0, le=600)
    # Requests in progress per web process; one more is answered 503 at once. Open
    # connections per process are held to twice this (more wait in the kernel's queue).
    concurrency_limit: int = Field(default=500, ge=1, le=100_000)
    # One line per request on standard output, buffered and written off the request path.
    # Off by default: it costs a tenth to a fifth of a cached page's answer, and the proxy
    # in front of a public server logs every request anyway.
    access_log: bool = False
    # Where `tracker worker` keeps a static copy of the public site current (empty: none).
    publish_dir: Path | None = None
    # Embedded mode: how often the server looks for events written by other processes.
    poll_seconds: float = Field(default=1.0, gt=0, le=3600)
    # `tracker worker` is woken by a write: on PostgreSQL by a LISTEN on the event log, on
    # SQLite by the database file's data_version. Turn off behind a pooler that cannot
    # LISTEN (PgBouncer in transaction mode); the worker then polls.
    worker_subscribe: bool = True
    # The verifiable log (docs/verification.md): its name in checkpoints (default: the
    # site's address without scheme, and /log) and its Ed25519 signing key, a
    # PRIVATE+KEY+... string (default: made once in the data directory as log.key, 0600).
    log_origin: str = ""
    log_key: str = ""

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in (
                "sqlite", "postgresql", "postgres", "postgresql+psycopg"):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("rate_submit", "rate_support", "rate_answer", "rate_login", "rate_follow")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("must look like 5/minute or 100/hour") from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in value.replace(",", " ").split():
            try:
                ipaddress.ip_network(part)
            except ValueError:
                raise ValueError(f"{part!r} is not an address or a network such as "
                                 "10.0.0.0/8") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http(s) address such as https://example.org")
        return value.rstrip("/")

    @field_validator("log_origin")
    @classmethod
    def _key_name(cls, value: str) -> str:
        if value and (any(c.isspace() for c in value) or "+" in value):
            raise ValueError("must have no spaces and no plus sign, e.g. example.org/log")
        return value

    @field_validator("database_schema")
    @classmethod
    def _plain_schema(cls, value: str) -> str:
        if not value.replace("_", "").isalnum() or not value[0].isalpha():
            raise ValueError("must be letters, digits and underscores, starting with a letter")
        return value.lower()

    @property
    def clocks(self) -> Clocks:
        """How long the Board has to respond, and a referred body to answer."""
        return Clocks(self.response_days, self.referral_days)

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.database_url).scheme.startswith("postgres")

    @property
    def event_store_path(self) -> Path:
        """The SQLite file of the event store (embedded mode)."""
        if self.database_url:
            return Path(urlsplit(self.database_url).path.removeprefix("/") or "tracker.db")
        return self.data_dir / "events.db"

    @property
    def read_model_url(self) -> str:
        """Where the read models live: beside the event store.

        With SQLite they get a file of their own so that a projection catching up never
        holds the lock that writers of events need.
        """
        if self.is_postgres:
            parts = urlsplit(self.database_url)
            return parts._replace(scheme="postgresql+psycopg").geturl()
        path = self.event_store_path
        return f"sqlite:///{path.with_name(path.stem + '-read.db')}"


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning any mistake into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = "TRACKER_" + "_".join(str(p) for p in first["loc"]).upper()
        raise SettingsError(f"{name}: {first['msg']}") from None
