"""Completions, certificates, status and refresher assignments."""
