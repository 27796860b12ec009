from django.core.cache import cache
from django.http import JsonResponse
from django_redis import get_redis_connection


def product(request, pk):
    """Cached for a minute; a miss is computed (the database, in a real
    shop) and stored."""
    key = f"product:{pk}"
    found = cache.get(key)
    if found is None:
        found = {"id": pk, "name": f"product {pk}"}
        cache.set(key, found, 60)
    return JsonResponse(found)


def ready(request):
    """Ready while it can answer, from the database if Redis is down: the
    body says how Redis is."""
    try:
        get_redis_connection("default").ping()
        redis = "ok"
    except Exception:
        redis = "down"
    return JsonResponse({"status": "ready", "redis": {"status": redis}})
