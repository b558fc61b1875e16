"""Nonconformities closed on a given day, on time or late, for the dashboard's and the workbench's tests."""
from freezegun import freeze_time


def close_nc(env, department, detected, closed_on, closer, doer, title="Form out of date at the counter"):
    """A minor nonconformity of `department` found on `detected`, corrected by `doer` and closed by `closer` on
    `closed_on` (correction only: its deadline is the time limit of a minor one after `detected`)."""
    nc = env["qms.nonconformity"].with_user(closer).create({
        "title": title, "department_id": department.id, "source": "internal_audit", "severity": "minor",
        "date_detected": str(detected)})
    nc.action_triage_correction()
    proof = env["ir.attachment"].with_user(closer).create({"name": "proof.pdf", "raw": b"%PDF-1.4"})
    nc.write({"containment_description": "Corrected at once", "containment_by_id": doer.id,
              "evidence_attachment_ids": [(6, 0, proof.ids)]})
    with freeze_time(str(closed_on)):
        nc.action_close()
    return nc
