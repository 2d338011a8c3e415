FROM python:3.12-slim
FOO bar baz
COPPY requirements.txt /app/
INCLUDE+ Dockerfile.common
RUN2 pip install -r /app/requirements.txt
pip install --no-cache-dir flask
FOO <<EOF
not a heredoc: FOO cannot take one
EOF
CMD ["flask", "run"]
