FROM python:3.12-slim
HEALTHCHECK NONE
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -f http://localhost:8000/health || exit 1
HEALTHCHECK CMD ["python", "-c", "import socket; socket.create_connection(('localhost', 8000))"]
healthcheck   --interval=1m   cmd   python -m app.health
HEALTHCHECK CMD-SHELL echo odd
HEALTHCHECK --start-interval=2s CMD [ "true" ]
