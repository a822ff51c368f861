"""M3 Online fever clinic: the resident's visit, the doctor's desk and room, the clinic admin, the live queue."""

from services.clinic import demo
from views.clinic import admin, board, desk, resident
from views.kit.modules import Module

MODULE = Module(
    name='clinic',
    parts=(resident.register, admin.register, desk.register, board.register),
    seed_demo=demo.seed,
)
