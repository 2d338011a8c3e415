# syntax=docker/dockerfile:1
FROM python:3.12-slim
COPY <<requirements.txt <<constraints.txt /app/
flask==3.0.3
gunicorn==22.0.0
requirements.txt
werkzeug<4
constraints.txt
COPY <<A <<"B" /dst/
a1
A
b1 $HOME
B
COPY <<EOF <<EOF /same/name/
first
EOF
second
EOF
RUN <<SETUP <<CHECK bash -e
echo this text is stdin of the first heredoc
SETUP
echo second
CHECK
