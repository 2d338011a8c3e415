# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
#!/usr/bin/env python3
import json, sys
json.dump({"python": sys.version}, open("/build-info.json", "w"))
EOF
RUN --mount=type=cache,target=/root/.cache/pip <<EOT
#!/bin/bash
set -euo pipefail
pip install -r requirements.txt
EOT
COPY --chmod=755 <<EOF /usr/local/bin/entrypoint.sh
#!/bin/sh
exec "$@"
EOF
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
