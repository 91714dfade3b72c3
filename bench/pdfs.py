"""Rendering and checking invoice PDFs: the CPU time one invoice's PDF costs before it leaves
(process time, so other load on the machine matters less than for wall time).

    python bench/pdfs.py --invoices 50
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from connectors.pdf_checks import check_pdf
from connectors.pdfs import Facts, RenderSource

NAMES = ["Karoo Mining (Pty) Ltd", "Protea Timber’s (Pty) Ltd", "深圳华强电子有限公司"]


def invoice(document: str, number: str) -> Facts:
    return Facts(document, number, "4500000001", date(2026, 11, 20), Decimal("1000.00"),
                 Decimal("150.00"), Decimal("1150.00"), "ZAR")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = RenderSource(Path(folder))
        for name in NAMES:
            started = time.process_time()
            paths = [source.pdf_for(invoice(f"{name[:1]}{i:09d}", str(90000000 + i)), name)
                     for i in range(args.invoices)]
            rendered = time.process_time() - started
            started = time.process_time()
            for i, path in enumerate(paths):
                check_pdf(path, invoice_number=str(90000000 + i))
            checked = time.process_time() - started
            print(f"{name:28} render {rendered / args.invoices * 1000:6.0f} ms/invoice, "
                  f"check {checked / args.invoices * 1000:5.0f} ms/invoice")


if __name__ == "__main__":
    main()
