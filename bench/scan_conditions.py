"""Damaged copies of the development scanned table pages (issue 8): colour 300 dpi, seals, ink, JPEG, skew, turns.

    SOLIEU_CACHE_DIR=/work/cache .venv/bin/python bench/scan_conditions.py [condition ...]

Each development table page is rendered at 300 dpi in colour, damaged as a real scan may be, and saved with
the document's other pages left blank (the gold is per page) as an image-only PDF; the real pipeline
(pipeline.run.process_file) reads it and the cell gold is scored with the scorer of `solieu eval`.
Development gold only: nothing of corpus/heldout is read.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.run import process_file  # noqa: E402
from solieu.scoring import score_extracted  # noqa: E402

GOLD = ROOT / "corpus" / "gold"
PAGES = {   # gold file -> the pages it scores
    "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018.annex-p4.tables.json": [4],
    "daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.p3.tables.json": [3],
    "daknong_So-Tai-chinh_113-BC-STC_2019_gia-thi-truong-thang-5.annex-p3.tables.json": [3],
}
DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def tint(img: Image.Image) -> Image.Image:
    """Yellow the paper a little, as a colour scanner sees old paper."""
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    arr = arr * np.array([0.97, 0.94, 0.84]) + np.array([2, 3, 6])
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def seal(img: Image.Image) -> Image.Image:
    """Press a red round seal with text over the right side of the page's middle."""
    img = img.convert("RGB")
    w, h = img.size
    r = int(0.09 * w)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = int(0.78 * w), int(0.45 * h)
    red = (200, 30, 40, 190)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 18))
    d.ellipse([cx - r * 3 // 4, cy - r * 3 // 4, cx + r * 3 // 4, cy + r * 3 // 4], outline=red, width=max(2, r // 30))
    font = ImageFont.truetype(FONT, max(12, r // 6))
    d.text((cx - r * 2 // 3, cy - r // 6), "UBND HUYỆN", fill=red, font=font)
    d.text((cx - r // 2, cy + r // 6), "★ 2019 ★", fill=red, font=font)
    # ink over ink darkens (a seal over black print stays black): multiply, not paint over
    ink = Image.new("RGB", img.size, (255, 255, 255))
    ink.paste(layer, (0, 0), layer)
    return ImageChops.multiply(img, ink)


def blue_ink(img: Image.Image) -> Image.Image:
    """Write blue figures and a tick by hand over the title and across the table's right columns."""
    img = img.convert("RGB")
    w, h = img.size
    d = ImageDraw.Draw(img)
    blue = (30, 50, 190)
    font = ImageFont.truetype(FONT, int(0.02 * h))
    d.text((int(0.55 * w), int(0.04 * h)), "Số 12/3 - 2019", fill=blue, font=font)
    d.line([(int(0.62 * w), int(0.30 * h)), (int(0.95 * w), int(0.33 * h))], fill=blue, width=4)
    d.line([(int(0.70 * w), int(0.60 * h)), (int(0.72 * w), int(0.75 * h))], fill=blue, width=4)
    return img


def jpeg_skew(img: Image.Image, angle: float = 1.2) -> Image.Image:
    """Tilt the page a little and compress it hard as JPEG, with a touch of blur."""
    img = img.convert("RGB").rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(250, 248, 240))
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=35)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def turn(img: Image.Image) -> Image.Image:
    """Turn the page a quarter turn (a landscape page scanned sideways the other way)."""
    return img.rotate(90, expand=True)


def turn_cw(img: Image.Image) -> Image.Image:
    """Turn the page a quarter turn clockwise."""
    return img.rotate(-90, expand=True)


def heavy(img: Image.Image) -> Image.Image:
    """Thicken every stroke by a pixel each side at 300 dpi (heavy toner, bold print)."""
    return img.filter(ImageFilter.MinFilter(3))


CONDITIONS: dict[str, list[Callable[[Image.Image], Image.Image]]] = {
    "colour300": [tint],
    "seal": [tint, seal],
    "blue-ink": [tint, blue_ink],
    "jpeg-skew": [tint, jpeg_skew],
    "turned": [tint, turn],
    "turned-cw": [tint, turn_cw],
    "heavy": [tint, heavy],
    "all": [tint, seal, blue_ink, jpeg_skew],
}


def damaged_pdf(src: Path, pages: list[int], steps: list[Callable[[Image.Image], Image.Image]], out: Path) -> None:
    """Write an image-only PDF of src: the pages listed rendered in colour at 300 dpi and damaged, others blank."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    images = []
    for i in range(len(pdf)):
        page = pdf[i]
        w, h = page.get_size()
        if i + 1 in pages:
            img = page.render(scale=DPI / 72).to_pil().convert("RGB")
            for step in steps:
                img = step(img)
        else:
            img = Image.new("RGB", (round(w * DPI / 72), round(h * DPI / 72)), (255, 255, 255))
        images.append(img)
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:])


def main(names: list[str]) -> None:
    """Print, per condition and gold file, the cells recalled and the seconds the pipeline took."""
    tmp = Path("/tmp/scanrobust")
    tmp.mkdir(exist_ok=True)
    for name in names or list(CONDITIONS):
        for gold_name, pages in PAGES.items():
            gold_path = GOLD / gold_name
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            src = ROOT / gold["document"]
            out = tmp / f"{name}-{src.name}"
            damaged_pdf(src, pages, CONDITIONS[name], out)
            t0 = time.perf_counter()
            ex = process_file(str(out))
            dt = time.perf_counter() - t0
            rep = score_extracted(gold_path, ex)["cells"]
            print(f"{name:10s} {gold_name[:40]:40s} recall {rep.get('recall', 0):.2f} f1 {rep.get('f1', 0):.2f} "
                  f"{dt:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
