"""Build (and cache on disk) the parallel batch driver for one (rhs, jac) pair.

numba caches a compiled function next to its source file, keyed by that file's timestamp,
but does not notice when a function it calls changes. So for each (rhs, jac) pair we write a
copy of the solver templates (:mod:`tregsim.solve._rodas_template`, ``_rodas_lanes_template``
and ``_rodas_driver_template``, one after the other) that imports rhs/jac by module path;
its *name*
is a hash of the rhs/jac names and module sources, of this package's solver sources and of
the numba/python versions, and its driver is compiled with ``cache=True``. A second process
with the same model finds the module and numba's cache next to it and starts without
compiling. A changed model or solver gives a new
hash, hence a new module: a stale kernel is never loaded.

Cache directory: ``$TREGSIM_KERNEL_CACHE`` if set, else ``$XDG_CACHE_HOME/tregsim/kernels``
(``~/.cache/tregsim/kernels``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

import numba

_HERE = Path(__file__).parent
#: The kernel module's parts, in order: the first has the MODEL block, the others import
#: the earlier parts' names in a TEMPLATE IMPORTS block (removed: they are the module's own).
_TEMPLATES = ("_rodas_template.py", "_rodas_lanes_template.py", "_rodas_driver_template.py")
_MODEL_BLOCK = re.compile(r"# BEGIN MODEL\n.*?# END MODEL\n", re.DOTALL)
_TEMPLATE_IMPORTS = re.compile(r"# BEGIN TEMPLATE IMPORTS\n.*?# END TEMPLATE IMPORTS\n", re.DOTALL)
#: Sources compiled into the kernel module (the templates and what their loops call).
_SOLVER_SOURCES = (
    "rosenbrock.py",
    "events.py",
    "step_control.py",
    "segments.py",
    *_TEMPLATES,
    "_kernels.py",
)

_LOCK = threading.Lock()
_DRIVERS: dict[tuple[str, str, str, str], object] = {}


def cache_dir() -> Path:
    """Directory holding generated driver modules and numba's cache for them."""
    env = os.environ.get("TREGSIM_KERNEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tregsim" / "kernels"


def _qualified(func, role: str) -> tuple[str, str]:
    py = getattr(func, "py_func", None)
    if py is None or not isinstance(func, numba.core.registry.CPUDispatcher):
        raise TypeError(
            f"{role} must be a numba @njit function defined at the top level of an importable "
            f"module, got {func!r}"
        )
    module, name = py.__module__, py.__name__
    mod = sys.modules.get(module)
    if mod is None or getattr(mod, name, None) is not func:
        raise TypeError(
            f"{role}={module}.{name} is not importable as `from {module} import {name}`; "
            "define it at module top level"
        )
    return module, name


def _source_digest(key_tuple, module_names) -> str:
    h = hashlib.sha256()
    h.update(repr(key_tuple).encode())
    h.update(f"numba {numba.__version__} python {sys.version}".encode())
    for own in _SOLVER_SOURCES:
        h.update((_HERE / own).read_bytes())
    for name in module_names:
        try:
            path = inspect.getsourcefile(sys.modules[name])
            h.update(Path(path).read_bytes())
        except (TypeError, OSError):  # no source file: key on the module name only
            h.update(name.encode())
    return h.hexdigest()[:20]


def _has_sparse_lu(jac_module: str) -> bool:
    """True if the Jacobian's module also exports a generated sparse LU for its pattern
    (``jac_values``, ``jac_scatter``, ``lu_load``, ``lu_factor``, ``lu_solve``, ``JAC_NNZ``,
    ``LU_NNZ`` as written by ``tregsim.model.codegen``)."""
    mod = sys.modules[jac_module]
    return all(
        isinstance(getattr(mod, name, None), numba.core.registry.CPUDispatcher)
        for name in ("jac_values", "jac_scatter", "lu_load", "lu_factor", "lu_solve")
    ) and all(isinstance(getattr(mod, name, None), int) for name in ("JAC_NNZ", "LU_NNZ"))


_NOT_EXTENDED = "EXTENDED = False\nN_EXTENDED = 1\nextend_parameters = no_extend_parameters\n"


def _has_extended(rhs, jac_module: str) -> bool:
    """True if ``rhs`` is the plain kernel of a generated module that also exports the
    extended-parameter forms (``extend_parameters``, ``rhs_extended``, ``jac_values_extended``,
    ``N_EXTENDED``, see ``tregsim.model.codegen``): parameter-only terms computed once per
    patient instead of at every evaluation."""
    mod = sys.modules[jac_module]
    return (
        getattr(mod, "rhs", None) is rhs
        and all(
            isinstance(getattr(mod, name, None), numba.core.registry.CPUDispatcher)
            for name in ("extend_parameters", "rhs_extended", "jac_values_extended")
        )
        and isinstance(getattr(mod, "N_EXTENDED", None), int)
    )


_NO_LANES = (
    "LANE_KERNELS = False\nLANES = 1\nrhs_lanes = no_rhs_lanes\n"
    "jac_values_lanes = no_jac_values_lanes\nlu_load_lanes = no_lu_load_lanes\n"
    "lu_factor_lanes = no_lu_factor_lanes\nlu_solve_lanes = no_lu_solve_lanes\n"
)


def _has_lanes(jac_module: str) -> bool:
    """True if the (extended) model module also exports the lane kernels written by
    ``tregsim.model.codegen`` (``rhs_lanes``, ``jac_values_lanes``, ``lu_load_lanes``,
    ``lu_factor_lanes``, ``lu_solve_lanes``, ``LANES``) and is autonomous: patients are then
    integrated ``LANES`` at a time with SIMD arithmetic (:func:`integrate_lanes`)."""
    mod = sys.modules[jac_module]
    return (
        all(
            isinstance(getattr(mod, name, None), numba.core.registry.CPUDispatcher)
            for name in (
                "rhs_lanes",
                "jac_values_lanes",
                "lu_load_lanes",
                "lu_factor_lanes",
                "lu_solve_lanes",
            )
        )
        and isinstance(getattr(mod, "LANES", None), int)
        and getattr(mod, "AUTONOMOUS", False) is True
    )


def _module_text(model_import: str) -> str:
    """Source of a kernel module: the templates one after the other, ``model_import`` in
    place of the first's MODEL block, the others without their TEMPLATE IMPORTS block."""
    first, *rest = ((_HERE / name).read_text() for name in _TEMPLATES)
    parts, found = [], []
    text, n = _MODEL_BLOCK.subn(lambda _: model_import, first, count=1)
    parts.append(text)
    found.append(n)
    for later in rest:
        text, n = _TEMPLATE_IMPORTS.subn("", later, count=1)
        parts.append(text)
        found.append(n)
    if found != [1] * len(_TEMPLATES):
        raise RuntimeError(f"a solver template lost its block markers: {_TEMPLATES}, {found}")
    return "\n\n".join(parts)


def get_driver(rhs, jac):
    """Return the cached, compiled ``solve_all`` driver for ``(rhs, jac)``."""
    rhs_module, rhs_name = _qualified(rhs, "rhs")
    jac_module, jac_name = _qualified(jac, "jac")
    key_tuple = (rhs_module, rhs_name, jac_module, jac_name)
    with _LOCK:
        if key_tuple in _DRIVERS:
            return _DRIVERS[key_tuple]
        key = _source_digest(key_tuple, sorted({rhs_module, jac_module}))
        mod_name = f"_tregsim_kernel_{key}"
        directory = cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{mod_name}.py"
        if not path.exists():
            model_import = (
                f"# Generated by tregsim.solve._kernels; do not edit. Key: {key}\n"
                f"from {rhs_module} import {rhs_name} as rhs  # noqa: E402\n"
                f"from {jac_module} import {jac_name} as jac  # noqa: E402\n"
            )
            if _has_sparse_lu(jac_module):
                model_import += (
                    "SPARSE_LU = True\n"
                    f"from {jac_module} import JAC_NNZ, LU_NNZ  # noqa: E402\n"
                    f"from {jac_module} import jac_values, jac_scatter  # noqa: E402\n"
                    f"from {jac_module} import lu_load as sparse_lu_load  # noqa: E402\n"
                    f"from {jac_module} import lu_factor as sparse_lu_factor  # noqa: E402\n"
                    f"from {jac_module} import lu_solve as sparse_lu_solve  # noqa: E402\n"
                )
                if _has_extended(rhs, jac_module):
                    model_import += (
                        "EXTENDED = True\n"
                        f"from {jac_module} import N_EXTENDED, extend_parameters  # noqa: E402\n"
                        f"from {jac_module} import rhs_extended as rhs  # noqa: E402\n"
                        f"from {jac_module} import jac_values_extended as jac_values  # noqa\n"
                    )
                    if _has_lanes(jac_module):
                        model_import += (
                            "LANE_KERNELS = True\n"
                            f"from {jac_module} import LANES, rhs_lanes  # noqa: E402\n"
                            f"from {jac_module} import jac_values_lanes  # noqa: E402\n"
                            f"from {jac_module} import lu_load_lanes  # noqa: E402\n"
                            f"from {jac_module} import lu_factor_lanes  # noqa: E402\n"
                            f"from {jac_module} import lu_solve_lanes  # noqa: E402\n"
                        )
                    else:
                        model_import += _NO_LANES
                else:
                    model_import += _NOT_EXTENDED + _NO_LANES
            else:
                model_import += (
                    "SPARSE_LU = False\n"
                    "JAC_NNZ = 1\n"
                    "LU_NNZ = 1\n"
                    "jac_values = no_jac_values\n"
                    "jac_scatter = no_jac_scatter\n"
                    "sparse_lu_load = no_lu_load\n"
                    "sparse_lu_factor = no_lu_factor\n"
                    "sparse_lu_solve = no_lu_solve\n" + _NOT_EXTENDED + _NO_LANES
                )
            text = _module_text(model_import)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            os.replace(tmp, path)  # atomic: concurrent workers never read half a file
        module = sys.modules.get(mod_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(mod_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[mod_name] = module
            spec.loader.exec_module(module)
        _DRIVERS[key_tuple] = module.solve_all
        return module.solve_all
