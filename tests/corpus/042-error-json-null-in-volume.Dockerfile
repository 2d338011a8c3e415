FROM python:3.12-slim
RUN mkdir -p /data
VOLUME ["/data", null]
CMD ["python"]
