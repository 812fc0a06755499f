"""A Redis cache that fails open: the portal keeps answering, only slower, while Redis is down or frozen.

The cache only ever holds what can be recomputed (the navigation badge, a password check, rate-limit counters).
When Redis refuses the connection, or stops answering within the socket timeouts (``OPTIONS`` of ``CACHES``, see
``chorus.settings.base.cache_settings``), each call answers as if the cache were empty: a read misses, a write is
dropped, ``add`` and ``incr`` let the action through (a rate limit is not enforced rather than turned into an
error). After a failure the backend does not try Redis again for ``PAUSE_APRES_ECHEC`` seconds, so a frozen Redis
costs one timeout per process and pause, not one per cache call.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Errors of an unreachable or frozen server (redis-py's ConnectionError and TimeoutError are RedisError; a DNS or
# socket failure may surface as OSError).
ERREURS_REDIS = (redis.RedisError, OSError)
PAUSE_APRES_ECHEC = 5.0


class ClientRedisPartage(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every cache call, and redis-py's constructor fills a table
    of ~170 response callbacks each time: two calls per page (the header's badges) cost more in that constructor
    than in Redis. One ``redis.Redis`` per connection pool is kept instead: it is thread-safe (each command takes a
    connection from the pool), so the pages' threads may share it (BENCHMARKS.md, « The Python cost of a page »)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class CacheRedisTolerante(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose errors and timeouts fail open (see the module), with
    one Redis client per server (``ClientRedisPartage``)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientRedisPartage
        self._indisponible_jusqua = 0.0
        self._verrou = threading.Lock()

    @property
    def disponible(self) -> bool:
        return time.monotonic() >= self._indisponible_jusqua

    def _appel(self, operation: str, fonction, *, repli):
        if not self.disponible:
            return repli
        try:
            return fonction()
        except ERREURS_REDIS as exc:
            with self._verrou:
                premier = self.disponible
                self._indisponible_jusqua = time.monotonic() + PAUSE_APRES_ECHEC
            if premier:
                logger.warning(
                    "Cache Redis indisponible (%s : %s) : le portail continue sans cache pendant %s s.",
                    operation,
                    type(exc).__name__,
                    PAUSE_APRES_ECHEC,
                )
            return repli

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._appel(
            "add", lambda: super(CacheRedisTolerante, self).add(key, value, timeout, version), repli=True
        )

    def get(self, key, default=None, version=None):
        return self._appel("get", lambda: super(CacheRedisTolerante, self).get(key, default, version), repli=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._appel(
            "set", lambda: super(CacheRedisTolerante, self).set(key, value, timeout, version), repli=None
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._appel("touch", lambda: super(CacheRedisTolerante, self).touch(key, timeout, version), repli=False)

    def delete(self, key, version=None):
        return self._appel("delete", lambda: super(CacheRedisTolerante, self).delete(key, version), repli=False)

    def get_many(self, keys, version=None):
        return self._appel("get_many", lambda: super(CacheRedisTolerante, self).get_many(keys, version), repli={})

    def has_key(self, key, version=None):
        return self._appel("has_key", lambda: super(CacheRedisTolerante, self).has_key(key, version), repli=False)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError (Django's contract); only Redis failures fall back to ``delta``.
        return self._appel("incr", lambda: super(CacheRedisTolerante, self).incr(key, delta, version), repli=delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._appel(
            "set_many", lambda: super(CacheRedisTolerante, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        return self._appel(
            "delete_many", lambda: super(CacheRedisTolerante, self).delete_many(keys, version), repli=None
        )

    def clear(self):
        return self._appel("clear", lambda: super(CacheRedisTolerante, self).clear(), repli=False)
