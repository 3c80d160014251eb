"""Writes on referrals: created, edited while 準備中, moved through the states of states.py."""
