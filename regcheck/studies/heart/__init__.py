"""regcheck/studies/heart"""
