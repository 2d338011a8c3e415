"""`dockerfix log FILE|-`: read a build log and say, per RUN step, what the installers
downloaded, took from their caches and built, with a verdict; `--dockerfile` points each
step at its instruction and at what dockerfix finds there."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ..buildlog.render import json_text, text
from ..buildlog.report import Explanation, report
from ..buildlog.steps import LogError, read_steps
from ..parser import decode, parse
from ..run import EXIT_ERROR, EXIT_OK, RunOptions, check_files

Echo = Callable[..., None]


def run_log(source: str, dockerfile: str | None, output_format: str, run_options: RunOptions, echo: Echo) -> int:
    """Exit 0 when the log was read, 2 when it or the Dockerfile cannot be."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        builder, steps = read_steps(decode(data))
    except OSError as exc:
        echo(f"dockerfix log: error: {source}: {exc.strerror or exc}", err=True)
        return EXIT_ERROR
    except LogError as exc:
        echo(f"dockerfix log: error: {'stdin' if source == '-' else source}: {exc}", err=True)
        return EXIT_ERROR
    tree, explanations = None, []
    if dockerfile is not None:
        try:
            tree = parse(decode(Path(dockerfile).read_bytes()))
        except OSError as exc:
            echo(f"dockerfix log: error: {dockerfile}: {exc.strerror or exc}", err=True)
            return EXIT_ERROR
        reports, messages = check_files((dockerfile,), run_options._replace(mode="check"))
        for message in messages:
            echo(message, err=True)
        explanations = [Explanation(finding.code, finding.name, finding.start.line, finding.message)
                        for one in reports for finding in one.findings if not finding.revealed]  # fmt: skip
    result = report(builder, steps, tree, explanations)
    render = json_text if output_format == "json" else text
    echo(render(result, dockerfile), nl=False)
    return EXIT_OK
