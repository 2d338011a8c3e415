
# syntax=docker/dockerfile:1
# escape=`
FROM python:3.12
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential \
  && rm -rf /var/lib/apt/lists/*
RUN echo "backtick stays literal" `
