"""The sizes of the benchmark's data sets."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """How much data a bench database holds (five years of a municipal QMS)."""

    name: str
    departments: int  # the QMS office, its bureaus and their sections, each with a head
    staff_per_department: int  # users besides the head (action owners, reporters, auditors)
    documents: int  # controlled documents, each with one to four revisions
    ncs: int  # nonconformities, audit findings raised included
    actions: int  # CAPA actions (and improvement actions without a nonconformity)
    audits: int  # audits over the five years (one programme a year)
    lines_per_audit: int  # checklist lines per audit (departments x clauses)
    years: int = 5
    zipf: float = 0.9  # skew of the items by department: the weight of the department of rank r is 1 / r^zipf


SCALES = {
    scale.name: scale for scale in (
        # the harness's own test: a few seconds on a test cursor
        Scale("tiny", departments=6, staff_per_department=1, documents=12, ncs=60, actions=120, audits=6,
              lines_per_audit=6),
        # CI: a few minutes to build and run
        Scale("small", departments=20, staff_per_department=2, documents=400, ncs=2_000, actions=5_000, audits=100,
              lines_per_audit=40),
        # a large city: 300 departments, five years
        Scale("city", departments=300, staff_per_department=2, documents=20_000, ncs=100_000, actions=250_000,
              audits=5_000, lines_per_audit=40),
    )
}
