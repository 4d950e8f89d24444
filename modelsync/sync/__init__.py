"""One sync: which catalog it applies, the plan and the ownership-aware merge of each
provider, the guards, fingerprints and state, attention, and the last-sync record that
on-demand syncs read.
"""
