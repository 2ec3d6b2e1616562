"""Certificates as Open Badges 3.0 credentials: signed (VC-JWT, Ed25519), published keys,
issuer profiles, and the verifier behind `flask lms verify-credential`."""
