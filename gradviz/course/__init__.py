"""Course mode: a different variant of a problem for every student, in the tools courses use.

==================  ==================================================================
``roster``          the class list (a CSV with a ``student`` column), safe folder names,
                    each student's seed
``manifest``        ``DIR/manifest.json``: which variant and which files each student has
``latex``           pdflatex, run privately and reproducibly (byte-identical PDFs)
``sheets``          a student's problem sheet (HTML with the blank SVG figure, PDF) and
                    answer key (HTML, PDF)
``assign``          one distinct variant per student, reproducible from (course seed, id)
``submissions``     which sheet in a submissions folder is whose
``rubric``          points per asked quantity and the error-carried-forward policy
``grade``           every sheet checked against its student's variant: the gradebook
``feedback``        a student's feedback (Markdown, HTML): verdicts, the first wrong step
``classreport``     the class report: score chart, mistakes per node (HTML, CSV)
``gradescope``      one sheet graded as a Gradescope autograder's results.json
``prairielearn``    a PrairieLearn question folder: info.json, question.html, server.py
==================  ==================================================================
"""
