from django_tasks import task


@task()
def refresh_test(exam_id: int, by_id: int | None = None) -> int:
    """Recompute one test's statistics, then the bank's (its items' figures and flags change with it).
    ``by_id``: the user who asked for it (audited); None when the test's closing triggered it."""
    from saylau.accounts.models import User
    from saylau.assessment.models import Exam

    from .analysis import analyse_bank, analyse_test

    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        return 0
    by = User.objects.filter(pk=by_id).first() if by_id else None
    analysis = analyse_test(exam=exam, by=by)
    analyse_bank()
    return analysis.attempts


@task()
def refresh_closed_tests() -> int:
    """The statistics of every test that closed, or got new attempts, since it was last analysed (core.schedule
    runs this every few minutes); the bank's once if any changed. Returns the number of tests analysed."""
    from .analysis import analyse_bank, analyse_test, closed_tests_to_refresh

    exams = closed_tests_to_refresh()
    for exam in exams:
        analyse_test(exam=exam)
    if exams:
        analyse_bank()
    return len(exams)
