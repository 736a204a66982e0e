from pkg.calc import clamp
