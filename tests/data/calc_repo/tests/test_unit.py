import unittest

from calc import mul


class MulTests(unittest.TestCase):
    def test_mul(self):
        self.assertEqual(mul(2, 3), 6)  # noqa: PT009 - a unittest case is the point
