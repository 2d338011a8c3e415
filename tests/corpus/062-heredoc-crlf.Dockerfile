# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
pip install --no-cache-dir httpx
python -c "import httpx"
EOF
COPY <<-EOF /app/cfg.ini
	[server]
	port = 8080
	EOF
RUN <<EOF
echo mixed
EOF
CMD ["python"]
