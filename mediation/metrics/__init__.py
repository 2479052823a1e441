"""Supervisors' figures: the counts and rates of DESIGN §6, and their typed report."""
