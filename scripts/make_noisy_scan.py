"""Make an image-only noisy scan of a text PDF: 200 dpi, rotated 1-2°, speckled, JPEG-compressed (deterministic).

Usage: python scripts/make_noisy_scan.py [SOURCE.pdf] [OUT.pdf] [--seed N]
Default: corpus/seed/binhson-2021-dan-van-kheo.pdf -> corpus/scans/binhson-2021-dan-van-kheo-scan.pdf
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"
DEFAULT_OUT = ROOT / "corpus" / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"
DPI = 200
JPEG_QUALITY = 50
GRAIN = 10.0


def degrade(img: Image.Image, rng: np.random.Generator) -> tuple[bytes, float]:
    """Rotate, blur a little, add grain and specks, and JPEG-compress one grayscale page; return JPEG bytes."""
    angle = float(rng.uniform(1.0, 2.0) * rng.choice([-1, 1]))
    page = img.convert("L").filter(ImageFilter.GaussianBlur(0.6))
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    arr = np.asarray(page, dtype=np.float32)
    arr = arr * 0.92 + 10                                     # greyish paper, weaker ink contrast
    arr += rng.normal(0, GRAIN, arr.shape)                       # sensor grain
    specks = rng.random(arr.shape)
    arr[specks < 0.0015] = 40                                 # dust
    arr[specks > 0.9985] = 250                                # dropouts
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue(), angle


def make_scan(src: Path, out: Path, seed: int = 20211231) -> list[float]:
    """Write the image-only scan and return the rotation of each page."""
    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(src))
    angles: list[float] = []
    doc = pdfium.PdfDocument.new()
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            w, h = page.get_size()
            jpeg, angle = degrade(page.render(scale=DPI / 72, grayscale=True).to_pil(), rng)
            angles.append(angle)
            new = doc.new_page(w, h)
            image = pdfium.PdfImage.new(doc)
            image.load_jpeg(io.BytesIO(jpeg), inline=True)   # embedded as-is (DCTDecode): no re-encoding
            image.set_matrix(pdfium.PdfMatrix().scale(w, h))
            new.insert_obj(image)
            new.gen_content()
        out.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        doc.save(buf)
    finally:
        doc.close()
        pdf.close()
    out.write_bytes(_fixed_id(buf.getvalue()))
    return angles


def _fixed_id(data: bytes) -> bytes:
    """Replace PDFium's creation date and random trailer /ID by fixed values, so the file is reproducible."""
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20211231000000", data, count=1)
    start = data.rfind(b"/ID[<")
    if start < 0:
        return data
    end = data.index(b"]", start)
    digest = hashlib.md5(data[:start]).hexdigest().upper().encode()
    new = b"/ID[<" + digest + b"><" + digest + b">"
    return data[:start] + new + data[end:] if len(new) == end - start else data


def main() -> None:
    """Parse arguments and write the scan."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC)
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=20211231)
    args = ap.parse_args()
    angles = make_scan(args.src, args.out, args.seed)
    print(f"{args.out}: {len(angles)} pages, rotations " + ", ".join(f"{a:+.2f}°" for a in angles))


if __name__ == "__main__":
    main()
