"""Real, tiny files of the types attachments accept (written by matplotlib and pypdf), for the
tests: an attachment must decode as what it claims to be."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from matplotlib import image
from pypdf import PdfWriter


@cache
def ecg_image(fmt: str) -> bytes:
    """A real tiny image (an 8×8 gradient) written by matplotlib in ``fmt`` (png or jpeg)."""
    pixels = np.linspace(0.0, 1.0, 8 * 8 * 3).reshape(8, 8, 3)
    buffer = io.BytesIO()
    image.imsave(buffer, pixels, format=fmt)
    return buffer.getvalue()


@cache
def one_page_pdf() -> bytes:
    """A real one-page PDF (a blank 1-inch page) written by pypdf."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
