"""The verifiable log's core: RFC 9162 Merkle trees, C2SP tiles, signed checkpoints.

Pure functions and small classes over bytes: no web, no database. The formats are
described in docs/verification.md. In short:

- `canonical_json(entry)` / `entry_leaf_hash(entry)`: RFC 8785 bytes and their leaf hash.
- `CompactRange`: the right edge a writer keeps to append leaves and know the root.
- `HashReader` (protocol), `MemoryHashStore`, `TileHashReader`: where proofs read hashes.
- `inclusion_proof`, `consistency_proof`, `verify_inclusion`, `verify_consistency`.
- `Tile`, `changed_tiles`, `tile_bytes`, `entry_bundle`: what to publish as the tree grows.
- `Checkpoint`, `sign_checkpoint`, `open_checkpoint`; `note` for the signed-note layer.
- `load_or_create_key`, `key_from_setting`: the log's Ed25519 key.
- `verify_log`: everything a reader checks, reported with the first entry that differs.
"""

from tracker.ledger.canonical import canonical_json, entry_leaf_hash
from tracker.ledger.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint, sign_checkpoint
from tracker.ledger.compact import CompactRange, Node, root_of
from tracker.ledger.errors import (
    InvalidKey,
    InvalidProof,
    InvalidSignature,
    KeyFileError,
    LedgerError,
    MalformedNote,
    TileError,
    UnverifiedNote,
)
from tracker.ledger.hashes import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from tracker.ledger.keys import key_from_setting, load_or_create_key
from tracker.ledger.note import (
    Note,
    Signature,
    Signer,
    Verifier,
    generate_signer,
    open_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)
from tracker.ledger.proofs import (
    consistency_proof,
    inclusion_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tracker.ledger.store import HashReader, MemoryHashStore, subtree_hash, tree_root
from tracker.ledger.tiles import (
    TILE_WIDTH,
    Tile,
    TileHashReader,
    changed_tiles,
    entry_bundle,
    parse_entry_bundle,
    parse_tile_path,
    tile_bytes,
    tile_hashes,
    tiles_for_size,
)
from tracker.ledger.verify import Problem, TreeHead, VerifyReport, verify_log

__all__ = [
    "EMPTY_ROOT", "HASH_SIZE", "TILE_WIDTH", "Checkpoint", "CompactRange", "HashReader",
    "InvalidKey", "InvalidProof", "InvalidSignature", "KeyFileError", "LedgerError",
    "MalformedNote", "MemoryHashStore", "Node", "Note", "Problem", "Signature",
    "SignedCheckpoint", "Signer", "Tile", "TileError", "TileHashReader", "TreeHead",
    "UnverifiedNote", "Verifier", "VerifyReport", "canonical_json", "changed_tiles",
    "consistency_proof", "entry_bundle", "entry_leaf_hash", "generate_signer",
    "inclusion_proof", "key_from_setting", "leaf_hash", "load_or_create_key", "node_hash",
    "open_checkpoint", "open_note", "parse_entry_bundle", "parse_signer_key",
    "parse_tile_path", "parse_verifier_key", "root_from_inclusion_proof", "root_of",
    "sign_checkpoint", "sign_note", "subtree_hash", "tile_bytes", "tile_hashes",
    "tiles_for_size", "tree_root", "verify_consistency", "verify_inclusion", "verify_log",
]
