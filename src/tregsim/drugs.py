"""The drug registry: one plain declaration per drug (data only, no model equations).

Every drug tregsim can dose is declared here once: its routes, the dose units a scenario
may use with the factor that turns one unit into the model's amount, the plausible range
of one administration in each unit, where each route puts the dose in the model (a state
name), the absorption lag, the model parameters that carry its PK and receptor binding,
the observable naming its exposure, and its sources. The protocol validates regimens
against it, :mod:`tregsim.model.dosing` turns doses into events with it, the SBML export
and the report describe drugs from it.

This module imports nothing from tregsim, so the protocol layer (below the model) can
read it without importing the model's equations. Adding a drug is one :class:`Drug`
here, its states and parameters in :mod:`tregsim.model.il2_aa` /
:mod:`tregsim.model.parameters`, and a scenario.

Unit conversions (sources in ``docs/sources.md``):

* aldesleukin: 18 MIU = 1.1 mg (Proleukin label), MW about 15.3 kDa, so one MIU is
  61.1 ug = 3.99 nmol; per-m2 doses use the patient's body surface area, per-kg doses
  the body weight.
* rezpegaldesleukin: doses in ug/kg (Fanton et al., J Transl Autoimmun 2022;5:100152,
  PMID 35517914). The mass is *assumed* to count the aldesleukin protein (15.3 kDa) and
  not the polyethylene glycol (not confirmed in any source seen).
* baricitinib: mg, the model's own amount unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

#: nmol of aldesleukin per MIU: 1.1 mg / 18 MIU / 15.3 kDa (Proleukin label;
#: docs/sources.md#il2-pharmacology).
NMOL_PER_MIU = 1.1e-3 / 18.0 / 15300.0 * 1e9
#: nmol of IL-2 protein per ug (MW 15.3 kDa); rezpegaldesleukin doses assumed protein mass.
NMOL_PER_UG_IL2 = 1e-6 / 15300.0 * 1e9
#: SC absorption lag of aldesleukin, 27 min (Piscitelli; sources.md#il2-pharmacology), in days.
IL2_SC_LAG_DAYS = 27.0 / 1440.0


@dataclass(frozen=True)
class DoseUnit:
    """A dose unit of one drug: ``amount = dose * factor * (weight_kg | bsa_m2 | 1)``.

    ``per`` is ``"kg"`` (times body weight), ``"m2"`` (times body surface area) or ``""``;
    ``plausible`` is the (low, high) range of one administration in this unit that the
    protocol accepts; outside it a scenario is rejected as a probable unit mistake. The
    ranges are wide on purpose (assumed): aldesleukin from the lowest DILT1D dose (0.04
    MIU/m2) with margin to above the high-dose cancer regimen (600,000 IU/kg, about 42
    MIU, every 8 h); rezpegaldesleukin around the phase 1 range 0.3-28 ug/kg; baricitinib
    around the 2-4 mg daily doses.
    """

    name: str
    factor: float
    per: str
    plausible: tuple[float, float]


@dataclass(frozen=True)
class Drug:
    """One drug as data: routes, units, where doses go, exposure read-out, sources."""

    name: str
    label: str
    amount_unit: str
    units: tuple[DoseUnit, ...]
    #: route -> model state receiving the dose (first route = default when omitted)
    compartments: tuple[tuple[str, str], ...]
    #: route -> absorption lag added to each dose time, days
    lags_days: tuple[tuple[str, float], ...] = ()
    #: the model observable of its exposure (``tregsim.model.observe`` key), if any
    exposure: str = ""
    #: model parameters carrying its PK and receptor binding (for the docs and report)
    parameters: tuple[str, ...] = ()
    receptor_binding: str = ""
    sources: tuple[str, ...] = ()

    @property
    def routes(self) -> tuple[str, ...]:
        """Routes accepted, the default first."""
        return tuple(route for route, _ in self.compartments)

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units)

    def unit(self, name: str) -> DoseUnit:
        """The declared unit ``name`` (KeyError when the drug has no such unit)."""
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)

    def compartment(self, route: str) -> str:
        """The model state a dose by ``route`` is added to."""
        return dict(self.compartments)[route]

    def lag_days(self, route: str) -> float:
        return dict(self.lags_days).get(route, 0.0)

    @property
    def is_placebo(self) -> bool:
        return not self.units


_ALDESLEUKIN_SOURCES = (
    "Konrad et al., Cancer Res 1990;50:2009 (IV and SC PK)",
    "Proleukin label (18 MIU = 1.1 mg)",
    "Piscitelli (SC lag 27 min, apparent half-life 3.3 h; sources.md#il2-pharmacology)",
)

DRUGS: MappingProxyType[str, Drug] = MappingProxyType(
    {
        "il2": Drug(
            name="il2",
            label="aldesleukin (IL-2)",
            amount_unit="nmol",
            units=(
                DoseUnit("MIU", NMOL_PER_MIU, "", (0.01, 100.0)),
                DoseUnit("MIU/m2", NMOL_PER_MIU, "m2", (0.01, 60.0)),
                DoseUnit("IU/kg", NMOL_PER_MIU / 1e6, "kg", (100.0, 1_000_000.0)),
            ),
            compartments=(("sc", "il2_depot"), ("iv", "il2_central")),
            lags_days=(("sc", IL2_SC_LAG_DAYS),),
            exposure="il2_pm",
            parameters=(
                "il2_cl",
                "il2_v1",
                "il2_k12",
                "il2_k21",
                "il2_ka_sc",
                "il2_f_sc",
                "kd_trimer_pm",
                "kd_dimer_pm",
            ),
            receptor_binding="alpha-beta-gamma trimer Kd 10 pM, beta-gamma dimer Kd 1 nM",
            sources=_ALDESLEUKIN_SOURCES,
        ),
        "rezpegaldesleukin": Drug(
            name="rezpegaldesleukin",
            label="rezpegaldesleukin (PEG-IL-2)",
            amount_unit="nmol",
            units=(DoseUnit("ug/kg", NMOL_PER_UG_IL2, "kg", (0.1, 50.0)),),
            compartments=(("sc", "peg_il2_depot"),),
            exposure="peg_il2_pm",
            parameters=(
                "peg_il2_ka_sc",
                "peg_il2_ke",
                "peg_il2_v",
                "peg_il2_f_sc",
                "peg_kd_trimer_pm",
                "peg_kd_dimer_pm",
            ),
            receptor_binding=(
                "polyethylene glycol weakens binding to CD122 far more on the beta-gamma "
                "dimer than on the CD25-containing trimer, so signalling needs CD25"
            ),
            sources=(
                "Fanton et al., J Transl Autoimmun 2022;5:100152, PMID 35517914 "
                "(phase 1: SC 0.3-28 ug/kg, half-life 7.4-12.9 days, dose-proportional)",
            ),
        ),
        "baricitinib": Drug(
            name="baricitinib",
            label="baricitinib",
            amount_unit="mg",
            units=(DoseUnit("mg", 1.0, "", (0.5, 50.0)),),
            compartments=(("oral", "bari_gut"),),
            exposure="jak_inhibition",
            parameters=("bari_ka", "bari_ke", "bari_v", "bari_f", "bari_fu", "bari_ic50_nm"),
            receptor_binding="JAK1/JAK2 inhibitor (IC50 5.9 / 5.7 nM), no IL-2 receptor binding",
            sources=(
                "EU SmPC (enzyme IC50, MW 371.4)",
                "Clin Pharmacol Drug Dev 2020;9:952, PMID 32945153 (PK)",
            ),
        ),
        "placebo": Drug(
            name="placebo",
            label="placebo",
            amount_unit="",
            units=(),
            compartments=(("sc", ""), ("iv", ""), ("oral", "")),
            sources=("no active drug: matching injections or tablets",),
        ),
    }
)


def drug(name: str) -> Drug:
    """The declaration of ``name`` (KeyError when it is not registered)."""
    return DRUGS[name]


def dose_amount(drug_name: str, dose: float, unit: str, weight_kg: float, bsa_m2: float) -> float:
    """One administration in the model's amount unit (nmol of IL-2 or PEG-IL-2, mg)."""
    u = DRUGS[drug_name].unit(unit)
    scale = {"kg": weight_kg, "m2": bsa_m2, "": 1.0}[u.per]
    return dose * u.factor * scale


__all__ = ["DRUGS", "Drug", "DoseUnit", "NMOL_PER_MIU", "NMOL_PER_UG_IL2", "drug", "dose_amount"]
