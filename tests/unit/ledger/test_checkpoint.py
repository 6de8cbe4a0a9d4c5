"""Checkpoints: the log's signed tree head, and the witnesses that cosign it."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tracker.ledger import (
    Checkpoint,
    InvalidSignature,
    MalformedNote,
    UnverifiedNote,
    Verifier,
    generate_signer,
    open_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
)
from tracker.ledger.note import key_id

ORIGIN = "tracker.example.org/log"
LOG = generate_signer(ORIGIN)
ROOT = bytes(range(32))
# From c2sp.org/tlog-checkpoint.
SPEC_BODY = ("example.com/behind-the-sofa\n20852163\n"
             "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


def cosign(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> tuple[str, str]:
    """A witness cosignature line and the witness's vkey, built from c2sp.org/tlog-cosignature."""
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ident = key_id(name, b"\x04" + public)
    message = f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()
    raw = ident.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + key.sign(message)
    encoded = base64.b64encode(b"\x04" + public).decode()
    vkey = f"{name}+{ident:08x}+{encoded}"
    return f"\u2014 {name} {base64.b64encode(raw).decode()}\n", vkey


class TestBody:
    def test_reads_the_spec_example(self) -> None:
        checkpoint = Checkpoint.parse(SPEC_BODY)
        assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
        assert checkpoint.body() == SPEC_BODY

    def test_writes_origin_size_and_base64_root_each_on_its_line(self) -> None:
        body = Checkpoint(ORIGIN, 0, ROOT).body()
        assert body == f"{ORIGIN}\n0\n{base64.b64encode(ROOT).decode()}\n"

    def test_keeps_extension_lines(self) -> None:
        checkpoint = Checkpoint(ORIGIN, 5, ROOT, ("ext one",))
        assert Checkpoint.parse(checkpoint.body()) == checkpoint

    @pytest.mark.parametrize("body", [
        "origin\n1\n", "origin\n01\n" + base64.b64encode(ROOT).decode() + "\n",
        "origin\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
        "origin\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
        "origin\n1\nnot base64!\n", "\n1\n" + base64.b64encode(ROOT).decode() + "\n",
        "origin\n1\n" + base64.b64encode(ROOT).decode(),
        "origin\n1\n" + base64.b64encode(ROOT).decode() + "\n\n",
    ])
    def test_refuses_a_malformed_body(self, body: str) -> None:
        with pytest.raises(MalformedNote):
            Checkpoint.parse(body)


class TestSigned:
    def test_opens_what_it_signs(self) -> None:
        checkpoint = Checkpoint(ORIGIN, 42, ROOT)
        opened = open_checkpoint(sign_checkpoint(checkpoint, LOG), LOG.verifier)
        assert opened.checkpoint == checkpoint
        assert opened.signature.name == ORIGIN
        assert opened.cosignatures == ()

    def test_refuses_a_checkpoint_signed_by_another_key(self) -> None:
        other = generate_signer(ORIGIN)
        with pytest.raises(UnverifiedNote):
            open_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), other), LOG.verifier)

    def test_refuses_a_checkpoint_whose_size_was_changed(self) -> None:
        text = sign_checkpoint(Checkpoint(ORIGIN, 42, ROOT), LOG)
        with pytest.raises(InvalidSignature):
            open_checkpoint(text.replace("\n42\n", "\n43\n"), LOG.verifier)

    def test_refuses_a_checkpoint_for_another_origin(self) -> None:
        text = sign_checkpoint(Checkpoint("elsewhere.example/log", 1, ROOT), LOG)
        with pytest.raises(MalformedNote, match="elsewhere"):
            open_checkpoint(text, LOG.verifier)

    def test_refuses_a_checkpoint_signed_only_by_a_witness(self) -> None:
        witness = generate_signer("witness.example/w1")
        text = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), witness)
        with pytest.raises(UnverifiedNote):
            open_checkpoint(text, LOG.verifier, [witness.verifier])


class TestCosigned:
    def test_reports_a_known_witness_cosignature_with_its_time(self) -> None:
        checkpoint = Checkpoint(ORIGIN, 7, ROOT)
        now = int(time.time())
        line, vkey = cosign(checkpoint.body(), "witness.example/w1", Ed25519PrivateKey.generate(),
                            now)
        opened = open_checkpoint(sign_checkpoint(checkpoint, LOG) + line, LOG.verifier,
                                 [parse_verifier_key(vkey)])
        assert [(s.name, s.timestamp) for s in opened.cosignatures] == [
            ("witness.example/w1", now)]

    def test_ignores_a_cosignature_by_an_unknown_witness(self) -> None:
        checkpoint = Checkpoint(ORIGIN, 7, ROOT)
        line, _ = cosign(checkpoint.body(), "witness.example/w2", Ed25519PrivateKey.generate(),
                         1_700_000_000)
        opened = open_checkpoint(sign_checkpoint(checkpoint, LOG) + line, LOG.verifier)
        assert opened.cosignatures == ()
        assert [s.name for s in opened.unknown] == ["witness.example/w2"]

    def test_refuses_a_known_witness_cosignature_of_another_tree(self) -> None:
        line, vkey = cosign(Checkpoint(ORIGIN, 6, ROOT).body(), "witness.example/w1",
                            Ed25519PrivateKey.generate(), 1_700_000_000)
        text = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), LOG) + line
        with pytest.raises(InvalidSignature, match=r"witness\.example/w1"):
            open_checkpoint(text, LOG.verifier, [parse_verifier_key(vkey)])

    def test_accepts_a_plain_ed25519_cosignature_by_a_known_key(self) -> None:
        checkpoint = Checkpoint(ORIGIN, 7, ROOT)
        mirror = generate_signer("mirror.example/m1")
        body = checkpoint.body()
        line = sign_checkpoint(checkpoint, mirror)[len(body) + 1:]
        opened = open_checkpoint(sign_checkpoint(checkpoint, LOG) + line, LOG.verifier,
                                 [mirror.verifier])
        assert [(s.name, s.timestamp) for s in opened.cosignatures] == [
            ("mirror.example/m1", None)]

    def test_reads_a_cosigner_key_of_type_4(self) -> None:
        _, vkey = cosign("x\n", "witness.example/w1", Ed25519PrivateKey.generate(), 0)
        verifier = parse_verifier_key(vkey)
        assert isinstance(verifier, Verifier) and verifier.type == 4
        assert verifier.vkey == vkey


class TestDocumentedExample:
    def test_verifies_the_checkpoint_shown_in_the_docs(self) -> None:
        lines = (Path(__file__).parents[3] / "docs" / "verification.md").read_text().split("\n")
        start = lines.index("    tracker.example.org/log")
        block = lines[start:start + 5]  # origin, size, root, blank line, signature
        note = "".join(line[4:] + "\n" for line in block)
        vkey = next(line for line in lines if line.startswith("    tracker.example.org/log+"))
        opened = open_checkpoint(note, parse_verifier_key(vkey))
        assert (opened.checkpoint.origin, opened.checkpoint.size) == (
            "tracker.example.org/log", 1234)
