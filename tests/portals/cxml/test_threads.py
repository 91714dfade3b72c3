"""The cXML channel's sending threads (``CxmlUploads``): they write through an engine of
their own with a small SQLite page cache (``sync.db.for_threads``: with the store's 16 MB a
connection, four threads grew the process with every upload), on the store's own file even
where its path has characters a URL escapes, and the engine is gone once the run ends."""

from __future__ import annotations

import threading
from pathlib import Path

from portals.cxml_uploads import CxmlUploads
from sync.db import SQLITE_THREAD_CACHE_KIB, sqlite_path
from tests.portals.cxml.conftest import NoPdfs, make_world


def test_threads_send_through_a_small_cache_engine_on_the_stores_file(tmp_path: Path,
                                                                      server) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "Müller (AR) #1"
    home.mkdir()
    world = make_world(home, server, "demo-coupa-cxml")
    world.add_po("PO-100", "50000.00")
    documents = [world.add_invoice(90000001 + n, "PO-100", "1000.00") for n in range(6)]
    world.queue()
    seen: dict[str, int] = {}
    files: set[str] = set()
    lock = threading.Lock()

    def on_upload(portal: str, document: str, outcome: str) -> None:
        with runner.work.engine.connect() as conn:
            cache = -int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
            file = conn.exec_driver_sql("PRAGMA database_list").all()[0][2]
        with lock:
            seen[document] = cache
            files.add(file)

    runner = CxmlUploads(store=world.store, account=world.account(), pdfs=NoPdfs(),
                         evidence_root=world.settings.evidence_path, workers=4,
                         on_upload=on_upload)
    assert runner.run() == {"submitted": 6}
    assert seen == dict.fromkeys(documents, SQLITE_THREAD_CACHE_KIB)
    assert {Path(f).resolve() for f in files} == {sqlite_path(world.settings.db_url).resolve()}  # type: ignore[union-attr]
    assert all(world.upload(d).state == "submitted" for d in documents)
    assert runner.work is runner.store  # the threads' engine was given back
    # nothing beside the home (the demo portal's folder apart): no "M%C3%BCller %28AR%29 %231"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "portal") == [home.name]
