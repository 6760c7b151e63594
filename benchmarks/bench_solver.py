"""Per-patient cost of tregsim's batched Rodas4 vs libRoadRunner (CVODE) and scipy.

Not a test. Run from the repository root::

    .venv/bin/python benchmarks/bench_solver.py --quick
    .venv/bin/python benchmarks/bench_solver.py --patients 2000 --model all

Every solver gets the same problem per patient (parameters varied log-normally, same dose
events, same save times, same rtol/atol) and must return the values at the save times.
scipy (``solve_ivp`` LSODA and Radau, calling the same compiled rhs/jac kernels) and
libRoadRunner (CVODE, one simulate call per inter-event segment, driven from Python) run
patient by patient on a subset; tregsim runs the whole batch with 1 and 2 numba threads
(after a warm-up call that loads or compiles the cached kernel), with its lane kernels
(SIMD across 8 patients, the default) and, for comparison, one patient at a time. Times
are wall clock, best of ``--repeat``. "max rel diff" compares each solver's saved values
with tregsim's (2 threads) relative to ``max(|value|, scale)``, the scale being the
state's peak.

Models: ``tregsim`` (default: the model in ``tregsim.model`` on the pilot-2014 regimen, 2
years, 20 IL-2 doses + disease-activity events every 60 days, see ``workload.py``; 20,000
patients, ``--quick`` 2,000; libRoadRunner on ``tregsim.model.sbml.export_sbml_string``),
``robertson`` (3 states, stiff, no events), ``pk`` (2 states, oral doses twice a week).
Tables are appended to ``benchmarks/results.md`` with the date and machine.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # test models live in tests/solve/models.py
sys.path.insert(0, str(ROOT / "benchmarks"))  # workload.py


@dataclass
class Problem:
    name: str
    rhs: object
    jac: object
    params: np.ndarray
    y0: np.ndarray
    events: object  # EventTable
    save_times: np.ndarray
    rtol: float | np.ndarray  # per state for the tregsim model (DEFAULT_RTOL)
    atol: float | np.ndarray
    sbml: str | None  # SBML with parameters named param_names and species state_names
    param_names: list[str]
    state_names: list[str]


def _species_sbml(name, species, params, reactions):
    """Plain SBML L3V1: unit compartment, amounts = concentrations, mass-action laws."""
    sp = "".join(
        f'<species id="{s}" compartment="c" initialAmount="{v}" hasOnlySubstanceUnits="true" '
        f'boundaryCondition="false" constant="false"/>'
        for s, v in species
    )
    pa = "".join(f'<parameter id="{p}" value="{v}" constant="true"/>' for p, v in params)
    rx = ""
    for rid, reac, prod, law in reactions:

        def refs(items):
            return "".join(
                f'<speciesReference species="{s}" stoichiometry="{n}" constant="true"/>'
                for s, n in items
            )

        rx += (
            f'<reaction id="{rid}" reversible="false">'
            + (f"<listOfReactants>{refs(reac)}</listOfReactants>" if reac else "")
            + (f"<listOfProducts>{refs(prod)}</listOfProducts>" if prod else "")
            + f'<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{law}</math>'
            "</kineticLaw></reaction>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
        f'<model id="{name}"><listOfCompartments><compartment id="c" size="1" '
        'constant="true"/></listOfCompartments>'
        f"<listOfSpecies>{sp}</listOfSpecies><listOfParameters>{pa}</listOfParameters>"
        f"<listOfReactions>{rx}</listOfReactions></model></sbml>"
    )


def _times(*names):
    return "<apply><times/>" + "".join(f"<ci>{n}</ci>" for n in names) + "</apply>"


def robertson(n, rng):
    from solve import models as M

    from tregsim.solve import EventTable

    k = np.array([0.04, 3e7, 1e4]) * rng.lognormal(0, 0.3, (n, 3))
    sbml = _species_sbml(
        "robertson",
        [("A", 1.0), ("B", 0.0), ("C", 0.0)],
        [("k1", 0.04), ("k2", 3e7), ("k3", 1e4)],
        [
            ("r1", [("A", 1)], [("B", 1)], _times("k1", "A")),
            ("r2", [("B", 2)], [("B", 1), ("C", 1)], _times("k2", "B", "B")),
            ("r3", [("B", 1), ("C", 1)], [("A", 1), ("C", 1)], _times("k3", "B", "C")),
        ],
    )
    return Problem(
        "robertson",
        M.robertson_rhs,
        M.robertson_jac,
        k,
        np.tile([1.0, 0.0, 0.0], (n, 1)),
        EventTable.empty(),
        np.concatenate([[0.0], np.logspace(-2, 5, 36)]),
        1e-6,
        1e-10,
        sbml,
        ["k1", "k2", "k3"],
        ["A", "B", "C"],
    )


def pk(n, rng):
    from solve import models as M

    from tregsim.solve import EventTable

    theta = np.array([1.5, 0.3]) * rng.lognormal(0, 0.3, (n, 2))
    dose_t = np.arange(0.0, 364.0, 3.5)
    events = EventTable.from_dose_records(
        np.repeat(np.arange(n), dose_t.size), np.tile(dose_t, n), 100.0, 0
    )
    sbml = _species_sbml(
        "pk",
        [("depot", 0.0), ("central", 0.0)],
        [("ka", 1.5), ("ke", 0.3)],
        [
            ("absorption", [("depot", 1)], [("central", 1)], _times("ka", "depot")),
            ("elimination", [("central", 1)], [], _times("ke", "central")),
        ],
    )
    return Problem(
        "pk",
        M.pk_rhs,
        M.pk_jac,
        theta,
        np.zeros((n, 2)),
        events,
        np.arange(0.0, 365.0, 7.0),
        1e-6,
        1e-9,
        sbml,
        ["ka", "ke"],
        ["depot", "central"],
    )


def tregsim_model(n, rng):
    """The pilot-2014 regimen on n patients (see benchmarks/workload.py), 2 years."""
    from workload import pilot_workload

    from tregsim.model import MODEL, _generated, jac, rhs

    w = pilot_workload(n)
    sbml = None
    try:
        sbml = importlib.import_module("tregsim.model.sbml").export_sbml_string(
            None, w.params[0], w.y0[0]
        )
    except Exception as exc:  # noqa: BLE001 - the export is another engineer's work
        print(f"  SBML export unavailable: {type(exc).__name__}: {exc}")
    return Problem(
        "tregsim",
        rhs,
        jac,
        w.params,
        w.y0,
        w.events,
        w.save_times,
        np.asarray(_generated.DEFAULT_RTOL),
        np.asarray(_generated.DEFAULT_ATOL),
        sbml,
        list(MODEL.parameter_names),
        list(MODEL.state_names),
    )


def _segments(problem, i):
    """Event times and events of patient i, grouped by time."""
    ev = problem.events
    keep = ev.patient == i
    t, s, k, v = ev.time[keep], ev.state[keep], ev.kind[keep], ev.value[keep]
    order = np.argsort(t, kind="stable")
    return t[order], s[order], k[order], v[order]


def _apply(y, s, k, v):
    if k == 0:
        y[s] += v
    elif k == 1:
        y[s] = v
    else:
        y[s] *= v


def _piecewise(problem, i, advance):
    """Drive a per-patient solver segment by segment; ``advance(t0, t1, y, t_eval)``
    returns (y at t1, values at t_eval)."""
    times = problem.save_times
    et, es, ek, ev = _segments(problem, i)
    y = problem.y0[i].copy()
    out = np.full((times.size, y.size), np.nan)
    t, ie = 0.0, 0
    stops = np.unique(np.concatenate([et[et <= times[-1]], [times[-1]]]))
    for stop in np.concatenate([[0.0], stops]):
        if stop > t:
            mask = (times > t) & (times <= stop)
            y, vals = advance(t, stop, y, times[mask])
            out[mask] = vals
            t = stop
        while ie < et.size and et[ie] <= t:
            _apply(y, es[ie], ek[ie], ev[ie])
            ie += 1
        out[times == t] = y
    return out


def run_scipy(problem, idx, method):
    """solve_ivp patient by patient; Radau takes one rtol only (the tightest is used)."""
    from scipy.integrate import solve_ivp

    rtol = problem.rtol if method == "LSODA" else float(np.min(problem.rtol))

    n_states = problem.y0.shape[1]
    out = []
    for i in idx:
        p = problem.params[i]
        dydt = np.empty(n_states)
        jmat = np.zeros((n_states, n_states))

        def f(t, y, p=p, dydt=dydt):
            problem.rhs(t, y, p, dydt)
            return dydt.copy()

        def jf(t, y, p=p, jmat=jmat):
            problem.jac(t, y, p, jmat)
            return jmat.copy()

        def advance(t0, t1, y, t_eval, f=f, jf=jf):
            grid = np.unique(np.concatenate([t_eval, [t1]]))
            sol = solve_ivp(
                f, (t0, t1), y, method=method, t_eval=grid, jac=jf, rtol=rtol, atol=problem.atol
            )
            if not sol.success:
                return np.full_like(y, np.nan), np.full((t_eval.size, y.size), np.nan)
            return sol.y[:, -1].copy(), sol.y.T[np.isin(grid, t_eval)]

        out.append(_piecewise(problem, i, advance))
    return np.array(out)


def load_roadrunner(problem):
    """Parse and JIT-compile the SBML (timed separately, once per model)."""
    import roadrunner

    return roadrunner.RoadRunner(problem.sbml)


def run_roadrunner(problem, idx, rr, rtol):
    """CVODE has one relative tolerance: ``rtol`` (a scalar), per-state atol as given."""
    rr.integrator.relative_tolerance = float(rtol)
    atol = np.atleast_1d(problem.atol)
    try:
        rr.integrator.absolute_tolerance = atol.tolist() if atol.size > 1 else float(atol[0])
    except Exception:  # noqa: BLE001 - older libRoadRunner: scalar only, take the tightest
        rr.integrator.absolute_tolerance = float(atol.min())
    rr.timeCourseSelections = ["time"] + problem.state_names
    out = []
    for i in idx:
        rr.resetAll()
        for name, value in zip(problem.param_names, problem.params[i], strict=True):
            rr[name] = value
        for name, value in zip(problem.state_names, problem.y0[i], strict=True):
            rr[name] = value

        def advance(t0, t1, y, t_eval):
            for name, value in zip(problem.state_names, y, strict=True):
                rr[name] = value
            grid = np.unique(np.concatenate([[t0], t_eval, [t1]]))
            res = np.asarray(rr.simulate(times=list(grid)))
            vals = res[np.isin(grid, t_eval), 1:]
            return res[-1, 1:].copy(), vals

        out.append(_piecewise(problem, i, advance))
    return np.array(out)


def _best(fn, repeat):
    best, result = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def whole_run(n):
    """Wall time of ``tregsim run pilot-2014 --set population.n=<n> --replicates 1`` (a fresh
    process: imports, screening, trial solve, outputs and report), per enrolled patient."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        cmd = [
            sys.executable,
            "-c",
            "import sys; from tregsim.cli import main; sys.exit(main())",
            "run",
            "pilot-2014",
            "--set",
            f"population.n={n}",
            "--replicates",
            "1",
            "--out",
            str(Path(out) / "run"),
        ]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return (time.perf_counter() - t) / n


