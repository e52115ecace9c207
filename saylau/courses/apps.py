from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "saylau.courses"
    label = "courses"
    verbose_name = _("Distance learning")

    def ready(self):
        from saylau.assessment.exams import ELIGIBILITY_CHECKS

        from . import receivers  # noqa: F401  (a test lesson's result moves the learner's progress)
        from .selectors import is_learner_for_exam

        # A course's tests are taken by the course's learners: the assessment app asks this app, by name.
        ELIGIBILITY_CHECKS["course"] = is_learner_for_exam
