"""Plain-Python helpers of gov_qms_audit.

Nothing is imported here on purpose: ``evidence_pack`` must stay runnable as a script with Python's
standard library only (``python3 evidence_pack.py pack.zip``), and importing this package inside Odoo
has no side effect. Import the modules themselves:
``from odoo.addons.gov_qms_audit.tools import evidence_pack, evidence_pack_manifest``.
"""
