"""Source-generation helpers of :mod:`tregsim.model.codegen` for the sparse LU and the
SIMD lane kernels: code that writes code, kept apart from the model's symbolic pipeline.
"""

from __future__ import annotations

import re

#: Patients per lane group of the ``*_lanes`` kernels: 8 doubles fill an AVX-512 register
#: (two AVX2 registers). Fixed, so a patient's arithmetic never depends on its group.
LANES = 8
_INDEXED = re.compile(r"\b(y|p|dydt|v|E|b|G)\[(\d+)\]")
_STORE = re.compile(r"\s*(dydt|v|E|b|G|ok)\[")
_MAX_LANE_STORES = 40


def _lane_line(line: str) -> str:
    return "    " + _INDEXED.sub(lambda m: f"{m[1]}[{int(m[2]) * LANES} + k]", line)


def _lanes_loops(blocks: list[str], count: str) -> str:
    """Straight-line code of a one-patient kernel, run for each of ``LANES`` patients stored
    lane-minor (``x[i * LANES + k]`` is entry ``i`` of patient ``k``).

    Each loop over the patients has independent iterations with constant offsets, which
    LLVM's loop vectorizer turns into SIMD across patients (structure of arrays); same
    operations in the same order as the one-patient kernel, so each patient's values are
    bit-identical to it. Consecutive ``blocks`` (no local variable crosses a block
    boundary) share a loop up to ``_MAX_LANE_STORES`` array stores: LLVM (22) gives up on a
    loop with more (60 vectorized, 90 did not, measured). The trip count (``LANES`` in
    practice) is read from an array's length: a constant trip count gets the loop unrolled
    instead, without vectorization (measured).
    """
    loops: list[list[str]] = [[]]
    stores = 0
    for block in blocks:
        lines = block.splitlines()
        n = sum(1 for line in lines if _STORE.match(line))
        if loops[-1] and stores + n > _MAX_LANE_STORES:
            loops.append([])
            stores = 0
        loops[-1] += lines
        stores += n
    out = []
    for body in loops:
        out.append(f"    for k in range({count}):")
        out += [_lane_line(line) for line in body]
    return "\n".join(out)


def _elimination_order(pattern: set[tuple[int, int]], n: int) -> list[int]:
    """Greedy Markowitz order (least (r-1)(c-1) fill first, ties by index), on the symbolic
    pattern of ``I/(h gamma) - J`` (the diagonal is always present)."""
    pat = set(pattern) | {(i, i) for i in range(n)}
    remaining = list(range(n))
    order = []

    def cost(k, remaining, pat):
        r = sum(1 for j in remaining if (k, j) in pat)
        c = sum(1 for i in remaining if (i, k) in pat)
        return ((r - 1) * (c - 1), k)

    while remaining:
        k = min(remaining, key=lambda k: cost(k, remaining, pat))  # noqa: B023
        remaining.remove(k)
        rows = [i for i in remaining if (i, k) in pat]
        cols = [j for j in remaining if (k, j) in pat]
        pat |= {(i, j) for i in rows for j in cols}
        order.append(k)
    return order


