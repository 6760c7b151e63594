"""The app's page: a sidebar to pick and run a scenario, tabs for design, results, the
typical patient, design comparison and exports; and the design form built from a scenario.

The form is plain HTML inputs (text fields and native selects): what a user types is
validated by :mod:`tregsim.app.form`, and its messages are placed under the offending
input by the small script below (``textContent`` only, never HTML).
"""

from __future__ import annotations

from typing import Any

from shiny import ui

from tregsim.app.form import FormField, format_value
from tregsim.protocol import DOSE_UNITS, ROUTES, EndpointKind, Scenario

__all__ = ["COURSE_COLUMNS", "SPARE_ROWS", "page", "scenario_form"]

#: Columns of a dosing-course row: (field, header).
COURSE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("start_day", "start day"),
    ("days", "days"),
    ("dose", "dose"),
    ("unit", "unit"),
    ("per_day", "doses/day"),
    ("every_days", "every (days)"),
)
DOSE_COLUMNS: tuple[tuple[str, str], ...] = (("day", "day"), ("dose", "dose"), ("unit", "unit"))
ARM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "arm"),
    ("allocation", "allocation"),
    ("regimen", "regimen"),
)
ENDPOINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "endpoint"),
    ("kind", "kind"),
    ("week", "week"),
    ("percent", "percent"),
    ("threshold", "threshold"),
)
#: Empty rows offered under each table, to add a course or a single dose.
SPARE_ROWS = 1

_ERROR_SCRIPT = """
Shiny.addCustomMessageHandler('tregsim-field-errors', function(errors) {
  document.querySelectorAll('.tregsim-error').forEach(function(e) { e.remove(); });
  document.querySelectorAll('.tregsim-field.is-invalid').forEach(function(e) {
    e.classList.remove('is-invalid');
  });
  Object.keys(errors).forEach(function(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.classList.add('is-invalid');
    var note = document.createElement('div');
    note.className = 'tregsim-error text-danger small';
    note.setAttribute('data-for', id);
    note.textContent = errors[id];
    (el.closest('.shiny-input-container') || el.parentNode).appendChild(note);
  });
});
"""

_STYLE = """
.tregsim-table td, .tregsim-table th { padding: 2px 4px; vertical-align: top; }
.tregsim-table .shiny-input-container { margin-bottom: 0; width: auto !important; }
.tregsim-table input.form-control, .tregsim-table select.form-select { min-width: 5.5em; }
.tregsim-error { max-width: 28em; }
.tregsim-figure { max-width: 100%; height: auto; }
"""


def _text(input_id: str, label: str | None, value: Any, width: str | None = None) -> Any:
    tag = ui.input_text(input_id, label, format_value(value), width=width, update_on="blur")
    _mark(tag, input_id)
    return tag


def _select(input_id: str, label: str | None, choices: list[str], value: Any) -> Any:
    current = "" if value is None else str(value)
    options = list(dict.fromkeys([*choices, current]))
    tag = ui.input_select(input_id, label, options, selected=current)
    _mark(tag, input_id)
    return tag


def _mark(tag: Any, input_id: str) -> None:
    """Give the input element the class the error script looks for."""
    for child in tag.find(f"#{input_id}") if hasattr(tag, "find") else []:
        child.add_class("tregsim-field")


def _row_table(
    prefix: str,
    path: str,
    columns: tuple[tuple[str, str], ...],
    items: list[dict[str, Any]],
    selects: dict[str, list[str]],
    fields: list[FormField],
) -> Any:
    """A table with one row per item plus SPARE_ROWS empty rows (to add one); a column
    named in ``selects`` is a select with those choices ("" clears it)."""
    header = ui.tags.tr(*(ui.tags.th(label) for _, label in columns))
    rows = []
    for j in range(len(items) + SPARE_ROWS):
        item = items[j] if j < len(items) else {}
        row_path = f"{path}.{j}"
        cells = []
        for name, label in columns:
            input_id = f"{prefix}{j}_{name}"
            value = item.get(name)
            if name in selects:
                cells.append(ui.tags.td(_select(input_id, None, ["", *selects[name]], value)))
            else:
                cells.append(ui.tags.td(_text(input_id, None, value)))
            fields.append(FormField(input_id, f"{row_path}.{name}", label, row=row_path))
        rows.append(ui.tags.tr(*cells))
    return ui.tags.table({"class": "tregsim-table"}, header, *rows)


