"""Home page, language switch, text size and health check."""
