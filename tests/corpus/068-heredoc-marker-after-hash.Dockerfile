# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN cat <<EOF # comment mentioning <<DOC is still parsed as a heredoc
first body
EOF
second body
DOC
RUN cat <<EOF;
semicolon is part of the marker
EOF;
