"""``python -m bot`` is ``pa-bot``."""

from bot.cli import main

main()
