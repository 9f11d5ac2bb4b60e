"""Poles: communes, BPE inventory, gammes, pole rules, zones grises, indicators."""
