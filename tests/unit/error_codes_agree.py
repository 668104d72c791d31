#!/usr/bin/python3
"""The error list is defined once, by dyncreds::ErrorCode (include/dyncreds/
status.h) and its names (ErrorCodeName); every other place that spells it
out must agree: the C header's dyncreds_status, the names the library gives
(dyncreds_status_name), the Python exceptions and the Go constants.

    error_codes_agree.py SOURCE_DIR LIBRARY
"""
import ctypes
import os
import re
import sys
import unittest

SOURCE, LIBRARY = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SOURCE, "capi", "python"))
from dyncreds import errors  # noqa: E402


def read(*parts):
    with open(os.path.join(SOURCE, *parts)) as f:
        return f.read()


def enum_body(text, opening):
    start = text.index(opening)
    return text[start:text.index("}", start)]


CPP = {int(n): name for name, n in re.findall(r"\bk(\w+) = (\d+),", enum_body(read("include", "dyncreds", "status.h"),
                                                                          "enum class ErrorCode"))}
C = {int(n): name for name, n in re.findall(r"\bDYNCREDS_(\w+) = (\d+)", enum_body(read("capi", "dyncreds.h"),
                                                                                  "typedef enum dyncreds_status"))}
GO = {int(n): name for name, n in re.findall(r"^\t(\w+)\s+Code = (\d+)", read("capi", "go", "errors.go"), re.M)}
lib = ctypes.CDLL(LIBRARY)
lib.dyncreds_status_name.restype = ctypes.c_char_p
NAMES = {n: lib.dyncreds_status_name(n).decode() for n in C}
PYTHON = {k.status: k for k in vars(errors).values()
          if isinstance(k, type) and issubclass(k, errors.DyncredsError) and k.status is not None}


class ErrorCodesAgree(unittest.TestCase):
    def test_the_lists_were_found(self):
        self.assertGreaterEqual(len(CPP), 14)
        self.assertGreaterEqual(len(C), 15)

    def test_the_c_header_has_every_code_and_only_out_of_memory_more(self):
        self.assertEqual(set(C) - set(CPP), {max(C)})
        self.assertEqual(C[max(C)], "ENOMEM")
        self.assertLessEqual(set(CPP), set(C))

    def test_every_code_has_its_own_name_from_the_library(self):
        self.assertEqual(NAMES[0], "ok")
        self.assertEqual(NAMES[max(C)], "out_of_memory")
        self.assertEqual(len(set(NAMES.values())), len(NAMES))
        self.assertNotIn("unknown", NAMES.values())
        self.assertEqual(lib.dyncreds_status_name(max(C) + 1).decode(), "unknown")

    def test_python_has_one_exception_per_error_code_named_as_the_library_names_it(self):
        self.assertEqual(set(PYTHON), set(C) - {0})
        for n, kind in PYTHON.items():
            self.assertEqual(kind.code, NAMES[n], kind.__name__)

    def test_go_has_one_constant_per_code(self):
        self.assertEqual(set(GO), set(C))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
