"""SBML Level 3 Version 2 export, generated from the same sympy source as the kernels.

The exported model (``tregsim export-sbml``) is one patient:

* one compartment ``body`` (size 1, so amounts and concentrations coincide);
* every state is a species (``hasOnlySubstanceUnits=true``, initial amount from ``y0``)
  governed by a rate rule, the sympy right-hand side of :func:`tregsim.model.il2_aa.
  build_model` (derived quantities kept as symbols);
* every model parameter is a constant global parameter with the patient's value; its
  unit, kind, source and inter-individual CV are in the SBML notes;
* every derived quantity (``il2_pm``, ``signal_treg``, ``salt``, ``treg_pct_cd4``, ...)
  is a non-constant parameter with an assignment rule (``salt`` unclipped);
* the events of the patient's :class:`~tregsim.solve.EventTable` become SBML events
  triggered at ``time >= t_k`` (``initialValue=false``, ``persistent=true``,
  ``useValuesFromTriggerTime=true``); events at exactly ``t0`` (a dose without
  absorption lag on day 0) are applied to the initial amounts instead, since the solver
  reports the state at an event time after the event. Table rows with the same time form
  one SBML event; rows acting on the same state at that time are composed in table order
  (add: ``x + v``, set: ``v``, multiply: ``x * v``), which is exactly the solver's rule.

Time is in days (unit ``day``). libsbml writes numbers with 15 significant digits
(relative rounding <= 5e-16). Expressions go sympy -> fully parenthesised infix ->
``libsbml.parseL3FormulaWithModel`` (powers as ``pow(a, b)``, floats with full precision).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import sympy as sp

from tregsim.solve.events import KIND_NAMES, apply_event

from .spec import ModelSpec

SBML_LEVEL = 3
SBML_VERSION = 2
COMPARTMENT = "body"
TIME_UNIT = "day"


def _number(value: float | int) -> str:
    if isinstance(value, int):
        text = str(value)
    else:
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"cannot export the non-finite number {value!r} to SBML")
        text = repr(value)
    return f"({text})" if value < 0 else text


def infix(expr: sp.Expr) -> str:
    """A fully parenthesised SBML L3 infix formula for a sympy expression."""
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.Integer):
        return _number(int(expr))
    if isinstance(expr, sp.Rational):
        return f"({_number(expr.p)} / {_number(expr.q)})"
    if isinstance(expr, sp.Float):
        return _number(float(expr))
    if isinstance(expr, sp.Add):
        return "(" + " + ".join(infix(a) for a in expr.args) + ")"
    if isinstance(expr, sp.Mul):
        return "(" + " * ".join(infix(a) for a in expr.args) + ")"
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent == -1:
            return f"(1 / {infix(base)})"
        return f"pow({infix(base)}, {infix(exponent)})"
    if expr.is_number:
        return _number(float(expr))
    raise TypeError(f"no SBML translation for {type(expr).__name__}: {expr}")


def _math(formula: str, model: Any) -> Any:
    import libsbml

    ast = libsbml.parseL3FormulaWithModel(formula, model)
    if ast is None:
        raise ValueError(f"libsbml could not parse {formula!r}: {libsbml.getLastParseL3Error()}")
    return ast


def _notes(lines: list[str]) -> str:
    body = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
    return f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'


def _check(code: int, what: str) -> None:
    import libsbml

    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(
            f"libsbml failed to {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


def _event_assignments(events: Any, patient: int, state_names: tuple[str, ...], t0: float):
    """{time: {state: sympy expression}} composing simultaneous rows in table order."""
    if events is None or len(events) == 0:
        return {}
    mine = np.flatnonzero(np.asarray(events.patient) == patient)
    times = np.asarray(events.time, dtype=float)[mine]
    if times.size and times.min() < t0:
        raise ValueError(
            f"events of patient {patient} start at {times.min():g} days, before t0={t0:g}; "
            "drop them or fold them into y0"
        )
    grouped: dict[float, dict[str, sp.Expr]] = {}
    order = mine[np.argsort(times, kind="stable")]
    for row in order:
        time = float(events.time[row])
        name = state_names[int(events.state[row])]
        kind, value = int(events.kind[row]), sp.Float(float(events.value[row]), 17)
        current = grouped.setdefault(time, {}).get(name, sp.Symbol(name))
        if kind not in KIND_NAMES:
            raise ValueError(f"event kind {kind} is not 0 (add), 1 (set) or 2 (multiply)")
        with sp.evaluate(False):  # unevaluated: no redistribution of a later factor
            new = apply_event(current, kind, value)
        grouped[time][name] = new
    return grouped


def export_sbml_string(
    spec: ModelSpec | None,
    params: Any,
    y0: Any,
    events: Any = None,
    *,
    patient: int = 0,
    t0: float = 0.0,
    model_id: str = "tregsim_il2_aa",
    name: str = "tregsim: low-dose IL-2 in alopecia areata",
    notes: tuple[str, ...] = (),
) -> str:
    """One patient of the model as an SBML L3V2 document (a string).

    Args:
        spec: the symbolic model (``None``: :func:`tregsim.model.il2_aa.build_model`).
        params: (n_params,) or (1, n_params) parameter values in ``spec`` order.
        y0: (n_states,) or (1, n_states) state at ``t0``.
        events: an :class:`~tregsim.solve.EventTable` (rows of ``patient`` are exported)
            or ``None``.
        patient: which patient's events to take from ``events``.
        t0: the time ``y0`` refers to (SBML simulations start there); events before it
            are rejected.
        model_id, name: SBML model id and name.
        notes: extra paragraphs for the model notes (e.g. the dosed drug's declaration).
    """
    import libsbml

    if spec is None:
        from .il2_aa import build_model

        spec = build_model()
    params = np.asarray(params, dtype=float).reshape(-1)
    y0 = np.asarray(y0, dtype=float).reshape(-1)
    if params.size != len(spec.parameters):
        raise ValueError(f"params has {params.size} values; the model has {len(spec.parameters)}")
    if y0.size != len(spec.species):
        raise ValueError(f"y0 has {y0.size} values; the model has {len(spec.species)} states")

    grouped = _event_assignments(events, patient, spec.state_names, t0)
    at_start = grouped.pop(float(t0), None)
    if at_start:  # doses at t0 are in the state at t0 (as the solver reports it)
        y0 = y0.copy()
        values = {sp.Symbol(n): float(v) for n, v in zip(spec.state_names, y0, strict=True)}
        for name, expr in at_start.items():
            y0[spec.state_names.index(name)] = float(expr.xreplace(values))

    doc = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
    model = doc.createModel()
    model.setId(model_id)
    model.setName(name)
    model.setNotes(
        _notes(
            [
                "Generated by tregsim.model.sbml from the sympy source tregsim.model.il2_aa.",
                "Time in days; IL-2 and PEG-IL-2 amounts in nmol, baricitinib in mg, blood "
                "cells in cells/uL, skin and follicle variables dimensionless.",
                *notes,
            ]
        )
    )
    unit_def = model.createUnitDefinition()
    unit_def.setId(TIME_UNIT)
    unit = unit_def.createUnit()
    unit.setKind(libsbml.UNIT_KIND_SECOND)
    unit.setExponent(1)
    unit.setScale(0)
    unit.setMultiplier(86400.0)
    model.setTimeUnits(TIME_UNIT)

    compartment = model.createCompartment()
    compartment.setId(COMPARTMENT)
    compartment.setConstant(True)
    compartment.setSize(1.0)
    compartment.setSpatialDimensions(3)

    for species, amount in zip(spec.species, y0, strict=True):
        s = model.createSpecies()
        _check(s.setId(species.name), f"set species id {species.name}")
        s.setName(species.description)
        s.setCompartment(COMPARTMENT)
        s.setHasOnlySubstanceUnits(True)
        s.setBoundaryCondition(False)
        s.setConstant(False)
        s.setInitialAmount(float(amount))
        s.setNotes(_notes([f"unit: {species.unit}", species.description]))

    for parameter, value in zip(spec.parameters, params, strict=True):
        p = model.createParameter()
        _check(p.setId(parameter.name), f"set parameter id {parameter.name}")
        p.setName(parameter.description)
        p.setConstant(True)
        p.setValue(float(value))
        cv = "none" if parameter.iiv_cv is None else f"{parameter.iiv_cv:g}"
        p.setNotes(
            _notes(
                [
                    f"unit: {parameter.unit}",
                    f"kind: {parameter.kind}",
                    f"source: {parameter.source}",
                    f"inter-individual CV: {cv}",
                    f"table value: {parameter.value!r}",
                ]
            )
        )

    for derived in spec.derived:
        p = model.createParameter()
        _check(p.setId(derived), f"set parameter id {derived}")
        p.setConstant(False)
        note = spec.equation_notes.get(derived)
        p.setNotes(_notes(["derived quantity (assignment rule)"] + ([note] if note else [])))

    # rules after every id exists, so the parser resolves names against the model
    for derived, expr in spec.derived.items():
        rule = model.createAssignmentRule()
        rule.setVariable(derived)
        _check(rule.setMath(_math(infix(sp.sympify(expr)), model)), f"set math of {derived}")
    for state in spec.state_names:
        rule = model.createRateRule()
        rule.setVariable(state)
        _check(rule.setMath(_math(infix(sp.sympify(spec.rates[state])), model)), f"rate {state}")
        note = spec.equation_notes.get(state)
        if note:
            rule.setNotes(_notes([note]))

    for index, (time, assignments) in enumerate(sorted(grouped.items())):
        event = model.createEvent()
        event.setId(f"event_{index}")
        event.setUseValuesFromTriggerTime(True)
        trigger = event.createTrigger()
        trigger.setInitialValue(False)
        trigger.setPersistent(True)
        trigger.setMath(_math(f"time >= {_number(time)}", model))
        for state, expr in assignments.items():
            assignment = event.createEventAssignment()
            assignment.setVariable(state)
            _check(assignment.setMath(_math(infix(expr), model)), f"event at {time} on {state}")

    return libsbml.writeSBMLToString(doc)


def validate(sbml: str, units: bool = False) -> list[str]:
    """libsbml consistency errors (severity error or fatal) of an SBML string; [] if valid."""
    import libsbml

    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, units)
    doc.checkConsistency()
    messages = []
    for i in range(doc.getNumErrors()):
        error = doc.getError(i)
        if error.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            messages.append(f"line {error.getLine()}: {error.getMessage().strip()}")
    return messages


__all__ = [
    "export_sbml_string",
    "infix",
    "validate",
]
