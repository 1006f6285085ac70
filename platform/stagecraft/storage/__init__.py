"""State every process of a deployment shares, behind one interface per kind: stored archives,
sessions, and the deployment's own facts (which checkout the web runs)."""