def lanes_available(rhs) -> bool:
    """True if the kernels' module has lane kernels (SIMD across patients, ``*_lanes``)."""
    module = importlib.import_module(rhs.py_func.__module__)
    return hasattr(module, "rhs_lanes")


def bench(problem, n_subset, repeat, whole=False):
    from tregsim.solve import solve_batch

    kw = dict(rtol=problem.rtol, atol=problem.atol, rhs=problem.rhs, jac=problem.jac)
    args = (problem.params, problem.y0, problem.events, problem.save_times)
    t = time.perf_counter()
    solve_batch(
        problem.params[:2],
        problem.y0[:2],
        problem.events.select_patients(0, 2),
        problem.save_times,
        **kw,
    )
    warm = time.perf_counter() - t
    n = problem.y0.shape[0]
    rows = []
    t2, ref = _best(lambda: solve_batch(*args, threads=2, **kw), repeat)
    t1, one = _best(lambda: solve_batch(*args, threads=1, **kw), repeat)
    scale = np.nanmax(np.abs(ref.values), axis=(0, 1))
    scale = np.where(scale > 0, scale, 1.0)

    def diff(vals, rows_idx):
        r = ref.values[rows_idx]
        return float(np.nanmax(np.abs(vals - r) / np.maximum(np.abs(r), scale * 1e-3)))

    rows.append(("tregsim Rodas4, 2 threads", t2 / n, 0.0, ref.n_failed))
    rows.append(("tregsim Rodas4, 1 thread", t1 / n, diff(one.values, slice(None)), one.n_failed))
    if lanes_available(problem.rhs):
        for threads in (2, 1):
            ts, res = _best(
                lambda t=threads: solve_batch(*args, threads=t, lanes=False, **kw), repeat
            )
            rows.append(
                (
                    f"tregsim Rodas4 one patient at a time (lanes=False), {threads} "
                    f"thread{'s' if threads > 1 else ''}",
                    ts / n,
                    diff(res.values, slice(None)),
                    res.n_failed,
                )
            )
    if whole:
        rows.append((f"tregsim whole run, pilot-2014 n={n} (per patient)", whole_run(n), np.nan, 0))
    idx = np.arange(min(n_subset, n))
    for method in ("LSODA", "Radau"):
        ts, vals = _best(lambda m=method: run_scipy(problem, idx, m), 1)
        rows.append(
            (
                f"scipy {method} (per patient)",
                ts / idx.size,
                diff(vals, idx),
                int(np.isnan(vals).any(axis=(1, 2)).sum()),
            )
        )
    if problem.sbml is not None:
        try:
            t = time.perf_counter()
            rr = load_roadrunner(problem)
            print(f"  libRoadRunner model load (SBML parse + JIT): {time.perf_counter() - t:.2f} s")
            # one scalar rtol in CVODE: the loosest of tregsim's per-state values (the
            # ratio column uses this, the faster setting) and the tightest one
            for rtol in sorted(
                {float(np.max(problem.rtol)), float(np.min(problem.rtol))}, reverse=True
            ):
                ts, vals = _best(lambda r=rtol: run_roadrunner(problem, idx, rr, r), 1)
                rows.append(
                    (
                        f"libRoadRunner CVODE rtol {rtol:g} (per patient)",
                        ts / idx.size,
                        diff(vals, idx),
                        int(np.isnan(vals).any(axis=(1, 2)).sum()),
                    )
                )
        except Exception as exc:  # noqa: BLE001 - report, keep benchmarking
            print(f"  libRoadRunner failed on {problem.name}: {exc}")
    else:
        print("  libRoadRunner skipped: no SBML export for this model yet")
    base = rows[0][1]
    lines = [
        f"{problem.name}: {n} patients, {problem.save_times.size} save times, "
        f"{len(problem.events)} events, "
        f"rtol={problem.rtol if np.ndim(problem.rtol) == 0 else 'per state (DEFAULT_RTOL)'}, "
        f"atol={problem.atol if np.ndim(problem.atol) == 0 else 'per state (DEFAULT_ATOL)'}; "
        f"kernel load/compile + 2 patients {warm:.2f} s; "
        f"steps/patient mean {ref.n_steps.mean():.0f} (rejected {ref.n_rejected.mean():.0f})",
        "",
        "| solver | us/patient | ratio to tregsim 2 threads | libRoadRunner / this "
        "| max rel diff | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rr = [per for name, per, _, _ in rows if name.startswith("libRoadRunner")]
    for name, per, d, failed in rows:
        speedup = f"{rr[0] / per:.2f}" if rr else "-"
        dd = "-" if np.isnan(d) else f"{d:.2e}"
        lines.append(
            f"| {name} | {per * 1e6:.1f} | {per / base:.2f} | {speedup} | {dd} | {failed} |"
        )
    print("\n" + "\n".join(lines))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small N, one repeat")
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument(
        "--subset",
        type=int,
        default=50,
        help="patients solved one by one by scipy and libRoadRunner",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", choices=["robertson", "pk", "tregsim", "all"], default="tregsim")
    parser.add_argument(
        "--results",
        default=str(ROOT / "benchmarks" / "results.md"),
        help="markdown file the tables are appended to ('' for none)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-whole-run",
        action="store_true",
        help="skip timing `tregsim run pilot-2014 --replicates 1` (tregsim model)",
    )
    a = parser.parse_args(argv)
    if a.quick:
        a.patients, a.subset, a.repeat = 2000, 10, 1
    rng = np.random.default_rng(a.seed)
    builders = {"robertson": robertson, "pk": pk, "tregsim": tregsim_model}
    names = list(builders) if a.model == "all" else [a.model]
    tables = []
    for name in names:
        try:
            problem = builders[name](a.patients, rng)
        except Exception as exc:  # noqa: BLE001 - the model may not be importable yet
            print(f"\n{name}: skipped ({type(exc).__name__}: {exc})")
            continue
        tables.append(
            bench(problem, a.subset, a.repeat, whole=name == "tregsim" and not a.no_whole_run)
        )
    if a.results and tables:
        import datetime
        import os
        import platform

        head = (
            f"\n## {datetime.date.today().isoformat()}, {platform.node()}, "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
            f"(args: {' '.join(argv if argv is not None else sys.argv[1:])})\n\n"
        )
        with open(a.results, "a") as fh:
            fh.write(head + "\n\n".join("\n".join(t) for t in tables) + "\n")


if __name__ == "__main__":
    main()
