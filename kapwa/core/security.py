"""Passwords (argon2), opaque tokens (stored as SHA-256), and encryption of secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kapwa.core.settings import Settings

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A plain-words reason a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class SecretBox:
    """Encrypts connector credentials with a Fernet key from settings (or derived from the secret key)."""

    def __init__(self, settings: Settings):
        if settings.encryption_key:
            key = settings.encryption_key.encode()
        else:
            raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kapwa-credentials", info=b"v1").derive(
                settings.secret_key.encode()
            )
            key = base64.urlsafe_b64encode(raw)
        try:
            self._fernet = Fernet(key)
        except ValueError:
            raise ValueError("KAPWA_ENCRYPTION_KEY: must be a Fernet key (32 url-safe base64-encoded bytes)") from None

    def encrypt_json(self, value: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(value, sort_keys=True).encode())

    def decrypt_json(self, token: bytes | None) -> dict:
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError("stored credentials cannot be decrypted: was the encryption key changed?") from None
