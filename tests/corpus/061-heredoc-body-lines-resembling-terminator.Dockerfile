# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
cat > /tmp/t.txt <<EOF2
EOF 
EOF	
 EOF
"EOF"
#EOF
EOF2
# escape=`
FROM scratch
RUN echo inside the body \
EOF
RUN echo after
