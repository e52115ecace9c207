"""Item analysis of a test in the database, in the same report shape as analyse_responses."""

import json

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from saylau.assessment.models import Exam, Item
from saylau.psychometrics import analysis, ctt, irt, report

from .analyse_responses import _table


class Command(BaseCommand):
    help = ("Analyse a test's submitted attempts: Moodle's item statistics and, with --model rasch or 2pl, IRT "
            "parameters (the default for a test is 2pl from 500 attempts, rasch from 30, else ctt).")

    def add_arguments(self, parser):
        parser.add_argument("--test", type=int, required=True, dest="exam_id", help="The test's id")
        parser.add_argument("--model", choices=report.MODELS, help="ctt, rasch or 2pl")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the report as JSON")

    def handle(self, *, exam_id, model, as_json, **options):
        exam = Exam.objects.filter(pk=exam_id).first()
        if exam is None:
            raise CommandError(f"No test with id {exam_id}.")
        data = analysis.responses(analysis.analysable_attempts(Exam.objects.filter(pk=exam.pk)))
        if not len(data.attempt_ids):
            raise CommandError(f"Test {exam_id} has no submitted attempts to analyse.")
        n = len(data.attempt_ids)
        if model is None:
            model = ("ctt" if n < analysis.IRT_MIN_ATTEMPTS
                     else "rasch" if n < analysis.RASCH_ONLY_BELOW else "2pl")
        items = Item.objects.in_bulk(data.item_ids)
        names = [items[pk].name or f"#{pk}" for pk in data.item_ids]
        # Marks for the classical figures (an item's weight is its points); credit 0…1 for the IRT model.
        result = ctt.item_analysis(data.marks, data.max_marks)
        calibration = None
        if model != "ctt":
            try:
                calibration = irt.calibrate(data.marks / data.max_marks, model=model)
            except ValueError as error:
                raise CommandError(f"Test {exam_id}: {error}") from None
        output = report.build_report(item_names=names, analysis=result, calibration=calibration)
        output["test"]["id"] = exam.pk
        if as_json:
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2, default=_plain))
        else:
            self.stdout.write(_table(output))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value))
