"""What a product module is to the app: a name, its parts (each file's register(), which adds that file's pages,
routes, jobs, Home sections and menu entries) in the order they register, and the function that seeds its demo
data. `main.MODULES` lists the modules in the order they register."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from views.kit import background, browser, live


@dataclass(frozen=True)
class Module:
    """One module of the product, as main.py wires it."""

    name: str
    parts: tuple[Callable[[], None], ...]  # each file's register(), in route order
    seed_demo: Callable[[Session], object] | None = None

    def register(self) -> None:
        """Register every part, in order."""
        for part in self.parts:
            part()


def register_all(modules: Sequence[Module]) -> None:
    """The shared kit's files and clock, then every module in the given order (route order is this order)."""
    browser.serve()
    background.every(live.CLOCK_EVERY, live.run_clock)
    for module in modules:
        module.register()


def demo_seeders(modules: Sequence[Module]) -> list[Callable[[Session], object]]:
    """Each module's demo-data function, in module order (the foundation first)."""
    return [module.seed_demo for module in modules if module.seed_demo is not None]
