"""The benchmark (issue 7): the bot's own cost beside the portal's time. Run ``python -m bench``."""
