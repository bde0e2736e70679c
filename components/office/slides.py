"""The briefing deck as a PowerPoint file a bureau can edit: native charts (编辑数据 opens the
figures), the sentences as speaker notes, slide numbers and footers in the layouts' own
placeholders, Chinese fonts, document properties naming the region, year and 发布机关.

A bureau's own template (PPTX_TEMPLATE, or template.pptx in the data folder) is used when there
is one: its title and title-only layouts, its fonts and colours. Otherwise python-pptx's blank
template is widened to 16:9 and set in 微软雅黑 (Windows and WPS have it; elsewhere the system's
CJK font, Noto Sans CJK SC on the server, stands in for it).
"""

from __future__ import annotations

import copy
import io
import os
from datetime import datetime
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Inches, Pt

from components.briefing import Deck, Slide
from components.data import Dataset
from components.office import native
from components.office.tables import publication
from components.theme import fmt_datetime

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
FONT = "微软雅黑"  # on every Chinese Windows and in WPS; 宋体 is the template's Hans fallback
GENERATOR = "财政预算公开看板"
TEMPLATE_ENV = "PPTX_TEMPLATE"


def template_path(dataset: Dataset) -> Path | None:
    """The bureau's template: the PPTX_TEMPLATE setting, else template.pptx in the data folder."""
    named = os.environ.get(TEMPLATE_ENV)
    if named and Path(named).is_file():
        return Path(named)
    if dataset.folder is not None and (dataset.folder / "template.pptx").is_file():
        return dataset.folder / "template.pptx"
    return None


def _chinese_theme(prs) -> None:
    """The default theme's Calibri and empty East Asian font become 微软雅黑 (titles and text)."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    xml = theme.blob.decode("utf-8")
    xml = xml.replace(
        '<a:latin typeface="Calibri"/><a:ea typeface=""/>', f'<a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/>'
    )
    xml = xml.replace('<a:font script="Hans" typeface="宋体"/>', f'<a:font script="Hans" typeface="{FONT}"/>')
    theme._blob = xml.encode("utf-8")


def _widen(prs) -> None:
    """The blank template is laid out for 4:3: stretch its master and layouts across 16:9. A layout
    placeholder inherits its place from the master, so each gets all four dimensions written out."""
    ratio = SLIDE_W / prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    wide = {
        PP_PLACEHOLDER.FOOTER: (0.5, 9.8),
        PP_PLACEHOLDER.DATE: (10.4, 1.6),
        PP_PLACEHOLDER.SLIDE_NUMBER: (12.0, 0.9),
    }
    # Read every box before writing any: a layout's inherited box would be read already widened.
    boxes = [
        (shape, (shape.left, shape.top, shape.width, shape.height))
        for holder in (prs.slide_master, *prs.slide_layouts)
        for shape in holder.shapes
    ]
    for shape, box in boxes:
        if None in box:
            continue
        left, top, width, height = box
        kind = shape.placeholder_format.type if shape.is_placeholder else None
        if kind in wide:  # the footer is the source line: it gets the slide's width
            left, width = Inches(wide[kind][0]), Inches(wide[kind][1])
        else:
            left, width = Emu(int(left * ratio)), Emu(int(width * ratio))
        shape.left, shape.top, shape.width, shape.height = left, top, width, height


def _drop_slides(prs) -> None:
    """A template's own example slides are not part of the deck."""
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def presentation(template: Path | None):
    """(presentation, whether it is the built-in template, whose cover the deck lays out itself)."""
    if template is not None:
        prs = Presentation(str(template))
        _drop_slides(prs)
        return prs, False
    prs = Presentation()
    _widen(prs)
    _chinese_theme(prs)
    return prs, True


def _layout(prs, wanted: set, unwanted: set):
    """The first layout with every wanted placeholder type and none of the unwanted ones."""
    for layout in prs.slide_layouts:
        types = {ph.placeholder_format.type for ph in layout.placeholders}
        if wanted <= types and not (types & unwanted):
            return layout
    return prs.slide_layouts[0]


def _from_layout(page, kind, text: str | None = None):
    """The layout's footer / date / slide-number placeholder, copied onto the slide (python-pptx
    leaves them on the layout); the slide number keeps its field, so it counts in PowerPoint."""
    for ph in page.slide_layout.placeholders:
        if ph.placeholder_format.type == kind:
            element = copy.deepcopy(ph._element)
            page.shapes._spTree.append(element)
            shape = next(s for s in page.placeholders if s.placeholder_format.idx == ph.placeholder_format.idx)
            if text is not None:
                shape.text_frame.text = text
                for para in shape.text_frame.paragraphs:
                    para.font.size = Pt(11)
            return shape
    return None


