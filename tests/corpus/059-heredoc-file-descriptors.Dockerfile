# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN python3 /dev/stdin 3<<EOF <<'MAIN'
config from fd 3
EOF
import os
print(os.read(3, 100))
MAIN
RUN cat 2<<EOF 10<<-EOF2 >&2
err
EOF
	ten
	EOF2
