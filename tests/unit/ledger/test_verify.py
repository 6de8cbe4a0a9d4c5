"""What `tracker verify` checks, from the outside, with the first entry that differs."""

from __future__ import annotations

from typing import Any

from tracker.ledger import (
    Checkpoint,
    MemoryHashStore,
    TreeHead,
    canonical_json,
    changed_tiles,
    entry_bundle,
    entry_leaf_hash,
    generate_signer,
    sign_checkpoint,
    tile_bytes,
    verify_log,
)

ORIGIN = "tracker.example.org/log"
KEY = generate_signer(ORIGIN)


def entries(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"entry": i, "kind": "Issue.Submitted", "title": f"Issue {i}"}
            for i in range(start, start + n)]


class Log:
    """A log as its operator publishes it: tiles, bundles and a checkpoint per growth."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records: list[dict[str, Any]] = []
        self.store = MemoryHashStore()
        self.files: dict[str, bytes] = {}
        self.grow(records)

    def grow(self, records: list[dict[str, Any]]) -> None:
        old = self.store.size
        for record in records:
            self.records.append(record)
            self.store.append(entry_leaf_hash(record))
        for tile in changed_tiles(old, self.store.size):
            self.files[tile.path] = tile_bytes(self.store, tile)
            if tile.level == 0:
                first = tile.index * 256
                self.files[tile.bundle.path] = entry_bundle(
                    [canonical_json(r) for r in self.records[first:first + tile.width]])
        self.checkpoint = sign_checkpoint(
            Checkpoint(ORIGIN, self.store.size, self.store.root()), KEY)

    def given(self) -> list[tuple[int, dict[str, Any]]]:
        return list(enumerate(self.records))


def check(log: Log, given: list[tuple[int, Any]] | None = None, **options: Any) -> Any:
    return verify_log(log.checkpoint, KEY.verifier.vkey,
                      log.given() if given is None else given, log.files.__getitem__, **options)


class TestAnHonestLog:
    def test_accepts_every_entry_and_reports_progress_per_entry(self) -> None:
        log = Log(entries(600))
        seen: list[tuple[int, int]] = []
        report = check(log, progress=lambda done, total: seen.append((done, total)))
        assert report.ok, report.problem
        assert report.entries_checked == 600 and report.withheld == 0
        assert seen == [(i, 600) for i in range(1, 601)]
        assert report.tree_head == TreeHead(600, log.store.root())
        assert len(report.leaves) == 600 * 32

    def test_accepts_entries_given_as_canonical_bytes(self) -> None:
        log = Log(entries(20))
        assert check(log, [(i, canonical_json(r)) for i, r in log.given()]).ok

    def test_accepts_a_hidden_entry_withheld_under_its_leaf(self) -> None:
        log = Log(entries(20))
        report = check(log, [(i, r) for i, r in log.given() if i != 3])
        assert report.ok and report.entries_checked == 19 and report.withheld == 1

    def test_accepts_a_log_that_extends_the_tree_seen_before(self) -> None:
        log = Log(entries(300))
        before = check(log)
        log.grow(entries(700, start=300))
        report = check(log, previous=before.tree_head, previous_leaves=before.leaves)
        assert report.ok, report.problem
        assert check(log, previous=before.tree_head).ok

    def test_counts_entries_newer_than_the_checkpoint_without_failing(self) -> None:
        log = Log(entries(10))
        report = check(log, [*log.given(), (10, {"entry": 10}), (11, {"entry": 11})])
        assert report.ok and report.beyond == 2

    def test_reports_the_witnesses_that_cosigned(self) -> None:
        log = Log(entries(5))
        witness = generate_signer("witness.example/w1")
        body = Checkpoint(ORIGIN, 5, log.store.root()).body()
        log.checkpoint += sign_checkpoint(Checkpoint.parse(body), witness)[len(body) + 1:]
        report = check(log, witnesses=[witness.verifier.vkey])
        assert report.ok
        assert [s.name for s in report.checkpoint.cosignatures] == ["witness.example/w1"]


class TestATamperedLog:
    def test_refuses_a_checkpoint_signed_by_another_key(self) -> None:
        log = Log(entries(5))
        log.checkpoint = sign_checkpoint(Checkpoint(ORIGIN, 5, log.store.root()),
                                         generate_signer(ORIGIN))
        report = check(log)
        assert not report.ok and report.problem.kind == "signature"

    def test_names_the_first_entry_that_does_not_match_its_leaf(self) -> None:
        log = Log(entries(40))
        given = log.given()
        given[9] = (9, {**given[9][1], "title": "Issue nine, reworded"})
        given[5] = (5, {**given[5][1], "title": "Issue five, reworded"})
        report = check(log, given)
        assert (report.problem.kind, report.problem.first_index) == ("entry", 5)
        assert report.leaves == b""

    def test_names_an_entry_that_cannot_be_canonicalised(self) -> None:
        log = Log(entries(5))
        given = log.given()
        given[2] = (2, {"entry": float("nan")})
        report = check(log, given)
        assert (report.problem.kind, report.problem.first_index) == ("entry", 2)

    def test_names_the_first_block_the_signed_tree_no_longer_vouches_for(self) -> None:
        log = Log(entries(600))
        # Entry 300 rewritten with its level-0 tile, the tiles above left as signed.
        forged = Log([*log.records[:300], {"entry": 300, "title": "rewritten"},
                      *log.records[301:]])
        log.files["tile/0/001"] = forged.files["tile/0/001"]
        report = check(log, forged.given())
        assert (report.problem.kind, report.problem.first_index) == ("root", 256)

    def test_names_the_first_rewritten_entry_against_the_leaves_kept_last_time(self) -> None:
        log = Log(entries(10))
        before = check(log)
        rewritten = Log([*log.records[:4], {"entry": 4, "title": "rewritten"},
                         *log.records[5:], *entries(10, start=10)])
        report = check(rewritten, previous=before.tree_head, previous_leaves=before.leaves)
        assert (report.problem.kind, report.problem.first_index) == ("history", 4)

    def test_detects_a_rewritten_history_from_the_tree_head_alone(self) -> None:
        log = Log(entries(10))
        before = check(log)
        rewritten = Log([*log.records[:4], {"entry": 4, "title": "rewritten"},
                         *log.records[5:], *entries(10, start=10)])
        report = check(rewritten, previous=before.tree_head)
        assert report.problem.kind == "history" and report.problem.first_index is None

    def test_refuses_a_log_that_went_back_to_a_smaller_tree(self) -> None:
        log = Log(entries(10))
        larger = Log(entries(20))
        report = check(log, previous=check(larger).tree_head)
        assert report.problem.kind == "history"

    def test_refuses_kept_leaves_that_do_not_make_the_kept_tree_head(self) -> None:
        log = Log(entries(10))
        before = check(log)
        report = check(log, previous=before.tree_head, previous_leaves=before.leaves[:-32])
        assert report.problem.kind == "state"

    def test_reports_a_missing_tile_with_the_first_entry_it_holds(self) -> None:
        log = Log(entries(600))
        del log.files["tile/0/001"]
        report = check(log)
        assert (report.problem.kind, report.problem.first_index) == ("tiles", 256)

    def test_refuses_entries_out_of_order(self) -> None:
        log = Log(entries(10))
        given = log.given()
        given[3], given[4] = given[4], given[3]
        report = check(log, given)
        assert (report.problem.kind, report.problem.first_index) == ("entries", 3)
