"""Django's Redis cache, keeping one redis-py client per connection pool.

Django builds a new ``redis.Redis`` for every cache call, and redis-py 8 fills a table of about 170
response callbacks in each constructor: a third of a millisecond per call, several calls per page.
A client is thread-safe (it borrows a connection from its pool for each command), so one per pool
is enough."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
