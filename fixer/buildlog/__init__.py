"""`dockerfix log`: what a build log says the installers did in each RUN step.

A build that reuses its caches says so in its log: pip prints `Using cached <file>`
where it would print `Downloading <file>`, uv's `Prepared N packages` counts only what it
fetched or built, apt's `Get:` lines name the packages it downloaded. This package reads
a log in the three forms users have (BuildKit's `--progress=plain`, buildah's and
podman's, and Docker's legacy builder; `steps.py`), reads each RUN step's output for the
installers' lines (`activity.py`), and sums it up with a verdict, pointed at the
Dockerfile's instructions and at the rule that explains the downloads when given the
Dockerfile (`report.py`). The formats were taken from the builders' and installers'
sources; docs/design-notes.md ("Build logs") names them.
"""
