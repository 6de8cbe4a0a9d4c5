"""The log's key: made once, kept private, the same for every process that starts."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from tracker.ledger import (
    InvalidKey,
    KeyFileError,
    generate_signer,
    key_from_setting,
    load_or_create_key,
)

NAME = "tracker.example.org/log"


def _race(path: str, barrier: multiprocessing.synchronize.Barrier,
          out: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    out.put(load_or_create_key(Path(path), NAME)[1].vkey)


class TestKeyFile:
    def test_makes_a_key_readable_by_its_owner_only(self, tmp_path: Path) -> None:
        path = tmp_path / "secrets" / "log.key"
        signer, verifier = load_or_create_key(path, NAME)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() == signer.skey
        assert verifier == signer.verifier and verifier.name == NAME

    def test_keeps_the_same_key_on_the_next_start(self, tmp_path: Path) -> None:
        path = tmp_path / "log.key"
        assert load_or_create_key(path, NAME)[1] == load_or_create_key(path, NAME)[1]

    def test_gives_processes_starting_together_one_key(self, tmp_path: Path) -> None:
        path = tmp_path / "log.key"
        context = multiprocessing.get_context("fork")
        barrier, out = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_race, args=(str(path), barrier, out))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        keys = {out.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert len(keys) == 1
        assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind

    def test_refuses_a_key_file_others_can_read(self, tmp_path: Path) -> None:
        path = tmp_path / "log.key"
        load_or_create_key(path, NAME)
        path.chmod(0o644)
        with pytest.raises(KeyFileError, match="chmod 600"):
            load_or_create_key(path, NAME)

    def test_refuses_a_key_file_made_for_another_log(self, tmp_path: Path) -> None:
        path = tmp_path / "log.key"
        load_or_create_key(path, "other.example/log")
        with pytest.raises(KeyFileError, match=r"other\.example/log"):
            load_or_create_key(path, NAME)

    def test_refuses_a_key_file_holding_no_key(self, tmp_path: Path) -> None:
        path = tmp_path / "log.key"
        path.write_text("PRIVATE+KEY+garbage\n")
        path.chmod(0o600)
        with pytest.raises(KeyFileError, match="usable"):
            load_or_create_key(path, NAME)


class TestKeySetting:
    def test_takes_the_key_from_a_setting_string(self) -> None:
        signer = generate_signer(NAME)
        got, verifier = key_from_setting(signer.skey)
        assert got.skey == signer.skey and verifier == signer.verifier

    def test_refuses_a_verifier_key_given_as_the_signing_key(self) -> None:
        with pytest.raises(InvalidKey):
            key_from_setting(generate_signer(NAME).verifier.vkey)
