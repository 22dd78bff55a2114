"""`manage.py fault_drill`: bring about each fault the app must survive and print what was lost (nothing)."""

from __future__ import annotations

import logging
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from tqdm import tqdm

from training.fault_drill import SCENARIOS, table


class Command(BaseCommand):
    help = (
        "Run the fault drill in a throwaway database: a re-matched look meeting the stale sweep, a failing "
        "re-match, a killed scrape, a delete during embedding, a retrained embedder. Fails if anything was lost."
    )

    def handle(self, *args, **opts) -> None:
        # A database and a media folder of its own, as the test runner makes: the drill's rows and files
        # never touch the app's.
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        logging.disable(logging.ERROR)  # the faults log their errors, as they should; the table says the rest
        try:
            with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
                outcomes = [scenario() for scenario in tqdm(SCENARIOS, desc="fault drill", unit="fault")]
        finally:
            logging.disable(logging.NOTSET)
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.stdout.write(table(outcomes))
        lost = [o.fault for o in outcomes if o.lost]
        if lost:
            raise CommandError(f"something was lost in: {', '.join(lost)}")