def _regimen_card(index: int, name: str, regimen: dict[str, Any], fields: list[FormField]) -> Any:
    prefix = f"reg{index}"
    path = f"regimens.{name}"
    drugs = list(DOSE_UNITS)
    routes = sorted({r for values in ROUTES.values() for r in values})
    units = sorted({u for values in DOSE_UNITS.values() for u in values})
    fields.append(FormField(f"{prefix}_drug", f"{path}.drug", "drug"))
    fields.append(FormField(f"{prefix}_route", f"{path}.route", "route"))
    card = ui.card(
        ui.card_header(f"Regimen {name}"),
        ui.layout_columns(
            _select(f"{prefix}_drug", "Drug", drugs, regimen.get("drug")),
            _select(f"{prefix}_route", "Route", ["", *routes], regimen.get("route")),
            col_widths=(6, 6),
        ),
        ui.tags.div(ui.tags.strong("Courses"), " (clear a row to remove it; fill the last to add)"),
        _row_table(
            f"{prefix}_c",
            f"{path}.courses",
            COURSE_COLUMNS,
            list(regimen.get("courses", [])),
            {"unit": units},
            fields,
        ),
        ui.tags.div(ui.tags.strong("Single doses")),
        _row_table(
            f"{prefix}_d",
            f"{path}.doses",
            DOSE_COLUMNS,
            list(regimen.get("doses", [])),
            {"unit": units},
            fields,
        ),
        ui.tags.div({"id": f"{prefix}_group", "class": "tregsim-field"}),
    )
    # messages about the regimen as a whole ("courses is empty for drug il2")
    fields.append(FormField(f"{prefix}_group", path, "regimen", editable=False))
    return card


def scenario_form(scenario: Scenario) -> tuple[Any, list[FormField]]:
    """The design form for ``scenario`` and the fields it holds."""
    data = scenario.to_dict()
    fields: list[FormField] = []

    def text(input_id: str, path: str, label: str, value: Any) -> Any:
        fields.append(FormField(input_id, path, label))
        return _text(input_id, label, value)

    general = ui.card(
        ui.card_header("Trial"),
        ui.layout_columns(
            text(
                "population_n",
                "population.n",
                "Patients enrolled (population.n)",
                data["population"]["n"],
            ),
            text(
                "follow_up_weeks", "follow_up_weeks", "Follow-up (weeks)", data["follow_up_weeks"]
            ),
            text("visits_weeks", "visits_weeks", "Visit weeks", data["visits_weeks"]),
            text(
                "dropout_per_visit",
                "dropout.per_visit",
                "Dropout per visit",
                data["dropout"]["per_visit"],
            ),
            col_widths=(3, 3, 4, 2),
        ),
    )

    regimen_names = list(data["regimens"])
    arms = ui.card(
        ui.card_header("Arms"),
        ui.tags.div("Clear a row to remove an arm; fill the empty last row to add one."),
        _row_table(
            "arm", "arms", ARM_COLUMNS, list(data["arms"]), {"regimen": regimen_names}, fields
        ),
    )
    regimens = [
        _regimen_card(k, name, data["regimens"][name], fields)
        for k, name in enumerate(regimen_names)
    ]

    endpoint_names = [e["name"] for e in data["endpoints"]]
    fields.append(FormField("analysis_primary", "analysis.primary", "primary endpoint"))
    fields.append(FormField("analysis_alpha", "analysis.alpha", "alpha"))
    fields.append(FormField("analysis_control", "analysis.control_arm", "control arm"))
    arm_names = ["", *(arm["name"] for arm in data["arms"])]
    endpoints = ui.card(
        ui.card_header("Endpoints and analysis"),
        ui.tags.div("Clear a row to remove an endpoint; fill the empty last row to add one."),
        _row_table(
            "ep",
            "endpoints",
            ENDPOINT_COLUMNS,
            list(data["endpoints"]),
            {"kind": [kind.value for kind in EndpointKind]},
            fields,
        ),
        ui.layout_columns(
            _select(
                "analysis_primary", "Primary endpoint", endpoint_names, data["analysis"]["primary"]
            ),
            _select(
                "analysis_control", "Control arm", arm_names, data["analysis"].get("control_arm")
            ),
            _text("analysis_alpha", "Alpha (two-sided)", data["analysis"]["alpha"]),
            col_widths=(4, 4, 4),
        ),
    )
    return ui.TagList(general, arms, *regimens, endpoints), fields


