"""Background jobs: long work (roster imports, standings rebuilds) with progress."""
