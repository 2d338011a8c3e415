# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<-EOF
	set -e
		pip install --no-cache-dir uvicorn
	echo "indented with tabs"
	EOF
COPY <<-EOF /app/.env
	APP_ENV=production
  EOF
    EOF
			EOF
RUN <<EOF
	echo not chomped
	EOF
EOF
