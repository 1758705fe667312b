"""The bundled rule files (YAML). This file only lets Python ship the folder."""
