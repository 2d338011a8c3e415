FROM python:3.12-slim
WORKDIR /app/données
RUN --mount=type=bind,source=données,target=/app/données pip install -e .
COPY --chown=app:app résumé.txt /app/
