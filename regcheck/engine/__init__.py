"""regcheck/engine"""
