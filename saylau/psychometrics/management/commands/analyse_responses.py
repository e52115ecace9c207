"""Item analysis of a CSV response matrix: Moodle's classical statistics, optionally Rasch or 2PL parameters."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saylau.psychometrics import report
from saylau.psychometrics.responses import ResponseFileError, read_responses


class Command(BaseCommand):
    help = (
        "Analyse a CSV response matrix (one row per examinee, one column per item, credit 0..1, an empty cell for an "
        "item not presented, optional 'count' column). Prints Moodle's item statistics and, with --model rasch or "
        "2pl, IRT parameters; --json prints the report as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file")
        parser.add_argument("--model", choices=report.MODELS, default="ctt", help="ctt (default), rasch or 2pl")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the report as JSON")

    def handle(self, *, file, model, as_json, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            matrix = read_responses(data)
        except ResponseFileError as error:
            raise CommandError(f"{file}: {_where(error)}{error.message}") from None
        try:
            result = report.analyse(scores=matrix.scores, item_names=matrix.item_names, model=model,
                                    weights=matrix.counts)
        except ValueError as error:
            raise CommandError(f"{file}: {error}") from None
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_table(result))


def _where(error: ResponseFileError) -> str:
    if error.row is None:
        return ""
    if error.column is None:
        return f"row {error.row}: "
    value = f" ({error.value!r})" if error.value is not None else ""
    return f"row {error.row}, column {error.column}{value}: "


def _format(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(result: dict) -> str:
    test = result["test"]
    irt = result["model"] != "ctt"
    lines = [
        f"Model: {result['model']}" + (f" ({result['parameterisation']})" if irt else ""),
        f"Examinees: {result['n_examinees']}, items: {len(result['items'])}",
        f"Mean {_format(test['mean'])} of {_format(test['max_score'])}, median {_format(test['median'])}, "
        f"SD {_format(test['sd'])}, skewness {_format(test['skewness'], 4)}, kurtosis {_format(test['kurtosis'], 4)}",
        f"Alpha {_format(test['alpha'])} %, error ratio {_format(test['error_ratio'])} %, "
        f"standard error {_format(test['standard_error'])}" + (f", log-likelihood {_format(test['loglik'], 3)}"
                                                              if irt else ""),
        "",
    ]
    columns = ["item", "n", "facility %", "SD %", "disc. index %", "disc. eff. %", "upper-lower %", "alpha-del %"]
    if irt:
        columns += ["b", "SE(b)", "a", "SE(a)", "fit p"]
    rows = []
    for item in result["items"]:
        row = [item["name"], f"{item['n']:.0f}", _format(item["facility"]), _format(item["sd"]),
               _format(item["discrimination_index"]), _format(item["discriminative_efficiency"]),
               _format(item["upper_lower_index"]), _format(item["alpha_if_deleted"])]
        if irt:
            row += [_format(item["difficulty"], 3), _format(item["difficulty_se"], 3),
                    _format(item["discrimination"], 3), _format(item["discrimination_se"], 3),
                    _format(item["fit"]["p_value"], 3) if item["fit"] else "-"]
        rows.append(row)
    widths = [max(len(columns[i]), *(len(row[i]) for row in rows)) for i in range(len(columns))]
    lines.append("  ".join(name.ljust(widths[0]) if i == 0 else name.rjust(widths[i]) for i, name in enumerate(columns)))
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    return "\n".join(lines)
