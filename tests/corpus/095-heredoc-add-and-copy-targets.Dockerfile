# syntax=docker/dockerfile:1
FROM python:3.12-slim
ADD <<EOF /app/requirements.txt
flask==3.0.3
EOF
COPY --chmod=0644 <<EOF <<-"EOT" /app/conf/
log_level = "info"
EOF
	[tool.app]
	debug = false
	EOT
COPY --link <<app.py /app/
from flask import Flask
app = Flask(__name__)
app.py
