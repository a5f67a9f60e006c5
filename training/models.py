"""Training modules, role-play scenarios and learning paths arrive with the Training issue."""
