"""``pa-bot replay``: QA scenarios replayed against a freshly reset mock portal."""
