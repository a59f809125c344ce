"""Import-time guard against PyPI packages that share stepgrad's import names.

HIPS autograd (distribution ``autograd``) and the ``nn`` distribution install top-level
packages named ``autograd`` and ``nn``. Installed into the same environment they overwrite
stepgrad's files without a warning, and the result fails in confusing ways.
"""

from __future__ import annotations

from importlib import metadata

CLASHING = ("autograd", "nn")


def clashing_distributions() -> list[str]:
    """Installed distributions (other than stepgrad) that provide ``autograd`` or ``nn``."""
    found = []
    for name in CLASHING:
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found.append(name)
    return found


def message(found: list[str]) -> str:
    names = " and ".join(f"'{n}'" for n in found)
    return (
        f"stepgrad cannot work in this environment: the PyPI package {names} is installed too, "
        "and it uses the same import name as stepgrad's own package (`autograd` or `nn`), so "
        "one overwrites the other. Use a separate virtual environment, or run "
        f"`pip uninstall {' '.join(found)} stepgrad` and then reinstall stepgrad."
    )


def check_installation() -> None:
    """Raise ImportError when a clashing distribution is installed next to stepgrad."""
    found = clashing_distributions()
    if found:
        raise ImportError(message(found))
