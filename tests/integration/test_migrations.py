"""Schema migrations of the read models and private tables (Alembic), on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from tests.conftest import POSTGRES_URL, require_postgres
from tests.helpers import CITIZEN, MODERATOR
from tests.integration.test_projector import snapshot_of_read_models
from tracker.accounts import accounts, private_metadata
from tracker.bootstrap import Tracker, bootstrap, read_model_engine
from tracker.config import Settings, SettingsError, load_settings
from tracker.migrations import current, head, migrate, ours, target_metadata
from tracker.migrations.reproject import reproject
from tracker.projections.base import metadata, positions
from tracker.projections.timeline import entries


def test_a_new_database_is_at_the_newest_revision_and_matches_the_code(
        any_tracker: Tracker) -> None:
    with any_tracker.engine.connect() as conn:
        assert current(conn) == head()
        context = MigrationContext.configure(conn, opts={
            "include_name": ours, "compare_type": True})
        # What autogenerate would write next: nothing, or a model changed without a revision.
        assert compare_metadata(context, target_metadata()) == []  # type: ignore[arg-type]


def test_rebuilt_read_models_still_match_the_code_and_the_revisions(
        any_tracker: Tracker) -> None:
    # On PostgreSQL a rebuild's tables replace the migrated ones: same names, columns,
    # indexes and constraints, or the next revision would be written against a phantom.
    any_tracker.app.submit_issue("One", "", CITIZEN)
    any_tracker.projector.rebuild()
    with any_tracker.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": ours, "compare_type": True})
        assert compare_metadata(context, target_metadata()) == []  # type: ignore[arg-type]
        assert current(conn) == head()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_settings(request: pytest.FixtureRequest, tmp_path: Path,
                   make_tracker: Callable[..., Tracker]) -> Settings:
    """Settings of a database nobody has opened yet (the schema is dropped afterwards)."""
    if request.param == "sqlite":
        (tmp_path / "fresh").mkdir()
        return load_settings(data_dir=tmp_path / "fresh")
    require_postgres()
    # Let make_tracker own (and drop) a schema, then empty it for this test.
    schema = make_tracker("postgres").settings.database_schema
    settings = load_settings(database_url=POSTGRES_URL, database_schema=schema)
    engine = read_model_engine(settings)
    with engine.begin() as conn:
        for name in reversed(inspect(conn).get_table_names()):
            conn.execute(text(f'DROP TABLE "{name}" CASCADE'))
    engine.dispose()
    return settings


def _legacy_database(engine: Engine) -> None:
    """What start-up made before migrations existed, from a build older than passwords:
    every table by create_all, and an accounts table without password_hash."""
    metadata.create_all(engine)
    private_metadata.create_all(engine, tables=[
        t for t in private_metadata.sorted_tables if t.name != "accounts"])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE accounts (id VARCHAR(32) PRIMARY KEY, "
                          "name VARCHAR(100) NOT NULL UNIQUE, role VARCHAR(20) NOT NULL, "
                          "created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)"))
        conn.execute(text("INSERT INTO accounts (id, name, role, created_at) VALUES "
                          "('a1', 'sam', 'secretariat', '2014-07-01 10:00:00')"))
        conn.execute(positions.insert().values(name="issues", position=42))


def test_a_database_made_before_migrations_is_adopted_keeping_its_rows(
        fresh_settings: Settings) -> None:
    engine = read_model_engine(fresh_settings, for_writes=True)
    _legacy_database(engine)
    tracker = bootstrap(fresh_settings)
    try:
        with tracker.engine.connect() as conn:
            assert current(conn) == head()
            columns = {c["name"] for c in inspect(conn).get_columns("accounts")}
            assert "password_hash" in columns
            assert conn.execute(select(accounts.c.name)).scalars().all() == ["sam"]
            assert conn.execute(select(positions.c.position).where(
                positions.c.name == "issues")).scalar_one() == 42
    finally:
        tracker.close()
        engine.dispose()


def test_processes_starting_together_migrate_once_and_all_start(
        fresh_settings: Settings) -> None:
    engines = [read_model_engine(fresh_settings, for_writes=True) for _ in range(4)]
    results: list[object] = []
    start = threading.Barrier(len(engines))

    def starting(engine: Engine) -> None:
        start.wait()
        try:
            results.append(migrate(engine))
        except Exception as error:  # collected: the assertion below names it
            results.append(error)

    threads = [threading.Thread(target=starting, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [head()] * len(engines)
    with engines[0].connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [v for (v,) in versions] == [head()]
    for engine in engines:
        engine.dispose()


def test_a_schema_migrated_by_a_newer_version_is_refused_and_left_alone(
        fresh_settings: Settings) -> None:
    bootstrap(fresh_settings).close()
    engine = read_model_engine(fresh_settings, for_writes=True)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        tables = set(inspect(conn).get_table_names())
    with pytest.raises(SettingsError) as refused:
        bootstrap(fresh_settings)
    assert "9999" in str(refused.value) and "newer" in str(refused.value)
    with engine.connect() as conn:
        assert current(conn) == "9999"
        assert set(inspect(conn).get_table_names()) == tables
    engine.dispose()


def test_a_revision_s_reproject_keeps_the_old_rows_until_the_rebuilt_ones_replace_them(
        any_tracker: Tracker) -> None:
    app = any_tracker.app
    for i in range(3):
        n = app.submit_issue(f"Issue {i}", "", CITIZEN).number
        app.support_issue(n, "s-1", CITIZEN)
        app.hide_issue(n, "Abuse", MODERATOR)
    any_tracker.refresh()
    before = snapshot_of_read_models(any_tracker)
    head_position = any_tracker.projector.position()
    with any_tracker.write_engine.begin() as conn, \
            Operations.context(MigrationContext.configure(conn)):
        reproject("timeline")
    # Nothing is taken away meanwhile: every read model keeps its rows and its position.
    with any_tracker.engine.connect() as conn:
        stored = dict(conn.execute(select(positions.c.name, positions.c.position)).all())
        assert stored["timeline"] == stored["issue_status"] == stored["reference"] \
            == head_position
        assert conn.execute(select(func.count()).select_from(entries)).scalar_one() == 9
    assert snapshot_of_read_models(any_tracker) == before
    # The next worker or web process to start rebuilds beside them and switches.
    assert any_tracker.projector.rebuild_if_requested() == head_position
    assert snapshot_of_read_models(any_tracker) == before
    assert any_tracker.projector.rebuild_if_requested() is None  # asked once, done once