def _text_box(shapes, left, top, width, height, paragraphs: list[str], size: int):
    box = shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, text in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = text
        para.font.size = Pt(size)
        para.space_after = Pt(8)
    return box


def _notes(page, lines: list[str]) -> None:
    page.notes_slide.notes_text_frame.text = "\n".join(line for line in lines if line)


def _footers(page, source: str, deck: Deck) -> None:
    _from_layout(page, PP_PLACEHOLDER.FOOTER, f"来源：{source or '—'}")
    _from_layout(page, PP_PLACEHOLDER.DATE, deck.data_date.split(" ")[0])
    _from_layout(page, PP_PLACEHOLDER.SLIDE_NUMBER)


def _title(page, text: str, size: int = 28) -> None:
    page.shapes.title.text = text
    size = size if len(text) <= 22 else max(20, size * 22 // len(text))  # one line on a 16:9 slide
    for para in page.shapes.title.text_frame.paragraphs:
        para.font.size = Pt(size)
        para.font.bold = True


def add_slide(prs, layout, slide: Slide, deck: Deck) -> None:
    page = prs.slides.add_slide(layout)
    _title(page, slide.title)
    text = slide.sentences + [f"{heading}：{point}" for heading, point in slide.points]
    chart = native.from_figure(slide.figure)
    width = prs.slide_width
    if chart is not None:
        alt = f"{slide.title}。" + "".join(slide.sentences)
        chart_w = int(width * 0.6)
        native.add_chart(page.shapes, chart, Inches(0.4), Inches(1.4), chart_w, Inches(5.3), alt)
        _text_box(page.shapes, chart_w + Inches(0.6), Inches(1.5), width - chart_w - Inches(1.0), Inches(5.2), text, 15)
    else:
        if slide.figure is not None:  # a chart that cannot be drawn says why: its message is the slide's text
            text += [native.plain(a.text) for a in slide.figure.layout.annotations if a.text]
        size = 18 if slide.points or len("".join(text)) > 300 else 22
        _text_box(page.shapes, Inches(0.6), Inches(1.5), width - Inches(1.2), Inches(5.2), text, size)
    _footers(page, slide.source, deck)
    _notes(
        page,
        [*slide.sentences, *(f"{h}：{p}" for h, p in slide.points), f"来源：{slide.source}" if slide.source else ""],
    )


def _properties(prs, dataset: Dataset, deck: Deck) -> None:
    sources = list(dict.fromkeys(s for slide in deck.slides for part in slide.source.split("；") for s in [part] if s))
    publisher, _date = publication(dataset, sources)
    props = prs.core_properties
    props.title = deck.title
    props.subject = f"{deck.region or ''}{deck.year or ''}年财政预算公开"
    props.author = publisher or f"{deck.region or ''}{GENERATOR}"
    props.last_modified_by = GENERATOR
    props.keywords = "；".join(x for x in (deck.region or "", f"{deck.year}年" if deck.year else "", publisher) if x)
    props.category = "财政预算公开"
    props.comments = f"数据文件修改时间：{deck.data_date}；来源：{'；'.join(sources)}"
    props.language = "zh-CN"
    props.created = props.modified = datetime.now().replace(microsecond=0)
    props.revision = 1


def pptx_bytes(dataset: Dataset, deck: Deck) -> bytes:
    prs, built_in = presentation(template_path(dataset))
    cover_layout = _layout(prs, {PP_PLACEHOLDER.CENTER_TITLE}, set())
    content = _layout(prs, {PP_PLACEHOLDER.TITLE}, {PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.BODY})
    cover = prs.slides.add_slide(cover_layout)
    _title(cover, deck.title, 40)
    subtitle = next((ph for ph in cover.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
    if subtitle is not None:
        subtitle.text = f"数据文件修改时间：{deck.data_date}\n生成：{fmt_datetime(datetime.now())}"
    if built_in and subtitle is not None:
        for shape, top, height in ((cover.shapes.title, 2.0, 1.6), (subtitle, 3.9, 1.4)):
            shape.left, shape.top, shape.width, shape.height = Inches(0.8), Inches(top), Inches(11.7), Inches(height)
    _from_layout(cover, PP_PLACEHOLDER.SLIDE_NUMBER)
    _notes(cover, [deck.title, f"数据文件修改时间：{deck.data_date}"])
    for slide in deck.slides:
        add_slide(prs, content, slide, deck)
    _properties(prs, dataset, deck)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
