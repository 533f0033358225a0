"""Real files built in the tests: PDFs (reportlab), a .docx (its XML, zipped), an image-only PDF.

Nothing binary is committed: each test makes the file it reads.
"""

import io
import zipfile
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LEFT, VALUE, RIGHT = 72, 170, 340
TOP = 800
LINE = 14


def cover_pdf(
    header: list[tuple[str, str]],
    labels: list[tuple[str, list[str]]],
    body_pages: list[list[str]],
    *,
    footer: list[str] | None = None,
    footer_first: bool = False,
) -> bytes:
    """A PDF laid out as a Council cover: the header in two columns (left, right), a table of
    labels and values, then body paragraphs; ``footer`` lines at the bottom of every page
    (drawn before the page's text when ``footer_first``, as some producers do)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)

    def draw_footer():
        y = 50
        for line in footer or []:
            pdf.drawString(LEFT, y, line)
            y -= LINE

    for number, page in enumerate([None, *body_pages]):
        pdf.setFont("Helvetica", 10)
        if footer_first:
            draw_footer()
        y = TOP
        if number == 0:
            for left, right in header:
                if left:
                    pdf.drawString(LEFT, y, left)
                if right:
                    pdf.drawString(RIGHT, y, right)
                y -= LINE
            y -= LINE
            for label, values in labels:
                pdf.drawString(LEFT, y, label)
                for value in values:
                    pdf.drawString(VALUE, y, value)
                    y -= LINE
            y -= LINE
        for paragraph in page or []:
            pdf.drawString(LEFT, y, paragraph)
            y -= 2 * LINE
        if not footer_first:
            draw_footer()
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf(pages: int = 2) -> bytes:
    """A 'scanned' PDF: every page an image, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        image = Image.new("L", (300, 400), 255)
        ImageDraw.Draw(image).rectangle((20, 20, 280, 60), fill=0)  # "text", as pixels
        pdf.drawImage(ImageReader(image), 72, 300, width=300, height=400)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraph(text: str) -> str:
    runs = []
    for index, part in enumerate(text.split("\t")):
        if index:
            runs.append("<w:r><w:tab/></w:r>")
        if part:
            runs.append(f'<w:r><w:t xml:space="preserve">{escape(part)}</w:t></w:r>')
    return f"<w:p>{''.join(runs)}</w:p>"


def cover_docx(before: list[str], table: list[tuple[str, str]], after: list[str]) -> bytes:
    """A .docx as the Council's Word template makes it: paragraphs, the labels in a two-column
    table, paragraphs."""
    rows = "".join(
        "<w:tr>" + "".join(f"<w:tc>{_paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>"
        for row in table
    )
    body = (
        "".join(_paragraph(text) for text in before)
        + f"<w:tbl>{rows}</w:tbl>"
        + "".join(_paragraph(text) for text in after)
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()
