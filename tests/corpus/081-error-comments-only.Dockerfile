# syntax=docker/dockerfile:1
# escape=\
# This Dockerfile is intentionally left empty.

#   RUN pip install flask
