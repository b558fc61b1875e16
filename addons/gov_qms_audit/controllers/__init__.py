from . import evidence_pack_portal
