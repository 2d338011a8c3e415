FROM python:3.12-slim
# escape=`
# syntax=docker/dockerfile:1
RUN pip install --no-cache-dir \
    numpy
