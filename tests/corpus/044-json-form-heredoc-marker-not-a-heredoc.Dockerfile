# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN ["/bin/sh", "-c", "cat <<EOF"]
COPY ["<<EOF", "/app/literal-name"]
RUN ["python3", "-c", "print(1 << 4)", "<<PY"]
RUN echo "<<EOF" && echo '<<EOF' && echo x\<<EOF
CMD ["python3"]
