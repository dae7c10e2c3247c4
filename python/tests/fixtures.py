"""Fixtures written by the Node library (test/python.test.ts) and what they hold."""
import json
import os
import unittest

DIR = os.environ.get("HIVESTREAM_FIXTURES", "")


def path(name):
    return os.path.join(DIR, name)


def expected(name):
    with open(path(name), encoding="utf-8") as f:
        return json.load(f)


def needs_fixtures(cls):
    return unittest.skipUnless(DIR and os.path.isdir(DIR), "run through test/python.test.ts (HIVESTREAM_FIXTURES)")(cls)
