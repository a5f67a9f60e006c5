"""Speed measurements at `seed_demo --scale large`; see bench/README.md."""
