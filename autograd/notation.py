"""How an operation reads as text: one notation for pictures, step formulas and test formulas.

Every place that shows an operation (the oval of ``draw_dot``, ``Step.explain``, the formula of
an ``autograd.testing.Expression``) asks this module, giving the op's name, its ``kind`` (how
its operands and constant are placed) and its constant. Nothing re-parses a display string.

The kinds:

- ``INFIX``: ``x + y`` (the operators ``+ - * / **``);
- ``CONSTANT_RIGHT``: ``x * 2``; ``CONSTANT_LEFT``: ``2 ** x`` (an operator with a constant);
- ``PREFIX``: ``-x`` (the op named ``neg``);
- ``CALL``: ``tanh(x)``, ``leaky_relu(x, 0.1)``: a function of its operands, then its constant.

Two styles: as a graph node reads (``as_code=False``: ``Step.explain``, ``n1 * -1``,
``affine(w, x, b)``), or as the Python code that builds it (``as_code=True``: the formulas of
``autograd.testing``, ``n1 * (-1)``, ``affine([w], [x], b)``, ``add_all([a, b])``).

>>> x, y = Term("x"), Term("y")
>>> formula("*", INFIX, [formula("+", INFIX, [x, y]), y]).text
'(x + y) * y'
>>> formula("+", CONSTANT_RIGHT, [x], -1.0).text, op_label("**", CONSTANT_LEFT, 2.0)
('x - 1', '2 **')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = [
    "ATOM",
    "CALL",
    "CONSTANT_LEFT",
    "CONSTANT_RIGHT",
    "INFIX",
    "KINDS",
    "PRECEDENCE",
    "PREFIX",
    "Local",
    "Term",
    "formula",
    "kind_of",
    "local_rule",
    "name_term",
    "node_formula",
    "node_op",
    "number",
    "op_label",
    "op_text",
]

from autograd import primitives as P
from autograd.value import Value

INFIX = "infix"
CONSTANT_RIGHT = "constant right"
CONSTANT_LEFT = "constant left"
PREFIX = "prefix"
CALL = "call"
KINDS = (INFIX, CONSTANT_RIGHT, CONSTANT_LEFT, PREFIX, CALL)

#: how tightly each operator binds; a function call or a name binds tightest (``ATOM``)
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
ATOM = 6
_UNARY_MINUS = PRECEDENCE["neg"]


class Term(NamedTuple):
    """A piece of a formula and how tightly it binds (``ATOM``: never needs parentheses)."""

    text: str
    precedence: int = ATOM


def name_term(name: str) -> Term:
    """A node's name as a term: one with a space or an operator in it binds loosest.

    >>> name_term("a"), name_term("y - t").precedence
    (Term(text='a', precedence=6), 0)
    """
    loose = name[:1] != "(" and any(ch in name for ch in " +-*/")
    return Term(name, 0 if loose else ATOM)


def fixed(x: float, precision: int = 4) -> str:
    """``x`` with ``precision`` decimals, never ``-0.0000``: what rounds to zero reads as zero.

    >>> fixed(-0.00001), fixed(-0.5, 2), fixed(2.0, 0)
    ('0.0000', '-0.50', '2')
    """
    text = f"{x:.{precision}f}"
    if text[:1] == "-" and not text.strip("-0."):
        return text[1:]
    return text


def number(c: float | str) -> Term:
    """A constant as a term: ``2``, ``0.5``; a negative one binds like unary minus.

    A str is a placeholder for a constant (``"c"`` in ``x + c``) and is kept as it is.
    """
    if isinstance(c, str):
        return Term(c)
    return Term(f"{c:g}", ATOM if c >= 0 else _UNARY_MINUS)


def kind_of(name: str, operands: int, const: object, const_first: bool = False) -> str:
    """The kind of a node: from its op's name, how many operands it has and its constant.

    >>> kind_of("*", 2, None), kind_of("*", 1, 2.0), kind_of("/", 1, 2.0, True)
    ('infix', 'constant right', 'constant left')
    >>> kind_of("leaky_relu", 1, 0.1), kind_of("affine", 3, None)
    ('call', 'call')
    """
    if name not in PRECEDENCE or name == "neg":
        return PREFIX if name == "neg" else CALL
    if not isinstance(const, int | float):
        return INFIX if operands == 2 else CALL
    return CONSTANT_LEFT if const_first else CONSTANT_RIGHT


def op_label(name: str, kind: str, const: object = None) -> str:
    """How an op reads in a picture: ``+``, ``* 2``, ``2 **``, ``tanh``, ``leaky_relu 0.1``.

    >>> op_label("*", CONSTANT_RIGHT, 2.0), op_label("leaky_relu", CALL, 0.1)
    ('* 2', 'leaky_relu 0.1')
    >>> op_label("+", CONSTANT_RIGHT, -0.01)  # x + c with c < 0 reads x - 0.01
    '- 0.01'

    """
    if not isinstance(const, int | float):  # no constant, or a fused node's tuple of them
        return name
    if kind == CONSTANT_RIGHT and name == "+" and const < 0:
        return f"- {-const:g}"  # as the formula reads it: x - 0.01, not x + -0.01
    return f"{const:g} {name}" if kind == CONSTANT_LEFT else f"{name} {const:g}"


def node_op(v: Value) -> tuple[str, str, object]:
    """The name, kind and constant of the node ``v`` (``("", CALL, None)`` for a leaf)."""
    prim = v._prim
    if prim is None:
        return "", CALL, None
    return prim.name, kind_of(prim.name, len(v.parents), v._arg, prim.const_first), v._arg


def op_text(v: Value) -> str:
    """How the operation of ``v`` reads in a picture: ``+``, ``* 2``, ``2 **``, ``tanh``, ...

    >>> from autograd import Value
    >>> op_text(2.0 ** Value(3.0)), op_text(Value(1.0).tanh()), op_text(Value(1.0))
    ('2 **', 'tanh', '')
    """
    return op_label(*node_op(v))


def node_formula(v: Value, names: Sequence[str]) -> str:
    """How ``v`` was computed from its operands called ``names``: ``a * b``, ``tanh(a)``, ...

    >>> from autograd import Value
    >>> a = Value(2.0)
    >>> node_formula(a - 1, ["a"]), node_formula(a * -1, ["a"]), node_formula(a * a, ["a", "y - t"])
    ('a - 1', 'a * -1', 'a * (y - t)')
    """
    name, kind, const = node_op(v)
    return formula(name, kind, [name_term(n) for n in names], const).text


def formula(
    name: str, kind: str, operands: Sequence[Term], const: object = None, *, as_code: bool = False
) -> Term:
    """The formula of one op applied to ``operands`` (terms), with its constant if it has one.

    The constant is a number, a tuple of numbers (``affine`` with constant inputs) or a
    placeholder name such as ``"c"``.

    Operands that bind more loosely than their place needs get parentheses: the left operand
    of an operator needs its precedence (more for the right-associative ``**``: ``(x ** y) **
    z``), the right one one more (``x - (y - z)``), the operand of ``-x`` more than ``**``.
    ``x + c`` with a negative ``c`` reads ``x - |c|`` (the same number, bit for bit).
    ``as_code``: negative constants in parentheses after an operator, and ``add_all`` and
    ``affine`` with their lists, as the Python code that builds the op.

    >>> formula("-", INFIX, [Term("x"), Term("y - z", 1)]).text
    'x - (y - z)'
    >>> formula("affine", CALL, [Term("w"), Term("b")], (2.0,), as_code=True).text
    'affine([w], [2], b)'
    """
    if kind == PREFIX:
        return Term("-" + _wrapped(operands[0], PRECEDENCE["**"] + 1), _UNARY_MINUS)
    if kind == CALL:
        return Term(_call(name, operands, const, as_code))
    prec = PRECEDENCE[name]
    if kind == INFIX:
        left, right = operands
    elif kind == CONSTANT_RIGHT and name == "+" and isinstance(const, int | float) and const < 0:
        return Term(f"{_wrapped(operands[0], prec)} - {-const:g}", prec)
    else:
        c = number(const)  # type: ignore[arg-type]
        if kind == CONSTANT_RIGHT and as_code and c.precedence < ATOM:
            c = Term(f"({c.text})")  # x * (-1): a negative constant after an operator
        c = Term(c.text)  # otherwise a constant is shown as it is: 2 ** x, x * -1
        left, right = (c, operands[0]) if kind == CONSTANT_LEFT else (operands[0], c)
    need_left = prec + 1 if name == "**" else prec
    text = f"{_wrapped(left, need_left)} {name} {_wrapped(right, prec + 1)}"
    return Term(text, prec)


def _wrapped(term: Term, need: int) -> str:
    return f"({term.text})" if term.precedence < need else term.text


def _call(name: str, operands: Sequence[Term], const: object, as_code: bool) -> str:
    args = [t.text for t in operands]
    if as_code and name == "affine":
        ws, xs, b = _affine_split(const)(args, const)
        if isinstance(const, tuple):
            xs = [f"{c:g}" for c in xs]
        return f"affine([{', '.join(ws)}], [{', '.join(xs)}], {b})"
    if as_code and name == "add_all":
        return f"add_all([{', '.join(args)}])"
    if isinstance(const, int | float | str):
        args.append(number(const).text)
    return f"{name}({', '.join(args)})"


# ----------------------------------------------------------------------------------------------
# local derivatives in words, for the hints of exercises


class Local(NamedTuple):
    """What a local derivative's text is made of: its value, the node's output, one operand."""

    value: float  # d(node)/d(operand)
    out: float  # the node's output
    operand: float  # the operand's value
    const: object = None  # the op's constant, if it has one
    partner: str = ""  # the name of what this operand is multiplied with (``*``, ``affine``)


_SUM = "1 (a sum passes its gradient on unchanged)"
_RULES = {  # by op name: the derivative with the numbers put in, then its value
    "+": lambda d: (_SUM, ""),
    "sum": lambda d: (_SUM, ""),
    "tanh": lambda d: (f"1 - tanh² = 1 - {d.out:.4f}²", f" = {d.value:.4f}"),
    "sigmoid": lambda d: (f"σ(1 - σ) = {d.out:.4f}·(1 - {d.out:.4f})", f" = {d.value:.4f}"),
    "exp": lambda d: ("exp itself", f", {d.value:.4f}"),
    "log": lambda d: (f"1/x = 1/{d.operand:.4f}", f" = {d.value:.4f}"),
    "relu": lambda d: (f"1 if x > 0 else 0, with x = {d.operand:.4f}", f": {d.value:g}"),
}


def local_rule(
    name: str, kind: str, position: int, operands: int, d: Local, *, result: bool = True
) -> str:
    """The local derivative d(node)/d(operand ``position``) in words and numbers.

    ``result=False`` leaves out its value (and the operand's value it is, for a product):
    what a hint says when the value would be the answer itself (a gradient of 1 arrived).

    >>> local_rule("tanh", CALL, 0, 1, Local(0.42, 0.7616, 1.0))
    '1 - tanh² = 1 - 0.7616² = 0.4200'
    >>> local_rule("tanh", CALL, 0, 1, Local(0.42, 0.7616, 1.0), result=False)
    '1 - tanh² = 1 - 0.7616²'
    >>> local_rule("*", INFIX, 0, 2, Local(3.0, 6.0, 2.0, partner="b"))
    'the other factor, b = 3.0000'
    """
    if name == "*":
        text, value = _product_rule(kind, d)
    elif name == "**" and kind == CONSTANT_RIGHT:
        c = d.const
        text = f"c·x^(c-1) = {c:g}·{d.operand:.4f}^{c - 1:g}"  # type: ignore[operator]
        value = f" = {d.value:.4f}"
    elif name == "affine":
        text, value = _affine_rule(position, operands, d)
    elif name in _RULES:
        text, value = _RULES[name](d)
    else:
        text, value = f"d({name})/d(operand {position + 1})", f" = {d.value:.4f}"
    return text + value if result else text


def _product_rule(kind: str, d: Local) -> tuple[str, str]:
    if kind == INFIX:
        return f"the other factor, {d.partner}", f" = {d.value:.4f}"
    return "the constant factor", f" {d.const:g}"


def _affine_rule(position: int, operands: int, d: Local) -> tuple[str, str]:
    if position == operands - 1:
        return "1 for the bias", ""
    if isinstance(d.const, tuple):
        return "the input it multiplies", f", {d.const[position]:g}"
    ws, _, _ = _affine_split(d.const)(range(operands), d.const)
    role = "input" if position in ws else "weight"
    return f"the {role} it multiplies, {d.partner}", f" = {d.value:.4f}"


def _affine_split(const):
    """``split`` of the affine primitive that has this constant (numbers as inputs, or not)."""
    return (P.AFFINE_CONST if isinstance(const, tuple) else P.AFFINE).split
