SECRET_KEY = "change-me"
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_ROOT = "/app/static"
STATIC_URL = "static/"
