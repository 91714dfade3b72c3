"""The debtors' vocabulary that the SAP port and the store share: a customer item, open or
cleared (:mod:`receivables.items`). Plain values on the standard library alone, below both
``sap`` and ``sync``, so that each builds on them without knowing the other.
"""
