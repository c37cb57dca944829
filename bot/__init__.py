"""newsbot's front ends: the CLI, the terminal conversation and the Telegram bot, over the `index` engine."""
