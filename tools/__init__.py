"""Developer tooling of the gov_qms repository (not shipped with the addons): ``tools.qms`` behind ``./qms``."""
