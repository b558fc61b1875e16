"""Generating a bench database's data: the plan, then our loader or OCA's, then the marker.

The marker (ir.config_parameter ``qms_bench.marker``) records the scale, the generator's version, the
reference day and the facts the operations use; a database whose marker has the scale and version asked is
reused as it is.
"""

import json
import pickle
import time

from .databases import MARKER, VERSION
from .load_oca import OcaLoader
from .load_qms import QmsLoader, make_plan
from .plan import Item

PLAN_FIELDS = ("scale", "today", "start", "departments", "users", "auditors", "manager", "audits", "findings", "ncs",
               "actions", "checks")


def read_marker(env):
    value = env["ir.config_parameter"].sudo().get_param(MARKER)
    return json.loads(value) if value else None


def write_marker(env, scale, facts, seconds):
    env["ir.config_parameter"].sudo().set_param(MARKER, json.dumps(
        {"scale": scale.name, "version": VERSION, "facts": facts, "seconds": round(seconds, 1)}))


def plan_data(planner):
    """What OCA's loader needs of the plan, without the planner's database helpers (so that it pickles)."""
    return Item(**{name: getattr(planner, name) for name in PLAN_FIELDS})


def grant_admin(env, xmlid):
    env.ref("base.user_admin").write({"group_ids": [(4, env.ref(xmlid).id)]})


def generate_qms(env, scale, today, commit=lambda: None, plan_path=None, verify=True, prefix="BN",
                 advance_sequences=True):
    """Plan and load `scale` into our database; return (facts, problems found by the verification)."""
    started = time.perf_counter()
    planner = make_plan(env, scale, today)
    if plan_path:
        with open(plan_path, "wb") as target:
            pickle.dump(plan_data(planner), target)
    grant_admin(env, "gov_qms_docs.group_qms_manager")
    loader = QmsLoader(env, planner, commit=commit, prefix=prefix, advance_sequences=advance_sequences)
    problems = loader.load(verify=verify)
    facts = loader.facts()
    write_marker(env, scale, facts, time.perf_counter() - started)
    commit()
    return facts, problems


def generate_oca(env, plan, commit=lambda: None, verify=True, prefix="BN"):
    """Load the plan that our database was built from into OCA's; return (facts, problems)."""
    started = time.perf_counter()
    grant_admin(env, "mgmtsystem.group_mgmtsystem_manager")
    loader = OcaLoader(env, plan, commit=commit, prefix=prefix)
    problems = loader.load(verify=verify)
    facts = loader.facts()
    write_marker(env, plan.scale, facts, time.perf_counter() - started)
    commit()
    return facts, problems


def load_plan(path):
    with open(path, "rb") as source:
        return pickle.load(source)
