# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN << EOF
pip install --no-cache-dir flask
EOF
RUN cat <<- EOF > /app/motd
	hello
	EOF
CMD ["flask", "run"]
