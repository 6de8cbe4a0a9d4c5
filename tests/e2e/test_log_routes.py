"""The verifiable log over HTTP: checkpoint, key, tiles, words and proofs of the demo."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tracker.ledger import (
    TILE_WIDTH,
    entry_leaf_hash,
    open_checkpoint,
    parse_entry_bundle,
    parse_verifier_key,
    root_of,
    tile_hashes,
    verify_consistency,
    verify_inclusion,
)
from tracker.site_log import check_words


def checkpoint(demo: TestClient) -> tuple[int, bytes]:
    key = parse_verifier_key(demo.get("/log/key").text.strip())
    signed = open_checkpoint(demo.get("/log/checkpoint").text, key)
    return signed.checkpoint.size, signed.checkpoint.root


class TestCheckpoint:
    def test_is_signed_by_the_published_key_and_never_cached_stale(
            self, demo: TestClient) -> None:
        response = demo.get("/log/checkpoint")
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["cache-control"] == "no-cache"
        size, _ = checkpoint(demo)
        assert size > 50  # every public entry of the demo

    def test_names_the_site_as_the_log_s_origin(self, demo: TestClient) -> None:
        assert demo.get("/log/checkpoint").text.startswith("localhost:8000/log\n")


def _tiles(size: int) -> list[tuple[str, int]]:
    """The level-0 tiles of a tree of this size: (path, width), the last one partial."""
    full, rest = divmod(size, TILE_WIDTH)
    tiles = [(f"{i:03d}", TILE_WIDTH) for i in range(full)]
    return tiles + ([(f"{full:03d}.p/{rest}", rest)] if rest else [])


class TestTiles:
    def test_the_leaves_in_the_tiles_make_the_signed_root_and_each_entry_its_leaf(
            self, demo: TestClient) -> None:
        size, root = checkpoint(demo)
        assert size > TILE_WIDTH and size % TILE_WIDTH  # the demo: full tiles and a partial
        leaves = []
        for path, width in _tiles(size):
            tile = demo.get(f"/log/tile/0/{path}")
            assert tile.status_code == 200
            assert tile.headers["cache-control"] == "public, max-age=31536000, immutable"
            hashes = tile_hashes(tile.content, width)
            bundle = parse_entry_bundle(demo.get(f"/log/tile/entries/{path}").content)
            assert [entry_leaf_hash(e) for e in bundle] == hashes
            leaves += hashes
        assert root_of(leaves) == root

    def test_the_words_match_the_commitments_in_the_entries(self, demo: TestClient) -> None:
        size, _ = checkpoint(demo)
        for n, (path, _width) in enumerate(_tiles(size)):
            bundle = parse_entry_bundle(demo.get(f"/log/tile/entries/{path}").content)
            lines = demo.get(f"/log/words/{n}").text.splitlines()
            assert lines
            for line in lines:
                words = json.loads(line)
                entry = json.loads(bundle[words["leaf"] - n * TILE_WIDTH])
                assert check_words(entry, words) is None

    def test_a_narrower_partial_tile_is_the_first_hashes(self, demo: TestClient) -> None:
        whole = demo.get("/log/tile/0/000").content
        assert demo.get("/log/tile/0/000.p/3").content == whole[:96]

    def test_a_tile_the_log_does_not_have_is_404_and_a_bad_path_422_naming_it(
            self, demo: TestClient) -> None:
        missing = demo.get("/log/tile/0/009")
        assert missing.status_code == 404 and missing.json()["field"] == "path"
        assert missing.headers.get("cache-control") != "public, max-age=31536000, immutable"
        for bad in ("0/1", "0/000.p/256", "0/x000/001", "entries/abc", "99/000"):
            response = demo.get(f"/log/tile/{bad}")
            assert response.status_code == 422, bad
            assert response.json()["field"] == "path"
        assert demo.get("/log/words/5").status_code == 404


class TestProofs:
    def test_an_inclusion_proof_leads_from_the_entry_to_the_signed_root(
            self, demo: TestClient) -> None:
        size, root = checkpoint(demo)
        for entry in (0, 7, size - 1):
            body = demo.get(f"/api/v1/log/proof/{entry}").json()
            leaf = base64.b64decode(body["leaf_hash"])
            assert body["leaf_entry"]["position"] == body["position"]
            proof = [base64.b64decode(h) for h in body["proof"]]
            verify_inclusion(entry, size, leaf, proof, root)
            assert body["tree_size"] == size

    def test_an_entry_s_proof_can_be_asked_for_by_its_event_position(
            self, demo: TestClient) -> None:
        by_leaf = demo.get("/api/v1/log/proof/5").json()
        by_position = demo.get(f"/api/v1/log/positions/{by_leaf['position']}/proof").json()
        assert by_position == by_leaf
        missing = demo.get("/api/v1/log/positions/0/proof")
        assert missing.status_code == 404 and missing.json()["field"] == "position"

    def test_an_inclusion_proof_in_an_older_tree(self, demo: TestClient) -> None:
        body = demo.get("/api/v1/log/proof/3?size=10").json()
        proof = [base64.b64decode(h) for h in body["proof"]]
        verify_inclusion(3, 10, base64.b64decode(body["leaf_hash"]), proof,
                         base64.b64decode(body["root_hash"]))

    def test_a_consistency_proof_between_two_sizes(self, demo: TestClient) -> None:
        size, root = checkpoint(demo)
        body = demo.get("/api/v1/log/consistency?from=13").json()
        assert body["to"] == size and base64.b64decode(body["to_root"]) == root
        verify_consistency(13, size, base64.b64decode(body["from_root"]), root,
                           [base64.b64decode(h) for h in body["proof"]])

    def test_bad_sizes_are_refused_naming_the_field(self, demo: TestClient) -> None:
        size, _ = checkpoint(demo)
        cases = {f"/api/v1/log/proof/{size}": (404, "entry"),
                 "/api/v1/log/proof/-1": (404, "entry"),
                 f"/api/v1/log/proof/0?size={size + 1}": (422, "size"),
                 "/api/v1/log/proof/0?size=x": (422, "size"),
                 "/api/v1/log/consistency?from=5&to=4": (422, "from"),
                 f"/api/v1/log/consistency?from=1&to={size + 1}": (422, "to"),
                 "/api/v1/log/consistency": (422, "from"),
                 "/api/v1/log/consistency?from=-1": (422, "from")}
        for url, (status, field) in cases.items():
            response = demo.get(url)
            assert response.status_code == status, url
            assert field in json.dumps(response.json()), url


def test_the_demo_s_log_verifies_over_http_with_its_upper_tiles(demo: TestClient) -> None:
    from tracker.verify_command import verify_source

    outcome = verify_source(lambda p: demo.get(f"/log/{p}").content, None)
    assert outcome.ok, outcome.lines
    assert demo.get("/log/tile/1/000.p/1").status_code == 200
