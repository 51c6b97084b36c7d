"""The SQL of the dataset's views, one constant per revision that (re)creates a view; never edit one.

Kept apart from the revision files so that a new, empty dataset can be created at the newest revision in one
step without importing alembic (pipeline.load.create_newest); tests/test_load.py checks that the result is
the schema the migrations build.
"""

from __future__ import annotations


def _latest(alias: str, field: str) -> str:
    # The newest correction of one field of the figure (corrections are never edited, only added).
    return (f"LEFT JOIN corrections {alias} ON {alias}.id = (SELECT MAX(c.id) FROM corrections c "
            f"WHERE c.figure_id = f.id AND c.field = '{field}')")


#: One row per figure of the canonical document of each report, without parts already inside a total
#: (part_of) and table cells restating a sentence (restates), with corrections applied: sums are safe.
FACTS_SQL_0002 = f"""
CREATE VIEW facts AS
SELECT
    f.id AS figure_id,
    d.report_id AS report_id,
    f.document_id AS document_id,
    f.document AS document,
    d.province AS province,
    d.district AS district,
    d.report_year AS report_year,
    COALESCE(f.period_label, d.period_label) AS period_label,
    COALESCE(f.period_start, d.period_start) AS period_start,
    COALESCE(f.period_end, d.period_end) AS period_end,
    f.measure AS measure,
    CASE WHEN ci.id IS NOT NULL THEN ci.new ELSE f.indicator END AS indicator,
    CASE WHEN ci.id IS NOT NULL THEN 1.0 ELSE f.indicator_confidence END AS indicator_confidence,
    f.kind AS kind,
    CASE WHEN cv.id IS NOT NULL THEN CAST(cv.new AS NUMERIC) ELSE f.value END AS value,
    CASE WHEN cv.id IS NOT NULL THEN cv.new ELSE f.value_exact END AS value_exact,
    CASE WHEN cu.id IS NOT NULL THEN cu.new ELSE f.unit END AS unit,
    f.per AS per,
    f.qualifier AS qualifier,
    CASE WHEN cs.id IS NOT NULL THEN cs.new ELSE f.subject END AS subject,
    f.raw AS raw,
    f.page AS page,
    f.flags AS flags,
    CASE WHEN EXISTS (SELECT 1 FROM corrections c WHERE c.figure_id = f.id) THEN TRUE ELSE FALSE END
        AS corrected,
    f.place AS place,
    f.section AS section,
    f.domain AS domain,
    f.sentence AS sentence,
    f.bbox AS bbox,
    f.confidence AS confidence,
    f.table_id AS table_id,
    f."row" AS "row",
    f."column" AS "column",
    f.source AS source
FROM figures f
JOIN documents d ON d.id = f.document_id
{_latest("cv", "value")}
{_latest("cu", "unit")}
{_latest("cs", "subject")}
{_latest("ci", "indicator")}
{_latest("cn", "not_a_figure")}
WHERE d.canonical = TRUE
  AND f.part_of IS NULL
  AND f.restates IS NULL
  AND (cn.id IS NULL OR cn.new <> 'true')
"""

#: The views of the newest revision, in creation order (a revision that replaces a view updates this list).
NEWEST_VIEWS: tuple[str, ...] = (FACTS_SQL_0002,)
