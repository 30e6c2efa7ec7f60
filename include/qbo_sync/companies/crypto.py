"""Tokens are encrypted at rest with Fernet (AES-128-CBC + HMAC), keys from the environment.

``QBO_SYNC_FERNET_KEY`` holds one key, or several separated by commas to rotate: the
first encrypts, every one decrypts (MultiFernet). To rotate: put the new key first,
keep the old one after it, run ``python -m qbo_sync.companies rotate-key``, then drop
the old key.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_ENV = "QBO_SYNC_FERNET_KEY"
GENERATE_HINT = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class EncryptionKeyError(RuntimeError):
    """The Fernet key is missing, malformed or does not open a stored token. The message
    never contains a key or a token."""


class TokenCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise EncryptionKeyError(
                f"{KEY_ENV} is not set: QuickBooks tokens are stored encrypted and need a key. "
                f"Generate one with:\n  {GENERATE_HINT}\nand set {KEY_ENV} to it (keep it secret, "
                "keep a copy: without it every tenant must be reconnected)."
            )
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise EncryptionKeyError(
                    f"key #{position} in {KEY_ENV} is not a Fernet key (32 url-safe base64-encoded "
                    f"bytes). Generate one with:\n  {GENERATE_HINT}"
                ) from None
        self._fernet = MultiFernet(fernets)
        self.key_count = len(fernets)

    def __repr__(self) -> str:
        return f"TokenCipher(keys={self.key_count})"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> TokenCipher:
        raw = (environ if environ is not None else os.environ).get(KEY_ENV, "")
        return cls([k.strip() for k in raw.split(",") if k.strip()])

    def encrypt(self, value: str | None) -> bytes | None:
        return None if value is None else self._fernet.encrypt(value.encode("utf-8"))

    def decrypt(self, blob: bytes | memoryview | None) -> str | None:
        if blob is None:
            return None
        try:
            return self._fernet.decrypt(bytes(blob)).decode("utf-8")
        except InvalidToken:
            raise EncryptionKeyError(
                f"a stored QuickBooks token cannot be decrypted with the key(s) in {KEY_ENV}. If the "
                "key was changed, list the new key first and the old one after it (comma-separated), "
                "then run `python -m qbo_sync.companies rotate-key`."
            ) from None

    def rotate(self, blob: bytes | memoryview | None) -> bytes | None:
        """Re-encrypt with the first key."""
        if blob is None:
            return None
        try:
            return self._fernet.rotate(bytes(blob))
        except InvalidToken:
            raise EncryptionKeyError(f"a stored token cannot be decrypted with the key(s) in {KEY_ENV}") from None