def _sidebar(scenario_names: list[str], default: str) -> Any:
    return ui.sidebar(
        ui.input_select("scenario", "Built-in scenario", scenario_names, selected=default),
        ui.input_file(
            "upload", "…or upload a scenario YAML (max 256 kB)", accept=[".yaml", ".yml"]
        ),
        ui.output_ui("source_note"),
        ui.hr(),
        _text("replicates", "Replicate trials", 20),
        _text("seed", "Seed (same seed, same virtual patients)", ""),
        ui.input_action_button("run", "Run", class_="btn-primary"),
        ui.input_action_button("cancel", "Cancel", class_="btn-outline-danger"),
        ui.output_ui("run_status"),
        width=330,
    )


def page(scenario_names: list[str], default: str) -> Any:
    """The whole page (static part; the form and the results are rendered by the server)."""
    design = ui.nav_panel(
        "Design",
        ui.output_ui("general_error"),
        ui.output_ui("design_form"),
        value="design",
    )
    results = ui.nav_panel("Results", ui.output_ui("results"), value="results")
    typical = ui.nav_panel(
        "Typical patient",
        ui.layout_columns(
            ui.output_ui("typical_arm_ui"),
            ui.input_select("typical_state", "State or read-out", ["salt"]),
            _text("typical_days", "Days", ""),
            col_widths=(3, 5, 4),
        ),
        ui.output_ui("typical_plot"),
        value="typical",
    )
    compare = ui.nav_panel(
        "Compare designs",
        ui.markdown(
            "Add the design on screen (2 to 4 designs), then run them all with the same seed "
            "and replicate count: the same seed gives the same virtual patients, so the "
            "differences come from the designs."
        ),
        ui.layout_columns(
            _text("design_label", "Design label", ""),
            ui.input_action_button("add_design", "Add current design"),
            ui.input_action_button("clear_designs", "Clear"),
            ui.input_action_button("run_compare", "Run comparison", class_="btn-primary"),
            col_widths=(4, 3, 2, 3),
        ),
        ui.output_ui("design_list"),
        ui.output_ui("compare_results"),
        value="compare",
    )
    export = ui.nav_panel(
        "Export",
        ui.tags.p("The scenario on screen, the command that reproduces the run, and its data."),
        ui.download_button("download_yaml", "Scenario YAML"),
        ui.download_button("download_command", "tregsim run command"),
        ui.download_button("download_csv", "Patients (CSV)"),
        ui.download_button("download_parquet", "Patients (Parquet)"),
        ui.download_button("download_summary", "summary.json"),
        ui.tags.h5("Command", class_="mt-3"),
        ui.output_code("command_text"),
        ui.tags.h5("Scenario YAML"),
        ui.output_code("yaml_text"),
        value="export",
    )
    return ui.page_sidebar(
        _sidebar(scenario_names, default),
        ui.head_content(
            ui.tags.link(rel="icon", href="data:,"),  # no favicon request
            ui.tags.style(_STYLE),
            ui.tags.script(_ERROR_SCRIPT),
        ),
        ui.navset_tab(design, results, typical, compare, export, id="tabs"),
        title="tregsim: in-silico trials of low-dose IL-2 in alopecia areata",
        window_title="tregsim app",
    )
