FROM python:3.12-slim
WORKDIR /app
ONBUILD COPY requirements.txt /app/
ONBUILD RUN pip install --no-cache-dir -r requirements.txt
ONBUILD COPY . /app
ONBUILD ENV APP_ENV=production PORT=8000
onbuild arg BUILD_ID
ONBUILD LABEL org.opencontainers.image.source="https://example.com/repo"
ONBUILD CMD ["python", "-m", "app"]
ONBUILD   RUN    python -m compileall -q /app
