# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
pip install --no-cache-dir -r requirements.txt
python -m compileall /app
CMD ["python", "-m", "app"]
