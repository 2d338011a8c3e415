# syntax=docker/dockerfile:1
FROM python:3.12-slim
ENV GREETING=hello
RUN <<'EOF'
echo "$GREETING is not expanded by the frontend"
EOF
RUN <<"EOF"
echo "$GREETING"
EOF
RUN <<EO"F"
echo partially quoted marker
EOF
RUN <<\EOF
echo backslash-quoted marker
EOF
COPY <<-'CONF' /etc/app.conf
	home = $HOME
	CONF
