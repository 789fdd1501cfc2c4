"""regcheck/matrix"""
