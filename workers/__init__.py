"""Jobs and the ``arbridge`` command line. Thin: they call connectors/ and portals/."""
