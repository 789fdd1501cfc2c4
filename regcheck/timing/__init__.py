"""regcheck/timing"""
