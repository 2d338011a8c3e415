import os

print("starting bot", os.environ.get("BOT_NAME", "bot"))
