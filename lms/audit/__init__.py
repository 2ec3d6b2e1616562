"""Audit log of changes made by officers, trainers and administrators."""
