"""regcheck/frontends"""
