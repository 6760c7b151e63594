"""The mechanistic model of low-dose IL-2 in alopecia areata, written once in sympy.

Compartments and sources:

* IL-2 pharmacokinetics: SC depot with first-order absorption (lag applied to
  the dose time), two-compartment disposition (Konrad et al., Cancer Res
  1990;50:2009) and receptor-mediated consumption by every IL-2-binding cell
  (complex endocytosis, Fallon & Lauffenburger 2000), so Treg expansion raises
  IL-2 clearance.
* IL-2 receptor signalling (quasi-steady-state binding): the fraction of CD122
  occupied, through high-affinity alpha-beta-gamma trimers (Kd ~10 pM) for the
  share of CD122 paired with CD25, and beta-gamma dimers (Kd ~1 nM) otherwise
  (PubMed 2201821). Receptor numbers per cell type from the meyer-lab
  gc-cytokines data. IL-2 induces CD25 on Tregs (Busse et al., PNAS 2010). The
  Treg selectivity of low doses is therefore a consequence of receptor numbers
  and affinities, not a constant.
* Blood cells: resting and activated Tregs, T helpers, CD8+ T cells, NK cells.
* Skin: Tregs, autoreactive CD8+NKG2D+ effectors, IFN-gamma, follicle IL-15,
  immune privilege and autoantigen exposure: the IFN-gamma / IL-15 positive
  loop of Xing et al., Nat Med 2014, and the bistable immune-privilege collapse
  of Dobreva, Paus & Cogan, J Theor Biol 2015.
* Hair cycle: anagen (visible / regrowing), catagen, telogen (with club hair /
  empty), dystrophic anagen; durations from sources.md#alopecia-areata.
* Baricitinib: oral one-compartment PK; unbound drug inhibits JAK1-dependent
  IFN-gamma, IL-15 and IL-2 signalling.
* ``disease_activity``: a per-patient multiplier of effector expansion, set by
  events at fixed times (natural flares and remissions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sympy is imported where the equations are built, not at run time
    import sympy as sp

from .parameters import PARAMETERS
from .spec import ModelSpec, Species

S = Species
SPECIES: tuple[Species, ...] = (
    S("il2_depot", "nmol", "IL-2 in the subcutaneous depot", 0.0),
    S("il2_central", "nmol", "IL-2 in the central compartment", 0.0),
    S("il2_peripheral", "nmol", "IL-2 in the peripheral compartment", 0.0),
    S(
        "il2_eliminated",
        "nmol",
        "cumulative IL-2 eliminated (clearance, receptor uptake, SC loss)",
        0.0,
    ),
    S("peg_il2_depot", "nmol", "rezpegaldesleukin (PEG-IL-2) in the subcutaneous depot", 0.0),
    S("peg_il2_central", "nmol", "rezpegaldesleukin (PEG-IL-2) in the body", 0.0),
    S("bari_gut", "mg", "baricitinib in the gut", 0.0),
    S("bari_central", "mg", "baricitinib in the body", 0.0),
    S("treg_resting", "cells/uL", "resting (naive) Tregs in blood", 35.0),
    S("treg_active", "cells/uL", "activated (effector-memory) Tregs in blood", 10.0),
    S(
        "treg_active_homing",
        "cells/uL",
        "skin-homing share of the activated blood Tregs (part of treg_active)",
        2.5,
    ),
    S(
        "treg_stat5_program",
        "1",
        "Treg proliferation programme switched on by IL-2 (fraction)",
        0.0,
    ),
    S("treg_cd25_fold", "1", "CD25 on Tregs relative to the resting reference", 1.0),
    S("tconv_blood", "cells/uL", "conventional CD4 T helpers in blood", 750.0),
    S("cd8_blood", "cells/uL", "CD8+ T cells in blood", 400.0),
    S("nk_blood", "cells/uL", "NK cells in blood", 200.0),
    S("treg_skin", "1", "perifollicular Tregs (healthy reference = 1)", 1.0),
    S("cd8_skin", "1", "perifollicular autoreactive CD8+NKG2D+ effectors (reference units)", 0.05),
    S("ifng_skin", "1", "perifollicular IFN-gamma (relative)", 0.0),
    S("il15_skin", "1", "follicle keratinocyte IL-15 presentation (healthy = 1)", 1.0),
    S("privilege", "1", "intact hair-follicle immune privilege (fraction)", 1.0),
    S("antigen", "1", "follicle autoantigen exposure (relative)", 0.0),
    S("anagen", "1", "fraction of follicles in anagen with a visible shaft", 0.86),
    S("anagen_regrowing", "1", "fraction in new anagen, shaft not yet visible", 0.03),
    S("catagen", "1", "fraction of follicles in catagen", 0.016),
    S("telogen", "1", "fraction in telogen holding a club hair", 0.094),
    S("telogen_empty", "1", "fraction in telogen without hair (after dystrophy)", 0.0),
    S("dystrophic", "1", "fraction of follicles in dystrophic anagen", 0.0),
    S("disease_activity", "1", "disease activity multiplier (set by events)", 1.0),
)


def _sym(names: str) -> tuple[sp.Symbol, ...]:
    import sympy as sp

    return sp.symbols(names)


def build_model() -> ModelSpec:
    """Assemble the symbolic model (species, parameters, rates, derived quantities)."""
    import sympy as sp

    x = {s.name: sp.Symbol(s.name) for s in SPECIES}
    k = {p.name: sp.Symbol(p.name) for p in PARAMETERS}
    d: dict[str, sp.Expr] = {}
    note: dict[str, str] = {}

    # --- exposure -----------------------------------------------------------------
    d["il2_pm"] = x["il2_central"] / k["il2_v1"] * 1000
    note["il2_pm"] = (
        "plasma IL-2 from doses (nmol/L -> pM); endogenous IL-2 is part of the homeostatic "
        "reference levels, so every signal below is the drug's"
    )
    d["bari_unbound_nm"] = x["bari_central"] / k["bari_v"] * k["bari_fu"] / k["bari_mw"] * 1e6
    note["bari_unbound_nm"] = "unbound baricitinib, mg/L -> nM"
    d["jak_inhibition"] = sp.Symbol("bari_unbound_nm") / (
        sp.Symbol("bari_unbound_nm") + k["bari_ic50_nm"]
    )
    note["jak_inhibition"] = "fraction of JAK1-dependent signalling blocked (Emax model)"

    d["peg_il2_pm"] = x["peg_il2_central"] / k["peg_il2_v"] * 1000
    note["peg_il2_pm"] = "plasma rezpegaldesleukin (PEG-IL-2), nmol/L -> pM"

    # --- receptor occupancy (quasi-steady state) --------------------------------------
    # IL-2 and PEG-IL-2 compete for the same receptors: on each receptor form the bound
    # fraction of ligand i is (c_i / Kd_i) / (1 + sum_j c_j / Kd_j). The two ligands
    # reach the trimer through different CD25 dependences (below); with both present the
    # shares are an approximation (no scenario gives both drugs at once).
    c = sp.Symbol("il2_pm")
    cp = sp.Symbol("peg_il2_pm")
    trimer_il2, trimer_peg = c / k["kd_trimer_pm"], cp / k["peg_kd_trimer_pm"]
    dimer_il2, dimer_peg = c / k["kd_dimer_pm"], cp / k["peg_kd_dimer_pm"]
    trimer_free = 1 / (1 + trimer_il2 + trimer_peg)
    dimer_free = 1 / (1 + dimer_il2 + dimer_peg)

    def paired(cd25: sp.Expr) -> sp.Expr:
        return cd25 / (cd25 + k["receptor_pairing_k"])

    def peg_paired(cd25: sp.Expr) -> sp.Expr:
        # PEG-IL-2 reaches CD122 only through CD25 capture, which needs a dense CD25
        # surface (avidity): a Hill function of CD25 number with coefficient 2 (assumed)
        return cd25**2 / (cd25**2 + k["peg_cd25_k"] ** 2)

    def occupancy(cd25: sp.Expr) -> sp.Expr:
        share, peg_share = paired(cd25), peg_paired(cd25)
        return (
            share * trimer_il2 * trimer_free
            + (1 - share) * dimer_il2 * dimer_free
            + peg_share * trimer_peg * trimer_free
            + (1 - peg_share) * dimer_peg * dimer_free
        )

    def il2_bound(cd25: sp.Expr) -> sp.Expr:
        share = paired(cd25)
        return share * trimer_il2 * trimer_free + (1 - share) * dimer_il2 * dimer_free

    cd25_of = {
        "treg": k["cd25_treg"] * x["treg_cd25_fold"],
        "tconv": k["cd25_tconv"],
        "cd8": k["cd25_cd8"],
        "nk": k["cd25_nk"],
    }
    for cell, cd25 in cd25_of.items():
        d[f"occupancy_{cell}"] = occupancy(cd25)
        d[f"il2_bound_{cell}"] = il2_bound(cd25)
    d["occupancy_effector"] = occupancy(k["cd25_effector"])
    note["occupancy_treg"] = (
        "fraction of CD122 bound by IL-2 or PEG-IL-2 (trimer share set by CD25 number; "
        "the two ligands compete)"
    )
    note["il2_bound_treg"] = "fraction of CD122 bound by IL-2 itself (drives IL-2 uptake)"
    note["occupancy_effector"] = (
        "CD122 occupancy of skin CD8+NKG2D+ effectors, same receptor machinery as blood cells"
    )
    jak_free = 1 - sp.Symbol("jak_inhibition")
    for cell in ("treg", "tconv", "cd8", "nk", "effector"):
        d[f"signal_{cell}"] = sp.Symbol(f"occupancy_{cell}") * jak_free
    note["signal_treg"] = "IL-2 signal (pSTAT5 proxy): CD122 occupancy times JAK activity left"

    # --- IL-2 pharmacokinetics --------------------------------------------------------
    uptake_molecules = (
        k["k_endocytosis"]
        * k["body_per_blood_ul"]
        * (
            k["cd122_treg"] * sp.Symbol("il2_bound_treg") * (x["treg_resting"] + x["treg_active"])
            + k["cd122_tconv"] * sp.Symbol("il2_bound_tconv") * x["tconv_blood"]
            + k["cd122_cd8"] * sp.Symbol("il2_bound_cd8") * x["cd8_blood"]
            + k["cd122_nk"] * sp.Symbol("il2_bound_nk") * x["nk_blood"]
        )
    )
    d["il2_receptor_uptake"] = uptake_molecules / 6.02214076e14
    note["il2_receptor_uptake"] = "receptor-mediated IL-2 consumption, molecules/day -> nmol/day"
    absorption = k["il2_ka_sc"] * x["il2_depot"]
    linear_clearance = k["il2_cl"] / k["il2_v1"] * x["il2_central"]
    rates: dict[str, sp.Expr] = {}
    rates["il2_depot"] = -absorption
    rates["il2_central"] = (
        k["il2_f_sc"] * absorption
        - linear_clearance
        - k["il2_k12"] * x["il2_central"]
        + k["il2_k21"] * x["il2_peripheral"]
        - sp.Symbol("il2_receptor_uptake")
    )
    rates["il2_peripheral"] = k["il2_k12"] * x["il2_central"] - k["il2_k21"] * x["il2_peripheral"]
    rates["il2_eliminated"] = (
        (1 - k["il2_f_sc"]) * absorption + linear_clearance + sp.Symbol("il2_receptor_uptake")
    )
    peg_absorption = k["peg_il2_ka_sc"] * x["peg_il2_depot"]
    rates["peg_il2_depot"] = -peg_absorption
    rates["peg_il2_central"] = (
        k["peg_il2_f_sc"] * peg_absorption - k["peg_il2_ke"] * x["peg_il2_central"]
    )
    rates["bari_gut"] = -k["bari_ka"] * x["bari_gut"]
    rates["bari_central"] = (
        k["bari_f"] * k["bari_ka"] * x["bari_gut"] - k["bari_ke"] * x["bari_central"]
    )

    # --- blood cells -------------------------------------------------------------------
    s_treg = sp.Symbol("signal_treg")
    program = x["treg_stat5_program"]
    rates["treg_stat5_program"] = (
        k["treg_program_on"] * s_treg * (1 - program) - k["treg_program_off"] * program
    )
    # Resting (naive) and activated (effector-memory) Tregs: the IL-2 programme drives
    # proliferation of both and conversion resting -> activated (an asymmetric division:
    # the resting pool is not drained), both limited by the room left in the activated
    # pool (competition for IL-2 and niche; quadratic, so the limit bites only near
    # capacity, under sustained signalling, and leaves short low-dose courses as before);
    # activated cells revert to rest. A share of the
    # activated pool is skin-homing (treg_active_homing, a part of treg_active): it gets
    # treg_il2_homing_ratio times the baseline share of the IL-2-driven conversion flux,
    # and proliferates and returns exactly like the whole activated pool.
    resting, active, homing = x["treg_resting"], x["treg_active"], x["treg_active_homing"]
    rates["treg_resting"] = (
        k["treg_resting_turnover"] * (k["treg_resting_ref"] - resting)
        + k["treg_resting_proliferation"]
        * program
        * resting
        * (1 - resting / k["treg_resting_capacity"])
        + k["treg_return_to_rest"] * (active - k["treg_active_ref"])
    )
    active_room = 1 - (active / k["treg_active_capacity"]) ** 2
    conversion = k["treg_activation"] * program * resting * active_room
    active_growth = k["treg_proliferation"] * program * active_room
    active_return = k["treg_active_loss"] + k["treg_return_to_rest"]
    rates["treg_active"] = (
        conversion + active_growth * active - active_return * (active - k["treg_active_ref"])
    )
    homing_ref = k["treg_homing_share"] * k["treg_active_ref"]
    rates["treg_active_homing"] = (
        k["treg_il2_homing_ratio"] * k["treg_homing_share"] * conversion
        + active_growth * homing
        - active_return * (homing - homing_ref)
    )
    rates["treg_cd25_fold"] = k["cd25_turnover"] * (
        1 + k["cd25_induction_gain"] * s_treg - x["treg_cd25_fold"]
    )
    for cell, ref in (("tconv", "tconv_blood"), ("cd8", "cd8_blood"), ("nk", "nk_blood")):
        rates[ref] = (
            k[f"{cell}_turnover"] * (k[f"{cell}_ref"] - x[ref])
            + k[f"{cell}_proliferation"] * sp.Symbol(f"signal_{cell}") * x[ref]
        )

    # --- skin ----------------------------------------------------------------------------
    d["ifng_effective"] = x["ifng_skin"] * jak_free
    note["ifng_effective"] = "IFN-gamma signal in follicle keratinocytes (JAK1/2)"
    g_eff = sp.Symbol("ifng_effective")
    g_half = k["ifng_half_effect"]
    ifng_hill = g_eff**2 / (g_eff**2 + g_half**2)
    d["suppression_free"] = k["treg_suppression_k"] / (k["treg_suppression_k"] + x["treg_skin"])
    note["suppression_free"] = "share of effector activity not suppressed by skin Tregs"
    free = sp.Symbol("suppression_free")
    rates["treg_skin"] = k["treg_skin_homing"] * (
        homing / homing_ref * (1 + k["treg_inflammation_homing"] * ifng_hill) - x["treg_skin"]
    )
    recruitment = (
        k["cd8_skin_influx"]
        * x["cd8_blood"]
        / k["cd8_ref"]
        * (1 + k["cd8_skin_recruitment"] * ifng_hill)
    )
    d["cd122_drive_effector"] = x["il15_skin"] * jak_free + k["effector_il2_coupling"] * sp.Symbol(
        "signal_effector"
    )
    note["cd122_drive_effector"] = (
        "CD122 / gamma-c drive of skin effectors: follicle IL-15 (Xing et al., Nat Med 2014) "
        "plus IL-2 / PEG-IL-2 signalling weighted by the coupling effector_il2_coupling"
    )
    expansion = (
        k["cd8_skin_expansion"]
        * x["disease_activity"]
        * x["antigen"]
        * sp.Symbol("cd122_drive_effector")
        * free
        * x["cd8_skin"]
        * (1 - x["cd8_skin"] / k["cd8_skin_capacity"])
    )
    rates["cd8_skin"] = recruitment + expansion - k["cd8_skin_loss"] * x["cd8_skin"]
    rates["ifng_skin"] = (
        k["ifng_production"] * x["cd8_skin"] * free - k["ifng_decay"] * x["ifng_skin"]
    )
    rates["il15_skin"] = k["il15_rate"] * (1 + k["il15_max_induction"] * ifng_hill - x["il15_skin"])
    rates["privilege"] = (
        k["privilege_recovery"] * (1 - x["privilege"])
        - k["privilege_collapse"] * ifng_hill * x["privilege"]
    )
    follicles_with_antigen = x["anagen"] + x["anagen_regrowing"] + x["dystrophic"]
    rates["antigen"] = k["antigen_rate"] * (
        (k["antigen_basal"] + (1 - x["privilege"])) * follicles_with_antigen - x["antigen"]
    )

    # --- hair cycle ----------------------------------------------------------------------
    d["attack"] = k["follicle_attack"] * x["cd8_skin"] * (1 - x["privilege"])
    note["attack"] = "rate at which anagen follicles become dystrophic (1/day)"
    attack = sp.Symbol("attack")
    rates["anagen_regrowing"] = (
        (x["telogen"] + x["telogen_empty"]) / k["telogen_days"]
        - x["anagen_regrowing"] / k["visible_days"]
        - attack * x["anagen_regrowing"]
    )
    rates["anagen"] = (
        x["anagen_regrowing"] / k["visible_days"]
        - x["anagen"] / k["anagen_days"]
        - attack * x["anagen"]
    )
    rates["catagen"] = x["anagen"] / k["anagen_days"] - x["catagen"] / k["catagen_days"]
    rates["telogen"] = x["catagen"] / k["catagen_days"] - x["telogen"] / k["telogen_days"]
    rates["telogen_empty"] = (
        x["dystrophic"] / k["dystrophic_days"] - x["telogen_empty"] / k["telogen_days"]
    )
    rates["dystrophic"] = (
        attack * (x["anagen"] + x["anagen_regrowing"]) - x["dystrophic"] / k["dystrophic_days"]
    )
    rates["disease_activity"] = sp.Integer(0)

    # --- observables ---------------------------------------------------------------------
    cycle = k["anagen_days"] + k["visible_days"] + k["catagen_days"] + k["telogen_days"]
    d["visible_reference"] = 1 - k["visible_days"] / cycle
    note["visible_reference"] = "visible-hair fraction of a healthy scalp (cycle steady state)"
    d["visible_hair"] = x["anagen"] + x["catagen"] + x["telogen"]
    d["salt"] = 100 * (1 - sp.Symbol("visible_hair") / sp.Symbol("visible_reference"))
    note["salt"] = (
        "SALT: percent scalp hair loss relative to a healthy scalp (Olsen et al., JAAD 2004)"
    )
    d["treg_pct_cd4"] = (
        100
        * (x["treg_resting"] + x["treg_active"])
        / (x["treg_resting"] + x["treg_active"] + x["tconv_blood"])
    )
    note["treg_pct_cd4"] = "Tregs as % of CD4+ T cells in blood"
    cd4 = x["treg_resting"] + x["treg_active"] + x["tconv_blood"]
    d["treg_naive_pct_cd4"] = 100 * x["treg_resting"] / cd4
    note["treg_naive_pct_cd4"] = "resting (naive, CD45RA+) Tregs as % of CD4+ T cells"
    d["treg_activated_pct_cd4"] = 100 * x["treg_active"] / cd4
    note["treg_activated_pct_cd4"] = (
        "activated (effector-memory, CD25bright) Tregs as % of CD4+ T cells; with the naive "
        "share it adds up to treg_pct_cd4"
    )
    return ModelSpec(SPECIES, PARAMETERS, rates, d, note)
