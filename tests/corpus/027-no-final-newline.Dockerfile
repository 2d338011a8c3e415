FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]