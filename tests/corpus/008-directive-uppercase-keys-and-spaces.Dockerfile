#SYNTAX = docker/dockerfile:1.6
#   Escape   =   `   
FROM python:3.12-slim AS base
RUN pip install `
      requests `
      httpx
ENV PATH=C:\tools\bin
