FROM python:3.12-slim
ENV PYTHONPATH=/app POETRY_HOME /opt/poetry
