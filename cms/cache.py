"""The cache of what is the same for every visitor: the company's contacts, the FAQ, the help pages (F-J2).

Each entry's key carries the content generation, a number in the cache (Redis in production, shared by every
web process). Publishing, unpublishing, moving or deleting a page, saving a FAQ question or group and saving the
company's settings bump it, so every process sees the editor's change on its next request; the old entries are
never read again and expire on their own. One generation for all content keeps invalidation trivially correct:
editors publish a few times a day, readers ask thousands of times.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

GENERATION_KEY = "content:generation"
CONTENT_CACHE_SECONDS = 60 * 60


def content_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def content_cached(name: str, build: Callable[[], T], *, timeout: int = CONTENT_CACHE_SECONDS) -> T:
    """`build()`'s result, kept until the content changes (or `timeout` passes). `name` may be any text."""
    key = f"content:{content_generation()}:{hashlib.sha1(name.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def content_changed(**kwargs) -> None:
    """Forget every cached piece of content (a signal receiver, so it takes any arguments)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet, or evicted: start a new one above any an old process may hold
        cache.set(GENERATION_KEY, content_generation() + 1, timeout=None)
