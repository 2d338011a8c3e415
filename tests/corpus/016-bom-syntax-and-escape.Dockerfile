# syntax=docker/dockerfile:1
# escape=`
FROM python:3.12-slim
RUN pip install `
    --no-cache-dir `
    requests
RUN echo C:\path\
