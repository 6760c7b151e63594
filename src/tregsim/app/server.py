"""The app's server logic: plain Python functions reacting to inputs (Shiny's model).

Nothing a user types reaches anything but the YAML parser (``safe_load``), the scenario
schema and the numeric checks; every problem becomes a one-sentence message on screen,
and a failure inside a run is reported without stopping the server.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from shiny import reactive, render, req, ui

from tregsim.app import exports, views
from tregsim.app.form import FormResult, evaluate_form
from tregsim.app.layout import scenario_form
from tregsim.app.runner import COMPARE_FIGURES, JobOutcome, TrialJob
from tregsim.app.typical import MAX_DAYS, TrajectoryCache, check_days, trajectory_png
from tregsim.app.uploads import read_upload
from tregsim.errors import TregsimInputError

__all__ = ["MAX_DESIGNS", "Base", "make_server"]

#: Designs in one comparison.
MAX_DESIGNS = 4

#: Runs of every session share these threads (the solver releases the GIL).
EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tregsim-app-run")


@dataclass(frozen=True)
class Base:
    """The scenario the form starts from: ``source`` is the built-in name or the uploaded
    file's name (what ``tregsim run`` is given); ``token`` tells its form from an older one
    still in the browser."""

    source: str
    scenario: Any
    uploaded: bool = False
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _load_builtin(name: str) -> Base:
    """A built-in scenario by name (never a path: the browser may send anything)."""
    from tregsim.scenarios import list_scenarios, load_scenario

    names = list_scenarios()
    if name not in names:
        raise TregsimInputError(
            f"scenario '{str(name)[:40]}' is not a built-in scenario; use one of "
            + ", ".join(names),
            field="scenario",
        )
    return Base(name, load_scenario(name))


def make_server(default: str, cache: TrajectoryCache):
    """The Shiny server function for an app starting on built-in scenario ``default``."""

    def server(input: Any, output: Any, session: Any) -> None:
        base = reactive.value(_load_builtin(default))
        upload_error = reactive.value(None)
        jobs: dict[str, TrialJob | None] = {"run": None, "compare": None}
        job_started = reactive.value(0)
        designs: reactive.Value[list[tuple[str, Any, tuple[str, ...]]]] = reactive.value([])

        session.on_ended(lambda: [job.cancel() for job in jobs.values() if job is not None])

        # ------------------------------------------------------------ the scenario
        @reactive.effect
        @reactive.event(input.scenario, ignore_init=True)
        def _choose() -> None:
            try:
                base.set(_load_builtin(input.scenario()))
                upload_error.set(None)
            except TregsimInputError as exc:
                upload_error.set(exc.message)

        @reactive.effect
        @reactive.event(input.upload)
        def _upload() -> None:
            files = input.upload() or []
            if not files:
                return
            item = files[0]
            try:
                scenario = read_upload(item["datapath"], item["name"])
            except TregsimInputError as exc:
                upload_error.set(exc.message)
                return
            except Exception as exc:  # noqa: BLE001 - a bad upload must not end the session
                upload_error.set(
                    f"the upload could not be read ({type(exc).__name__}); upload a scenario "
                    "YAML file."
                )
                return
            upload_error.set(None)
            base.set(Base(str(item["name"]), scenario, uploaded=True))

        @reactive.calc
        def form() -> tuple[Any, list]:
            return scenario_form(base().scenario)

        # Rendered even while another tab is shown, so the inputs always belong to `base`.
        @output(suspend_when_hidden=False)
        @render.ui
        def design_form() -> Any:
            token = ui.tags.div(ui.input_text("form_token", None, base().token), hidden="")
            return ui.TagList(token, form()[0])

        @render.ui
        def source_note() -> Any:
            current = base()
            kind = "uploaded file" if current.uploaded else "built-in scenario"
            return ui.tags.div(
                ui.tags.div(f"Editing {kind} {current.source}", class_="small"),
                ui.tags.div(current.scenario.description, class_="small text-muted"),
            )

        @reactive.calc
        def evaluation() -> FormResult:
            _, fields = form()
            req(input.form_token() == base().token)  # wait for this scenario's form
            texts = {spec.input_id: input[spec.input_id]() for spec in fields if spec.editable}
            try:
                return evaluate_form(base().scenario, fields, texts, exports.check_app_limits)
            except Exception as exc:  # noqa: BLE001 - shown on screen, the session goes on
                detail = " ".join(str(exc).split())[:200]
                return FormResult(
                    None, (), {}, f"internal error ({type(exc).__name__}: {detail}); report it."
                )

        def run_options() -> tuple[int | None, int | None, dict[str, str]]:
            errors: dict[str, str] = {}
            replicates = seed = None
            try:
                replicates = exports.parse_replicates(input.replicates())
            except TregsimInputError as exc:
                errors["replicates"] = exc.message
            try:
                seed = exports.parse_seed(input.seed(), base().scenario.seed)
            except TregsimInputError as exc:
                errors["seed"] = exc.message
            return replicates, seed, errors

        @reactive.calc
        def typical_days() -> tuple[float | None, dict[str, str]]:
            result = evaluation()
            default = min(result.scenario.follow_up_days, MAX_DAYS) if result.scenario else 365.0
            try:
                return check_days(input.typical_days(), default), {}
            except TregsimInputError as exc:
                return None, {"typical_days": exc.message}

        @reactive.effect
        async def _show_field_errors() -> None:
            result = evaluation()
            errors = dict(result.field_errors)
            errors.update(run_options()[2])
            errors.update(typical_days()[1])
            await session.send_custom_message("tregsim-field-errors", errors)

        @render.ui
        def general_error() -> Any:
            messages = [m for m in (upload_error(), evaluation().general_error) if m]
            return ui.TagList(
                *(ui.tags.div(m, class_="alert alert-danger", id="general-error") for m in messages)
            )

        # ------------------------------------------------------------ runs
        @reactive.extended_task
        async def run_task(job: TrialJob) -> JobOutcome:
            return await asyncio.get_running_loop().run_in_executor(EXECUTOR, job.execute)

        @reactive.extended_task
        async def compare_task(job: TrialJob) -> JobOutcome:
            return await asyncio.get_running_loop().run_in_executor(EXECUTOR, job.execute)

        def checked_run() -> tuple[Any, int, int] | None:
            result = evaluation()
            replicates, seed, errors = run_options()
            message = None
            if not result.ok:
                message = "Fix the fields marked in red on the Design tab first."
            elif errors:
                message = next(iter(errors.values()))
            else:
                try:
                    exports.check_run_size(result.scenario)
                except TregsimInputError as exc:
                    message = exc.message
            if message is not None:
                ui.notification_show(message, type="error", duration=8)
                return None
            return result.scenario, replicates, seed

        @reactive.effect
        @reactive.event(input.run)
        def _run() -> None:
            if run_task.status() == "running":
                ui.notification_show("A run is in progress; cancel it first.", type="warning")
                return
            checked = checked_run()
            if checked is None:
                return
            scenario, replicates, seed = checked
            label = base().source + (" (edited)" if evaluation().overrides else "")
            jobs["run"] = TrialJob([(label, scenario)], replicates, seed)
            job_started.set(job_started() + 1)
            run_task.invoke(jobs["run"])

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel() -> None:
            for job in jobs.values():
                if job is not None:
                    job.cancel()

        @render.ui
        def run_status() -> Any:
            job_started()
            running = run_task.status() == "running" or compare_task.status() == "running"
            if running:
                reactive.invalidate_later(0.3)
            job = jobs["compare"] if compare_task.status() == "running" else jobs["run"]
            return views.status_view(job, running, last_outcome())

        def outcome_of(task: Any) -> JobOutcome | None:
            status = task.status()
            if status == "success":
                return task.result()
            if status == "error":
                return JobOutcome("failed", "The run failed unexpectedly; the app goes on.")
            return None

        @reactive.calc
        def last_outcome() -> JobOutcome | None:
            return outcome_of(run_task)

        @render.ui
        def results() -> Any:
            return views.results_view(last_outcome())

        # ------------------------------------------------------------ typical patient
        @render.ui
        def typical_arm_ui() -> Any:
            arms = list(base().scenario.arm_names)
            return ui.input_select("typical_arm", "Arm", arms, selected=arms[0])

        @render.ui
        def typical_plot() -> Any:
            result = evaluation()
            if result.scenario is None:
                return ui.tags.p("Fix the design first (see the Design tab).")
            days, _ = typical_days()
            req(days is not None)
            arm = input.typical_arm()
            req(arm in result.scenario.arm_names)
            try:
                frame, seconds = cache.get(result.scenario, arm, days)
            except Exception as exc:  # noqa: BLE001 - e.g. the solver failed: say so, go on
                detail = " ".join(str(exc).split())[:300]
                return ui.tags.p(
                    f"The typical patient could not be solved: {detail}", class_="text-danger"
                )
            columns = [c for c in frame.columns if c != "time"]
            state = input.typical_state()
            if state not in columns:
                state = "salt" if "salt" in columns else columns[0]
            with reactive.isolate():
                ui.update_select("typical_state", choices=columns, selected=state)
            png = trajectory_png(frame, state, f"typical patient of arm {arm}: {state}")
            timing = "from the cache" if seconds == 0 else f"solved in {seconds:.2f} s"
            return ui.TagList(
                views.figure_img(png, "typical-img", f"{state} of the typical patient"),
                ui.tags.div(timing, id="typical-timing", class_="small text-muted"),
            )

        # ------------------------------------------------------------ comparison
        @reactive.effect
        @reactive.event(input.add_design)
        def _add_design() -> None:
            result = evaluation()
            current = designs()
            if not result.ok:
                ui.notification_show("Fix the design before adding it.", type="error")
                return
            if len(current) >= MAX_DESIGNS:
                ui.notification_show(f"At most {MAX_DESIGNS} designs; clear first.")
                return
            label = (input.design_label() or "").strip()[:40] or f"design {len(current) + 1}"
            designs.set([*current, (label, result.scenario, result.overrides)])

        @reactive.effect
        @reactive.event(input.clear_designs)
        def _clear() -> None:
            designs.set([])

        @render.ui
        def design_list() -> Any:
            items = [
                ui.tags.li(f"{label}: " + (", ".join(overrides) or "as loaded"))
                for label, _, overrides in designs()
            ]
            return ui.tags.ol(*items, id="design-list") if items else ui.tags.p("No design yet.")

        @reactive.effect
        @reactive.event(input.run_compare)
        def _run_compare() -> None:
            # Once `tregsim compare` (design/) exists, this is where it would be called:
            # the designs share one seed and replicate count here exactly as it promises.
            if compare_task.status() == "running":
                ui.notification_show("A comparison is in progress; cancel it first.")
                return
            chosen = designs()
            if len(chosen) < 2:
                ui.notification_show("Add at least two designs to compare.", type="warning")
                return
            replicates, seed, errors = run_options()
            if errors:
                ui.notification_show(next(iter(errors.values())), type="error")
                return
            for _, scenario, _ in chosen:
                try:
                    exports.check_run_size(scenario)
                except TregsimInputError as exc:
                    ui.notification_show(exc.message, type="error")
                    return
            pairs = [(label, scenario) for label, scenario, _ in chosen]
            jobs["compare"] = TrialJob(pairs, replicates, seed, figures=COMPARE_FIGURES)
            job_started.set(job_started() + 1)
            compare_task.invoke(jobs["compare"])

        @render.ui
        def compare_results() -> Any:
            return views.compare_view(outcome_of(compare_task))

        # ------------------------------------------------------------ exports
        def command() -> str | None:
            result = evaluation()
            replicates, seed, errors = run_options()
            if not result.ok or errors:
                return None
            return exports.run_command(base().source, result.overrides, replicates, seed)

        def scenario_text() -> str:
            result = evaluation()
            if result.scenario is None:
                return "# Fix the fields marked in red first.\n"
            return exports.scenario_yaml(result.scenario, base().source, result.overrides)

        @render.code
        def command_text() -> str:
            return command() or "Fix the fields marked in red first."

        @render.code
        def yaml_text() -> str:
            return scenario_text()

        def _last_result() -> Any:
            outcome = last_outcome()
            if outcome is None or not outcome.results:
                ui.notification_show("Run the design first: there is no data yet.")
                return None
            return outcome.results[0]

        @render.download_button(filename=lambda: f"{_name()}.yaml", media_type="application/yaml")
        def download_yaml():
            yield scenario_text()

        @render.download_button(filename=lambda: f"{_name()}-command.txt", media_type="text/plain")
        def download_command():
            yield (command() or "# Fix the fields marked in red first.") + "\n"

        @render.download_button(filename=lambda: f"{_name()}-patients.csv", media_type="text/csv")
        def download_csv():
            result = _last_result()
            if result is not None:
                yield exports.patients_csv(result.patients)

        @render.download_button(filename=lambda: f"{_name()}-patients.parquet")
        def download_parquet():
            result = _last_result()
            if result is not None:
                yield exports.patients_parquet(result.patients)

        @render.download_button(filename=lambda: f"{_name()}-summary.json")
        def download_summary():
            result = _last_result()
            if result is not None:
                yield exports.summary_json(result.summary)

        def _name() -> str:
            return base().scenario.name

    return server
