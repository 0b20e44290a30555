"""The specification of sigmoid-hw, in pure Python and numpy (never Amaranth).

``reference``  float sigmoid, logit and tanh, numerically stable
``derivatives`` the derivative polynomials P_k(y) with exact integer coefficients
``bitpattern`` sigmoid(n ln2) from its periodic bit pattern
``taylor``     the seed's float Taylor method (sigmoid_hw)
``fixed``      SQ / UQ number formats (RFC 41 vocabulary)
``pipeline``   the bit-exact integer model of the hardware pipeline
``threshold``  the exact threshold limit for the comparator
"""
