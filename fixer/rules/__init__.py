"""The rules, listed explicitly so the order (and so the output) is stable."""

from __future__ import annotations

from .apt_cache_sharing import AptCacheSharing
from .apt_packages_deleted import AptPackagesDeleted
from .base import Context, Invalid, Rule, Valid
from .cache_cleaned_under_mount import CacheCleanedUnderMount
from .cache_dir_option import CacheDirOption
from .cache_mount_missing import CacheMountMissing
from .cache_disabled_under_mount import CacheDisabledUnderMount
from .cache_mount_not_writable import CacheMountNotWritable
from .cache_mount_target import CacheMountTarget
from .copy_before_install import CopyBeforeInstall
from .index_credentials import IndexCredentials
from .install_failure_masked import InstallFailureMasked
from .unpinned_requirements import UnpinnedRequirements
from .unused_suppression import UnusedSuppression
from .uv_link_mode import UvLinkMode
from .venv_in_cache_mount import VenvInCacheMount

ALL_RULES: tuple[type[Rule], ...] = (
    CacheMountTarget,
    CacheDirOption,
    CacheDisabledUnderMount,
    CacheMountNotWritable,
    CopyBeforeInstall,
    UvLinkMode,
    VenvInCacheMount,
    AptPackagesDeleted,
    AptCacheSharing,
    CacheCleanedUnderMount,
    CacheMountMissing,
    InstallFailureMasked,
    IndexCredentials,
    UnpinnedRequirements,
    UnusedSuppression,
)

__all__ = ["ALL_RULES", "Context", "Invalid", "Rule", "Valid"]
