"""The rules, listed explicitly so the order (and so the output) is stable."""

from __future__ import annotations

from .base import Context, Invalid, Rule, Valid
from .cache_disabled_under_mount import CacheDisabledUnderMount
from .cache_mount_not_writable import CacheMountNotWritable
from .cache_mount_target import CacheMountTarget
from .copy_before_install import CopyBeforeInstall
from .pip_cache_dir import PipCacheDir

ALL_RULES: tuple[type[Rule], ...] = (
    CacheMountTarget,
    PipCacheDir,
    CacheDisabledUnderMount,
    CacheMountNotWritable,
    CopyBeforeInstall,
)

__all__ = ["ALL_RULES", "Context", "Invalid", "Rule", "Valid"]
