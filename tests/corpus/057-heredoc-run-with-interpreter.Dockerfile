# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF bash -ex
python -m venv /opt/venv
/opt/venv/bin/pip install --upgrade pip setuptools wheel
EOF
RUN python3 <<EOF
import sys
print(sys.version)
EOF
RUN --mount=type=cache,target=/root/.cache/pip python3 - <<'PY'
import subprocess, sys
subprocess.check_call([sys.executable, "-m", "pip", "install", "rich"])
PY
RUN cat <<EOF | python3 -
print("piped")
EOF
RUN cat <<EOF > /etc/profile.d/venv.sh && chmod +x /etc/profile.d/venv.sh
export PATH=/opt/venv/bin:$PATH
EOF
