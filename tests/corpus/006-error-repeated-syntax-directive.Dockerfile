# syntax=docker/dockerfile:1
# syntax=docker/dockerfile:1.7-labs
FROM python:3.12-slim
RUN pip install poetry
