"""An embedded SAP: the function modules arbridge calls, behind a pyrfc-compatible Connection.

Its state lives in its own SQLite file, with SAP's table and field names (KNA1, VBRK, BSID …),
so the ``rfc`` adapter runs unchanged against it. ``kernel`` holds what the function modules
see of the system and connection, so the imports inside run one way.
"""

from sap.simulator.system import SapSimulator

__all__ = ["SapSimulator"]
