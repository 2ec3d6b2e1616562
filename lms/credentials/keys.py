"""The site's Ed25519 signing key and the public keys that verifiers fetch.

The signing key is LMS_CREDENTIAL_KEY (a PEM, or the path of a PEM file) or else
`credential-keys/current.pem` in the instance folder, created on first use. Every machine that
serves the site must sign with the same key: set LMS_CREDENTIAL_KEY (or share the folder) when
there is more than one. `rotate` keeps the old key's public half as `retired-<kid>.pem`, so that
credentials signed before the rotation still verify; every key is published at
/credentials/keys.json (a JSON Web Key Set), each under its RFC 7638 thumbprint as `kid`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # cryptography and PyJWT (11 MB) load on the first credential, not per process
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

CURRENT = "current.pem"
RETIRED_PREFIX = "retired-"


@dataclass(frozen=True)
class PublicKey:
    kid: str
    key: Ed25519PublicKey

    def jwk(self) -> dict[str, str]:
        from jwt.algorithms import OKPAlgorithm

        jwk = OKPAlgorithm.to_jwk(self.key, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "EdDSA"}


def thumbprint(key: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key: a name that changes exactly when the key does."""
    from jwt.algorithms import OKPAlgorithm

    jwk = OKPAlgorithm.to_jwk(key, as_dict=True)
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _key_dir() -> Path:
    return Path(current_app.config["CREDENTIAL_KEY_DIR"])


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_pem(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _load_private(pem: bytes) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the credential key must be an Ed25519 private key")
    return key


def _create_current(path: Path) -> None:
    """Write a new key, unless another process has just written one (O_EXCL decides)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with os.fdopen(descriptor, "wb") as file:
        file.write(_private_pem(Ed25519PrivateKey.generate()))


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """(kid, private key) of the key that signs new credentials."""
    configured = current_app.config.get("CREDENTIAL_KEY")
    if configured:
        pem = (configured.encode() if configured.lstrip().startswith("-----BEGIN")
               else Path(configured).read_bytes())
    else:
        path = _key_dir() / CURRENT
        if not path.exists():
            _create_current(path)
        pem = path.read_bytes()
    key = _load_private(pem)
    return thumbprint(key.public_key()), key


def public_keys() -> list[PublicKey]:
    """Every key a genuine credential of this site may be signed with: the current one first,
    then the retired ones."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    kid, current = signing_key()
    keys = [PublicKey(kid, current.public_key())]
    folder = _key_dir()
    if folder.is_dir():
        for path in sorted(folder.glob(f"{RETIRED_PREFIX}*.pem")):
            public = serialization.load_pem_public_key(path.read_bytes())
            if isinstance(public, Ed25519PublicKey) and thumbprint(public) != kid:
                keys.append(PublicKey(thumbprint(public), public))
    return keys


def rotate() -> tuple[str, str]:
    """Retire the current key (its public half stays published) and start a new one.
    Returns (old kid, new kid). Only for the key kept in the instance folder."""
    if current_app.config.get("CREDENTIAL_KEY"):
        raise ValueError("LMS_CREDENTIAL_KEY is set: rotate it where it is kept "
                         "(docs/operations.md)")
    old_kid, old = signing_key()
    folder = _key_dir()
    (folder / f"{RETIRED_PREFIX}{old_kid}.pem").write_bytes(_public_pem(old.public_key()))
    (folder / CURRENT).unlink()
    _create_current(folder / CURRENT)
    new_kid, _ = signing_key()
    return old_kid, new_kid


def retire_public_key(pem: bytes) -> str:
    """Keep publishing a retired key given as a public (or private) PEM; returns its kid.
    For sites whose key is LMS_CREDENTIAL_KEY: before replacing it, keep the old one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = _load_private(pem).public_key()
    except (ValueError, TypeError):
        loaded = serialization.load_pem_public_key(pem)
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key") from None
        public = loaded
    kid = thumbprint(public)
    folder = _key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{RETIRED_PREFIX}{kid}.pem").write_bytes(_public_pem(public))
    return kid
