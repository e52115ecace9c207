import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Answer saves (a nationwide test's hot path) are served before Django when they can be; anything else goes on
# to Django unchanged (saylau/assessment/answer_route.py).
from saylau.assessment.answer_route import AnswerSaveRoute  # noqa: E402 — needs the settings configured above

application = AnswerSaveRoute(application)


def _freeze_what_is_loaded() -> None:
    """Import every view now, then move what is loaded (some 200,000 objects that live as long as the process)
    out of the garbage collector's sight. A full collection then scans only what requests made: pages that
    build thousands of objects (the national cascade) had their p95 doubled by collections scanning Django
    itself (docs/benchmarks.md, "Training")."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports the views
    gc.collect()
    gc.freeze()


_freeze_what_is_loaded()
