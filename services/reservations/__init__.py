"""M2 reservations of scarce goods with pickup at a store (see docs/reservations.md).

Modules: policy (time rules, schemas), booking (reserve / apply / cancel), passes (codes and signed tokens),
pickup (the pharmacist's counter), waitlist, release (no-shows, strikes, bans, the sweep), lottery (+ _verify),
queries (what screens read), admin (stores, items, slot plans).
"""
