"""The report templates (jinja2). This file only lets Python ship the folder."""
