from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """Load-balancer health check; also the trivial view benchmarks compare pages against."""
    return HttpResponse("ok", content_type="text/plain")
