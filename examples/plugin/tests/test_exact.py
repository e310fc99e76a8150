from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from packagers_exact import DecimalPackager, FractionPackager

from packagers.testing import PackagerConformance


class TestFraction(PackagerConformance):
    packager_class = FractionPackager

    def samples(self):
        return [Fraction(1, 3), Fraction(-7, 2)]

    def assert_same_result(self, original, value):
        assert value == str(original)  # a result is the exact text


class TestDecimal(PackagerConformance):
    packager_class = DecimalPackager

    def samples(self):
        return [Decimal("0.10"), Decimal("-1E+3")]

    def assert_same(self, original, restored):
        assert type(restored) is Decimal
        assert str(restored) == str(original)

    def assert_same_result(self, original, value):
        assert value == str(original)
