"""`dockerfix wheelhouse`: the wheels a Dockerfile's pip installs need, downloaded into
the build context for the image's Python, platform and ABI (not the host's), so that
a build can install offline (`--no-index --find-links`) or fall back to the index only
for what the wheelhouse lacks.

`target.py` works out the image's Python version, libc and architecture from its FROM
(the official `python` images' tags, Debian's `python3`) or from flags, and refuses
when it cannot; `needs.py` finds what each install asks for (requirement files in the
build context, traced through the COPYs that put them in the image, and named
packages); `download.py` runs pip's own `pip download` with the target's tags, and
names the packages that have no wheel for the target (pip would build them from their
sources in the image, which needs the index).
"""
