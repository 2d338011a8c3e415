FROM python:3.12-slim
ARG JOBS=2
RUN echo "workers: $((JOBS << 1))" && echo $((1 << 4)) > /tmp/shift
CMD ["python"]
