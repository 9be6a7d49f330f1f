"""``hcsync import --adopt``: record now what the next plan would adopt.

The plan itself matches every file with no valid lockfile entry to the help center's article
(:mod:`hcsync.plan.identity`: a cut-off create, then the slug, then the title in its category,
flagged) and plans it as ``adopt``, with the translations the help center has of it, the
categories that hold the same names and the images it hosts already. This command makes that
plan and runs only its ``adopt`` actions: lockfile records, no write to the help center,
through the same executor, journal and atomic save as ``apply``. What the files would change
(an adopted article whose text differs) is left to the next plan, as updates.

A file matching two articles, or two files one article, is an error naming all of them (as
for ``plan``). Remote articles that no file matches are *unmanaged*: listed, never recorded,
never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hcsync.apply.report import Report
from hcsync.backends.base import Backend
from hcsync.config import Config
from hcsync.content.model import Site
from hcsync.lockfile import Lockfile
from hcsync.plan.model import Action, ActionKind, Plan, Unmanaged
from hcsync.workflow import apply_plan, make_plan


@dataclass(frozen=True, slots=True, kw_only=True)
class Adoption:
    """What ``--adopt`` found, from the plan; :func:`write_adoption` records it."""

    plan: Plan
    """The whole plan the adoption comes from."""

    @property
    def adopts(self) -> tuple[Action, ...]:
        """The plan's ``adopt`` actions: what will be recorded."""
        return tuple(a for a in self.plan.actions if a.kind is ActionKind.ADOPT)

    @property
    def documents(self) -> tuple[Action, ...]:
        """Adopted articles and translations (not categories or images)."""
        return tuple(a for a in self.adopts if "entry" in a.data)

    @property
    def categories(self) -> int:
        return sum(1 for a in self.adopts if "category" in a.data)

    @property
    def images(self) -> int:
        return sum(1 for a in self.adopts if "image" in a.data)

    @property
    def new_files(self) -> tuple[str, ...]:
        """Files with no remote article: the next plan creates them."""
        creates = (ActionKind.CREATE_ARTICLE, ActionKind.CREATE_TRANSLATION)
        return tuple(a.path for a in self.plan.actions if a.kind in creates)

    @property
    def unmanaged(self) -> tuple[Unmanaged, ...]:
        return self.plan.unmanaged


def adopt_plan(site: Site, lock: Lockfile, backend: Backend) -> Adoption:
    """Plan against the help center (read-only) and keep what it adopts."""
    return Adoption(plan=make_plan(site, lock, backend))


def write_adoption(adoption: Adoption, config: Config, lock: Lockfile, backend: Backend) -> Report:
    """Run the adoptions (lockfile only) and save the lockfile atomically."""
    return apply_plan(replace(adoption.plan, actions=adoption.adopts), config, lock, backend)
