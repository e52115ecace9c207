"""The issuer's Ed25519 signing keys, kept outside the database (docs/security.md, "Certificate signing keys").

``CERTIFICATE_KEYS_DIR`` holds ``<kid>.pem`` files. The key named in ``active`` signs; every other ``.pem`` there is
a retired key of which only the public half is kept, so that credentials it signed still verify. Alternatively
``CERTIFICATE_SIGNING_KEY`` holds the active private key's PEM (for hosts that inject secrets as variables); its
public key is published too. The ``kid`` is the key's RFC 7638 JWK thumbprint."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from saylau.core.errors import DomainError

ACTIVE_FILE = "active"


class NoSigningKey(DomainError):
    status = 503


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace."""
    canonical = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":")).encode()
    return b64url(hashlib.sha256(canonical).digest())


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


def _keys_dir() -> Path:
    return Path(settings.CERTIFICATE_KEYS_DIR)


def _load_pem(data: bytes):
    if b"PRIVATE KEY" in data:
        return serialization.load_pem_private_key(data, password=None)
    return serialization.load_pem_public_key(data)


@lru_cache(maxsize=8)
def _read_dir(directory: str, stamp: tuple) -> tuple[str | None, dict]:
    """(active kid, {kid: key}) of a directory; cached until a file in it changes (``stamp``)."""
    path = Path(directory)
    keys = {}
    for pem in sorted(path.glob("*.pem")):
        keys[pem.stem] = _load_pem(pem.read_bytes())
    active_file = path / ACTIVE_FILE
    active = active_file.read_text().strip() if active_file.exists() else None
    return active, keys


def _dir_stamp(path: Path) -> tuple:
    if not path.is_dir():
        return ()
    return tuple(sorted((entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(path)))


def _directory_keys() -> tuple[str | None, dict]:
    path = _keys_dir()
    return _read_dir(str(path), _dir_stamp(path))


@lru_cache(maxsize=4)
def _environment_key(pem: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    return SigningKey(kid=thumbprint(private_key.public_key()), private_key=private_key)


def active_key() -> SigningKey:
    pem = os.environ.get("CERTIFICATE_SIGNING_KEY", "").strip()
    if pem:
        return _environment_key(pem)
    active, keys = _directory_keys()
    key = keys.get(active) if active else None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoSigningKey("no_signing_key", "No certificate signing key: run `manage.py certificate_keys generate`.")
    return SigningKey(kid=active, private_key=key)


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a credential of ours may have been signed with, active and retired."""
    _active, keys = _directory_keys()
    found = {kid: (key.public_key() if isinstance(key, Ed25519PrivateKey) else key) for kid, key in keys.items()}
    pem = os.environ.get("CERTIFICATE_SIGNING_KEY", "").strip()
    if pem:
        env = _environment_key(pem)
        found[env.kid] = env.private_key.public_key()
    return found


def jwks() -> dict:
    return {"keys": [{**public_jwk(key), "kid": kid, "alg": "EdDSA", "use": "sig"}
                     for kid, key in sorted(public_keys().items())]}


def generate(*, rotate: bool = False) -> tuple[str, bool]:
    """Create a key and make it the active one. Without ``rotate`` an existing active key is kept (returns it,
    False). Rotating keeps only the public half of the key it replaces."""
    directory = _keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    active, keys = _directory_keys()
    if active in keys and not rotate:
        return active, False
    private_key = Ed25519PrivateKey.generate()
    kid = thumbprint(private_key.public_key())
    target = directory / f"{kid}.pem"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    for old_kid, old in keys.items():
        if isinstance(old, Ed25519PrivateKey):
            (directory / f"{old_kid}.pem").write_bytes(old.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    temporary = directory / f".{ACTIVE_FILE}.tmp"
    temporary.write_text(kid + "\n")
    temporary.replace(directory / ACTIVE_FILE)
    return kid, True
