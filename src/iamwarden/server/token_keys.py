"""The session-token keyring, kept sealed in the store (spec §6.3; docs/decisions/sts-session-tokens.md).

Session tokens are sealed under the keyring's active key and opened with any
key it still holds. The keyring lives in the account's settings, which the
store seals at rest; the endpoint reads it at start and ``serve
--rotate-token-key`` changes it while the server is stopped (a running server
keeps the keyring it read).
"""

from __future__ import annotations

import base64

from ..store import Store
from ..sts import Keyring

#: the account setting holding the keyring
KEYRING_SETTING = "sts_token_keyring"


def stored_keyring(store: Store, account_id: str) -> Keyring | None:
    raw = store.account_settings(account_id).get(KEYRING_SETTING)
    if not raw:
        return None
    return Keyring({k: base64.b64decode(v) for k, v in raw["keys"].items()}, raw["active"])


def save_keyring(store: Store, account_id: str, ring: Keyring) -> None:
    keys = {k: base64.b64encode(v).decode() for k, v in ring.keys.items()}
    store.update_account_settings(account_id, **{KEYRING_SETTING: {"active": ring.active, "keys": keys}})


def keyring_for(store: Store, account_id: str) -> Keyring:
    """The account's keyring: generated once, on first start, then kept."""
    ring = stored_keyring(store, account_id)
    if ring is None:
        ring = Keyring.generate("k1")
        save_keyring(store, account_id, ring)
    return ring


def rotated(ring: Keyring, retire_old: bool = False) -> Keyring:
    """A new active key beside the old ones; with ``retire_old`` only the new one (earlier tokens die)."""
    new_id = f"k{len(ring.keys) + 1}"
    while new_id in ring.keys:
        new_id += "x"
    out = ring.rotate(new_id)
    if retire_old:
        for k in list(ring.keys):
            out = out.retire(k)
    return out