def _sparse_lu_source(nonzero: list[tuple[int, int]], n: int) -> str:
    """Straight-line LU without pivoting of ``E = I/(h gamma) - J`` on the Jacobian's pattern.

    The elimination order is fixed (Markowitz, computed here once). The Jacobian comes as
    the 1-D array of its nonzeros (``jac_values``, order ``JAC_NONZERO``) and ``E`` is a
    packed 1-D array holding only the pattern of ``I/(h gamma) - J`` and its fill (order
    ``LU_PATTERN``), so every access is a constant offset. ``lu_factor`` returns False (the
    caller then falls back to dense LU with partial pivoting on ``jac_scatter``'s matrix)
    when a pivot is not finite or has lost more than 12 digits against the original
    diagonal entry.
    """
    order = _elimination_order(set(nonzero), n)
    pos = {k: i for i, k in enumerate(order)}
    pat = set(nonzero) | {(i, i) for i in range(n)}
    fill: set[tuple[int, int]] = set()
    lower: dict[int, list[int]] = {}
    upper: dict[int, list[int]] = {}
    for k in order:
        rows = sorted((i for i in range(n) if pos[i] > pos[k] and (i, k) in pat), key=pos.get)
        cols = sorted((j for j in range(n) if pos[j] > pos[k] and (k, j) in pat), key=pos.get)
        lower[k], upper[k] = rows, cols
        for i in rows:
            for j in cols:
                if (i, j) not in pat:
                    pat.add((i, j))
                    fill.add((i, j))
    jpos = {ij: q for q, ij in enumerate(nonzero)}
    epos = {ij: q for q, ij in enumerate(sorted(pat))}

    def e(i, j):
        return f"E[{epos[(i, j)]}]"

    load = ["    # E = I/(h gamma) - J on the pattern, zero on the fill"]
    for i, j in sorted(pat):
        if (i, j) in fill:
            load.append(f"    {e(i, j)} = 0.0")
        elif i == j:
            load.append(
                f"    {e(i, i)} = inv_hg - v[{jpos[(i, i)]}]"
                if (i, i) in jpos
                else f"    {e(i, i)} = inv_hg"
            )
        else:
            load.append(f"    {e(i, j)} = -v[{jpos[(i, j)]}]")
    scatter = [f"    J[{i}, {j}] = v[{q}]" for q, (i, j) in enumerate(nonzero)]
    fac = []
    fac_lanes = []  # blocks; no early return: a bad pivot only clears the patient's flag
    for k in order:
        fac.append(f"    d = {e(k, k)}")
        fac.append(f"    if not (abs(d) > 1e-12 * abs(g{k})) or not np.isfinite(d):")
        fac.append("        return False")
        check = f"    ok[k] &= (abs(d) > 1e-12 * abs(G[{k}])) & (abs(d) < np.inf)"
        tail = []
        tail.append("    inv = 1.0 / d")
        tail.append(f"    {e(k, k)} = inv  # the solve multiplies by the pivot's reciprocal")
        for i in lower[k]:
            tail.append(f"    {e(i, k)} *= inv")
            tail.append(f"    l = {e(i, k)}")
            for j in upper[k]:
                tail.append(f"    {e(i, j)} -= l * {e(k, j)}")
        fac += tail
        fac_lanes.append("\n".join([f"    d = {e(k, k)}", check, *tail]))
    diag = [f"    g{k} = {e(k, k)}" for k in order]
    solve = []
    for k in order:
        for i in lower[k]:
            solve.append(f"    b[{i}] -= {e(i, k)} * b[{k}]")
    for k in reversed(order):
        terms = "".join(f" - {e(k, j)} * b[{j}]" for j in upper[k])
        solve.append(f"    b[{k}] = (b[{k}]{terms}) * {e(k, k)}")
    nl = "\n"
    start = ["    ok[k] = True", *(f"    G[{k}] = {e(k, k)}" for k in order)]
    fac_lanes_body = _lanes_loops(["\n".join(start), *fac_lanes], "ok.shape[0]")
    return f"""
#: Elimination order of the generated sparse LU (Markowitz on the Jacobian pattern).
LU_ORDER = {tuple(order)!r}
#: (row, column) of each entry of the packed LU array (pattern of I/(h gamma) - J + fill).
LU_PATTERN = {tuple(sorted(pat))!r}
LU_NNZ = {len(pat)}


@njit(cache=True, fastmath=False)
def jac_scatter(v, J):
    \"\"\"Write the nonzeros ``v`` (from :func:`jac_values`) into the dense ``J`` (other
    entries are left as they are: pass a zeroed ``J``).\"\"\"
{nl.join(scatter)}


@njit(cache=True, fastmath=False)
def lu_load(v, inv_hg, E):
    \"\"\"Packed ``E`` (order LU_PATTERN) = ``I*inv_hg - J``, ``J`` given by its nonzeros ``v``
    (order JAC_NONZERO, from :func:`jac_values`); zero on the fill.\"\"\"
{nl.join(load)}


@njit(cache=True, fastmath=False)
def lu_factor(E, piv):
    \"\"\"In-place LU of the packed ``E`` (from :func:`lu_load`) in the fixed order LU_ORDER,
    no pivoting.

    ``piv`` is unused (same signature as the dense solver's LU). Each diagonal entry is
    replaced by its reciprocal, so :func:`lu_solve` multiplies instead of dividing (a
    division on the back substitution's dependency chain costs several multiplications).
    False: fall back to a pivoting LU (a pivot is not finite or lost 12 digits to
    cancellation).
    \"\"\"
{nl.join(diag)}
{nl.join(fac)}
    return True


@njit(cache=True, fastmath=False)
def lu_solve(E, piv, b):
    \"\"\"Solve ``E x = b`` in place with the packed factors of :func:`lu_factor`.\"\"\"
{nl.join(solve)}


@njit(cache=True, fastmath=False, error_model="numpy")
def lu_load_lanes(v, inv_hg, E):
    \"\"\":func:`lu_load` for ``LANES`` patients (lane-minor arrays, ``inv_hg`` per patient).\"\"\"
{_lanes_loops([x.replace("inv_hg", "inv_hg[k]") for x in load[1:]], "inv_hg.shape[0]")}


@njit(cache=True, fastmath=False, error_model="numpy")
def lu_factor_lanes(E, G, ok):
    \"\"\":func:`lu_factor` for ``LANES`` patients; ``ok[k]`` False where patient ``k`` needs the
    pivoting LU (its factors are then not usable). ``G`` (N_STATES * LANES) is workspace for
    the original diagonal.\"\"\"
{fac_lanes_body}


@njit(cache=True, fastmath=False, error_model="numpy")
def lu_solve_lanes(E, b):
    \"\"\":func:`lu_solve` for ``LANES`` patients (lane-minor ``E`` and ``b``).\"\"\"
{_lanes_loops(solve, f"b.shape[0] // {n}")}
"""
