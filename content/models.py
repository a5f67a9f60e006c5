"""CX knowledge pages live here (home, CX standards, personas, journey maps, playbooks)."""
