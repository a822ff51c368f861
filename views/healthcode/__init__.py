"""M1 Health code and checkpoint pass: the resident's code, the paper code, the checkpoint, the admin pages."""

from services.healthcode import demo
from views.healthcode import admin, checkpoint, paper, resident
from views.kit.modules import Module

MODULE = Module(
    name='healthcode',
    parts=(resident.register, admin.register, checkpoint.register, paper.register),
    seed_demo=demo.seed,
)
