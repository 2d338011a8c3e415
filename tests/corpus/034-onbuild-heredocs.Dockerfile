# syntax=docker/dockerfile:1.4
FROM python:3.12-slim
ONBUILD COPY <<EOF /app/gunicorn.conf.py
bind = "0.0.0.0:8000"
workers = 4
EOF
ONBUILD RUN <<-EOF
	set -e
	pip install --no-cache-dir -r /app/requirements.txt
	EOF
ONBUILD RUN python3 <<'PY'
import compileall
compileall.compile_dir('/app', quiet=1)
PY
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "app:app"]
