"""Offline use: the installable web app (manifest, service worker), courses kept on the phone,
and work done offline sent later exactly once (idempotency keys)."""
