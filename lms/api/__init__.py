"""The REST API under /api/v1: personal access tokens, scoped reads, refresher and roster
writes, and its OpenAPI 3.1 document (docs/api.md)."""
