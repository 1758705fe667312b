"""Every scenario of every .feature file in this folder; the steps are in conftest.py."""

from pytest_bdd import scenarios

scenarios(".")
