"""Secrets we must read back (a platform's HMAC secret, a payment account's key) are kept
sealed with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`).

The key comes from CONSORTIUM_SEALING_KEY (a Fernet key: `python -c "from cryptography.fernet
import Fernet; print(Fernet.generate_key().decode())"`), or, when that is not set, is derived
from SECRET_KEY with HKDF, so a development machine needs nothing. A database copy alone
reveals no secret; whoever holds the key and the database holds both."""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@functools.cache
def _fernet() -> MultiFernet:
    keys: list[Fernet] = []
    configured = getattr(settings, "CONSORTIUM_SEALING_KEYS", "")
    for key in (k.strip() for k in configured.split(",") if k.strip()):
        keys.append(Fernet(key.encode()))
    if not keys:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"consortium-sealed").derive(
            settings.SECRET_KEY.encode()
        )
        keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    # The first key seals; every key listed unseals, so keys can be rotated.
    return MultiFernet(keys)


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("This secret was sealed with a key we no longer hold") from exc
