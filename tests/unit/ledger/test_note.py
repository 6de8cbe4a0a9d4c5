"""Signed notes, against the examples of Go's sumdb/note package and of C2SP signed-note."""

from __future__ import annotations

import base64

import pytest

from tracker.ledger import (
    InvalidKey,
    InvalidSignature,
    MalformedNote,
    UnverifiedNote,
    generate_signer,
    open_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)
from tracker.ledger.note import key_id

# From golang.org/x/mod/sumdb/note (note.go's package example and note_test.go, BSD-3).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
             "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG"
             "01oOTGwnWLox33WWd1RvMc+QQ=\n")
# From c2sp.org/signed-note, "Verifier keys: Example".
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1"
             "YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")

PETER = parse_verifier_key(PETER_VKEY)
ENOCH = parse_verifier_key(ENOCH_VKEY)


class TestKeys:
    def test_reads_the_go_example_keys_as_one_pair(self) -> None:
        signer = parse_signer_key(PETER_SKEY)
        assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
        assert signer.verifier == PETER
        assert signer.verifier.vkey == PETER_VKEY
        assert signer.skey == PETER_SKEY

    def test_derives_the_key_id_from_name_newline_type_and_key(self) -> None:
        assert key_id(PETER.name, b"\x01" + PETER.public_key) == 0xC74F20A3

    def test_makes_new_keys_that_read_back(self) -> None:
        signer = generate_signer("tracker.example.org/log")
        assert parse_signer_key(signer.skey).verifier == signer.verifier
        assert parse_verifier_key(signer.verifier.vkey) == signer.verifier

    def test_refuses_every_shortened_or_altered_verifier_key(self) -> None:
        # As note_test.go's TestNewVerifier: every substring and every one-byte change.
        for i in range(len(PETER_VKEY)):
            for j in range(i + 1, len(PETER_VKEY) + 1):
                if (i, j) != (0, len(PETER_VKEY)):
                    with pytest.raises(InvalidKey):
                        parse_verifier_key(PETER_VKEY[i:j])
            altered = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1:]
            with pytest.raises(InvalidKey):
                parse_verifier_key(altered)

    def test_refuses_every_shortened_or_altered_signer_key(self) -> None:
        for i in range(len(PETER_SKEY)):
            for j in range(i + 1, len(PETER_SKEY) + 1):
                if (i, j) != (0, len(PETER_SKEY)):
                    with pytest.raises(InvalidKey):
                        parse_signer_key(PETER_SKEY[i:j])
            altered = PETER_SKEY[:i] + chr(ord(PETER_SKEY[i]) + 1) + PETER_SKEY[i + 1:]
            with pytest.raises(InvalidKey):
                parse_signer_key(altered)

    @pytest.mark.parametrize("vkey", [
        # From note_test.go: a wrong-length key and an unknown algorithm, ids adjusted.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ])
    def test_refuses_a_key_of_the_wrong_length_or_type(self, vkey: str) -> None:
        with pytest.raises(InvalidKey):
            parse_verifier_key(vkey)

    @pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there"])
    def test_refuses_a_key_name_with_a_space_or_a_plus(self, name: str) -> None:
        with pytest.raises(InvalidKey):
            generate_signer(name)


class TestSigning:
    def test_signs_the_go_example_note_byte_for_byte(self) -> None:
        # Ed25519 is deterministic, so the signature is the published one.
        assert sign_note(TEXT, parse_signer_key(PETER_SKEY)) == TEXT + "\n" + PETER_SIG

    def test_adds_a_signature_after_those_it_keeps(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG, [PETER])
        enoch = generate_signer("EnochRoot")
        twice = sign_note(TEXT, enoch, keep=note.signatures)
        assert twice.startswith(TEXT + "\n" + PETER_SIG)
        assert len(open_note(twice, [PETER, enoch.verifier]).signatures) == 2

    def test_replaces_a_kept_signature_by_the_same_key(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG, [PETER])
        assert sign_note(TEXT, parse_signer_key(PETER_SKEY), keep=note.signatures) == (
            TEXT + "\n" + PETER_SIG)

    @pytest.mark.parametrize("text", ["abc", "tab\there\n", ""])
    def test_refuses_text_that_is_no_note(self, text: str) -> None:
        with pytest.raises(MalformedNote):
            sign_note(text, parse_signer_key(PETER_SKEY))


class TestOpening:
    def test_verifies_the_go_example_note(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG, [PETER])
        assert note.text == TEXT
        assert [(s.name, s.key_id) for s in note.signatures] == [("PeterNeumann", 0xC74F20A3)]

    def test_verifies_the_c2sp_example_note(self) -> None:
        note = open_note(C2SP_NOTE, [parse_verifier_key(C2SP_VKEY)])
        assert note.text == "This is an example message.\n"

    def test_keeps_a_signature_by_an_unknown_key_aside(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER])
        assert [s.name for s in note.signatures] == ["PeterNeumann"]
        assert [s.name for s in note.unverified] == ["EnochRoot"]

    def test_verifies_both_signatures_of_the_go_doubly_signed_example(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER, ENOCH])
        assert [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]

    def test_refuses_a_note_signed_by_no_known_key(self) -> None:
        with pytest.raises(UnverifiedNote):
            open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])

    def test_refuses_a_note_signed_by_another_key_under_the_same_name(self) -> None:
        impostor = generate_signer("PeterNeumann")
        with pytest.raises(UnverifiedNote):
            open_note(sign_note(TEXT, impostor), [PETER])

    def test_refuses_a_note_whose_body_was_changed(self) -> None:
        altered = TEXT.replace("problem,", "problems,") + "\n" + PETER_SIG
        with pytest.raises(InvalidSignature, match="PeterNeumann\\+c74f20a3"):
            open_note(altered, [PETER])

    def test_refuses_a_signature_that_was_changed(self) -> None:
        with pytest.raises(InvalidSignature):
            open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [PETER])

    def test_ignores_a_signature_line_with_a_wrong_key_id(self) -> None:
        raw = bytearray(base64.b64decode(PETER_SIG.split()[2]))
        raw[3] ^= 1
        wrong = f"\u2014 PeterNeumann {base64.b64encode(bytes(raw)).decode()}\n"
        note = open_note(TEXT + "\n" + wrong + PETER_SIG, [PETER])
        assert note.unverified[0].key_id == 0xC74F20A2
        with pytest.raises(UnverifiedNote):
            open_note(TEXT + "\n" + wrong, [PETER])

    def test_drops_repeated_signatures(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG * 2 + ENOCH_SIG * 3, [PETER])
        assert len(note.signatures) == 1 and len(note.unverified) == 1

    @pytest.mark.parametrize("message", [
        # The malformed notes of note_test.go's TestOpen.
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
        "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
    ])
    def test_refuses_a_malformed_note(self, message: str | bytes) -> None:
        with pytest.raises(MalformedNote):
            open_note(message, [PETER])
