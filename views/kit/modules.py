"""What a product module is to the app: a name, a register() that adds its pages, routes, jobs, Home sections and
menu entries, and the function that seeds its demo data. `main.MODULES` lists them in the order they register."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from views.kit import background, live


@dataclass(frozen=True)
class Module:
    """One module of the product, as main.py wires it."""

    name: str
    register: Callable[[], None]
    seed_demo: Callable[[Session], object] | None = None


def register_all(modules: Sequence[Module]) -> None:
    """Register the shared kit's own job, then every module in the given order (route order is this order)."""
    background.every(live.CLOCK_EVERY, live.run_clock)
    for module in modules:
        module.register()


def demo_seeders(modules: Sequence[Module]) -> list[Callable[[Session], object]]:
    """Each module's demo-data function, in module order (the foundation first)."""
    return [module.seed_demo for module in modules if module.seed_demo is not None]
