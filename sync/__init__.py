"""The sync store: models, migrations, mirror of SAP data, cursors and the audit trail."""
