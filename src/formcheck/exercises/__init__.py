"""Exercise rule sets: which values each rep is judged on and the checks applied to them."""
