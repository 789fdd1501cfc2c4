"""regcheck/studies"""
