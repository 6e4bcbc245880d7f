"""The report templates, declared once as data (FORMAT.md)."""

from xxgk.template.declarations import (
    APPEAL_COLUMNS,
    APPEAL_PARTS,
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    FEE_STATEMENT,
    IN_FORCE_STOCK,
    LATEST,
    SECTIONS,
    TEMPLATE_2019,
    TEMPLATE_2021,
    TEMPLATES,
    template_for_year,
)
from xxgk.template.model import Column, Equation, Row, Section, Table, Template

__all__ = [
    "APPEAL_COLUMNS",
    "APPEAL_PARTS",
    "APPLICANT_COLUMNS",
    "APPLICANT_PARTS",
    "FEE_STATEMENT",
    "IN_FORCE_STOCK",
    "LATEST",
    "SECTIONS",
    "TEMPLATES",
    "TEMPLATE_2019",
    "TEMPLATE_2021",
    "Column",
    "Equation",
    "Row",
    "Section",
    "Table",
    "Template",
    "template_for_year",
]
