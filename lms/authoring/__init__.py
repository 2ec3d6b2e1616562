"""Trainers' course editor: drafts, preview, publishing versions, zip round trips."""
