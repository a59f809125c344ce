"""``compile``: trace a function once, then run it as straight-line Python.

``compile(fn, example_inputs)`` runs ``fn`` once on Values and writes its graph out as the
source of one Python function: one local variable per node for the forward values, then the
backward pass in reverse topological order, one line per local derivative (the chain rule
written out, with the nodes' labels as variable names and a comment per node). Each line is
the primitive's code template from the rule table (``Primitive.code``), which computes exactly
the floats its ``forward`` and ``vjp`` compute, and the gradients accumulate in the order
``backward()`` accumulates them: the compiled function gives, bit for bit, the value and the
gradients that ``backward()`` gives on a fresh graph, without building one. A large graph
(more than 10,000 nodes) is written as several functions of 400 nodes, compiled one at a
time (``_Pieces``): the same lines, handing values and gradients on in two lists.

Zero skipping, as in ``backward()``: a rule that is ``g`` times finite derivatives
(``Primitive.zero_skip``) is written under ``if d_v or run_all:``, so a node whose gradient is
exactly 0 (behind an inactive ReLU) costs one test. ``run_all`` is set, before the backward
lines, when some value is inf or nan (``0 * inf`` is nan and must reach the gradients) or, in
a loop body, a gradient starts at -0.0: then every rule runs, and the result is the same bits.

What a trace cannot see. The generated code replays the graph that ``fn`` built at the
example inputs. Branches *inside* the primitives (relu's kink, abs, the domain checks of
``/``, ``**`` and ``log``) are in the generated code and follow the new inputs. A Python
``if`` on ``.data`` in ``fn`` itself (or ``max(v.data ...)``, or anything else computed from
``.data`` outside the ops) is not: it was decided once, at the example inputs, and nothing in
the graph records it, so it cannot be detected. Compile only functions whose graph has the
same shape for every input, or pass ``check=True`` to compare with the engine at a few new
inputs spread over signs and magnitudes (it sees the branches those points cross, no others),
or ``check="always"`` to compare every call (slow, for debugging).

What is refused, at compile time, with an error naming the node (``CompileError``, a
``ValueError``): a leaf that is not one of the inputs (a Value made by hand inside ``fn``, a
Value computed under ``no_grad()``, or a parameter that should be passed with
``params=``), a node made micrograd's way with a ``_backward`` function of its own, and a
node whose ``.data`` is not what its op gives on its operands (assigned after it was
computed). Ops made with ``define_op`` have no template: the generated code calls their
registered forward and vjp by name (``cube_forward``, ``cube_vjp``), which is exact too.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import itertools
import keyword
import linecache
import math
import numbers
import random
import re
import unicodedata
import weakref
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, cast

from autograd import primitives as P
from autograd.backprop import topological_order, zero_skippable
from autograd.errors import CompileError
from autograd.inputs import renamed_keyword
from autograd.mode import enable_grad
from autograd.value import Value, _CustomRule

__all__ = ["CompileError", "Compiled", "LoopBody", "Result", "compile", "loop_body"]


class Result(NamedTuple):
    """What a compiled function returns: the value and one gradient per input."""

    value: float
    grads: list[float]


# ----------------------------------------------------------------------------------------------
# the graph: nodes in topological order, checked for what a replay cannot reproduce


def _same(a: float, b: float) -> bool:
    """Equal to the bit (except nan payloads): 0.0 and -0.0 differ, nan equals nan."""
    if a != a:
        return b != b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _show(v: Value) -> str:
    what = f"node {v.label!r}" if v.label else "an unlabelled node"
    op = f"op {v.op!r}" if v.op else "a leaf"
    return f"{what} ({op}, data {v.data!r})"


def _user_of(v: Value, nodes: list[Value]) -> str:
    for n in nodes:
        if any(p is v for p in n.parents):
            return f", used by {_show(n)}"
    return ""


def _replays(v: Value) -> bool:
    """Does ``v``'s op, run again on its operands' data, give ``v.data`` (bit for bit)?"""
    prim, c = v._prim, v._arg
    xs = [p.data for p in v.parents]
    try:
        out = prim.forward(*xs) if c is None else prim.forward(*xs, c)  # type: ignore[union-attr]
    except (ArithmeticError, ValueError, TypeError):
        return False
    return _same(out, v.data)


def _check_node(v: Value, inputs: set[Value], nodes: list[Value]) -> None:
    if not v.parents:
        if v not in inputs:
            raise CompileError(
                f"compile: {_show(v)}{_user_of(v, nodes)} is a leaf but not one of the inputs; "
                "its value would be baked into the code as a constant. Pass it as an input "
                "(or in params=), or use a Python number in fn instead of a Value (a "
                "Value computed under no_grad() is a leaf too: compute it with grad mode on)"
            )
        return
    if type(v._arg) is _CustomRule:
        raise CompileError(
            f"compile: {_show(v)} was made micrograd's way, Value(data, _children, _op) with a "
            "_backward function that reads and writes .grad: it has no forward to replay; "
            "define the op with define_op instead"
        )
    if not _replays(v):
        raise CompileError(
            f"compile: {_show(v)} is not what its op gives on its operands "
            f"({[p.data for p in v.parents]}): its .data was assigned after it was computed, "
            "or it was built without its op's checks; trace again on a fresh graph"
        )


def _graph(root: Value, inputs: Sequence[Value]) -> list[Value]:
    """Every node ``root`` depends on, in topological order, each checked (CompileError)."""
    if not isinstance(root, Value):
        raise TypeError(f"compile: fn must return a Value (got {type(root).__name__})")
    nodes = topological_order(root)
    known = set(inputs)
    for v in nodes:
        _check_node(v, known, nodes)
    return nodes


def _needs_grad(nodes: list[Value], wanted: set[Value]) -> set[Value]:
    """The nodes with a path to a wanted leaf: only their gradients are computed."""
    needs = set()
    for v in nodes:
        if v in wanted or any(p in needs for p in v.parents):
            needs.add(v)
    return needs


# ----------------------------------------------------------------------------------------------
# names: labels as variable names where they can be, otherwise the op and a counter

_OP_WORDS = {"+": "add", "*": "mul", "/": "div", "**": "pow"}
_RESERVED = {
    *keyword.kwlist,
    *keyword.softkwlist,
    *P.CODE_NAMES,
    *dir(builtins),
    "examples",
    "losses",
    "outputs",
    "seed",
    "weights",
    "grads",
}


@functools.lru_cache(maxsize=4096)
def _identifier(text: str) -> str:
    """``text`` as a Python name ("" if it cannot be one), in the form Python reads it in.

    Python reads identifiers NFKC-normalised (``ℒ`` is ``L``, ``xᵢ`` is ``xi``), so names are
    made and compared in that form: two labels Python would read as one get two names.
    """
    if not text:
        return ""
    name = re.sub(r"\W+", "_", unicodedata.normalize("NFKC", text)).strip("_")
    name = unicodedata.normalize("NFKC", name)
    if not name.isidentifier() or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return ""
    return name if not name.startswith("d_") else "v_" + name  # d_x is x's gradient


class _Names:
    """One unique Python name per node; ``d_<name>`` is its gradient."""

    def __init__(self) -> None:
        self.of: dict[Value, str] = {}
        self.taken = set(_RESERVED)
        self.counts: dict[str, int] = {}
        self.words: dict[Any, str] = {}  # each op's word (its primitive's), found once

    def add(self, v: Value, wish: str = "") -> str:
        label = v.label  # most nodes have none: no lookups for them (a wide model has thousands)
        base = (wish and _identifier(wish)) or (label and _identifier(label)) or self._by_op(v)
        taken = self.taken
        name, grad, k = base, "d_" + base, 1
        while name in taken or grad in taken:
            k += 1
            name = f"{base}_{k}"
            grad = "d_" + name
        taken.add(name)
        taken.add(grad)
        self.of[v] = name
        return name

    def _by_op(self, v: Value) -> str:
        prim = v._prim
        word = self.words.get(prim)
        if word is None:
            op = "" if prim is None else prim.name
            word = self.words[prim] = _OP_WORDS.get(op) or _identifier(op) or "v"
        k = self.counts[word] = self.counts.get(word, 0) + 1
        return f"{word}_{k}"

    def __getitem__(self, v: Value) -> str:
        return self.of[v]

    @classmethod
    def first_for(cls, inputs: list[Value], nodes: list[Value], taken: str = "") -> _Names:
        """Names for the inputs first (in order), then for the other nodes; ``taken`` is kept."""
        names = cls()
        if taken:
            names.taken.add(taken)
        for v in inputs:
            names.add(v)
        for v in nodes:
            if v not in names.of:
                names.add(v)
        return names


# ----------------------------------------------------------------------------------------------
# writing the source: forward lines, then backward lines


def _constant(c: float, bound: dict[str, Any], taken: Collection[str] = ()) -> str:
    """A float as source that evaluates to exactly that float."""
    if math.isfinite(c):
        return repr(c)
    if c == math.inf:
        return "inf"
    if c == -math.inf:
        return "-inf"
    k = len(bound)
    while f"nan_{k}" in taken or f"nan_{k}" in bound:
        k += 1
    bound[f"nan_{k}"] = c  # a nan keeps its own bits: bound by name
    return f"nan_{k}"


_ARG_NAMES: dict[Callable, list[str] | None] = {}


def _arg_names(prim: P.Primitive) -> list[str] | None:
    """The vjp's own argument names after ``g, out`` (None for an n-ary vjp)."""
    if prim.vjp not in _ARG_NAMES:
        _ARG_NAMES[prim.vjp] = _signature_names(prim)
    return _ARG_NAMES[prim.vjp]


def _signature_names(prim: P.Primitive) -> list[str] | None:
    params = list(inspect.signature(prim.vjp).parameters.values())[2:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return [p.name for p in params]


@dataclass
class _Writer:
    """Writes forward and backward lines for a checked graph; collects the names code calls."""

    names: _Names
    bound: dict[str, Any] = field(default_factory=dict)
    fallbacks: int = 0
    exprs: dict[Value, str] = field(default_factory=dict)

    def const(self, v: Value) -> str | list[str] | None:
        c = v._arg
        if c is None:
            return None
        if isinstance(c, tuple):
            return [_constant(x, self.bound, self.names.taken) for x in c]
        return _constant(c, self.bound, self.names.taken)  # type: ignore[arg-type]  # a float

    def operands(self, v: Value) -> dict[str, Any]:
        prim = v._prim
        args = _arg_names(prim)  # type: ignore[arg-type]
        xs = list(map(self.names.of.__getitem__, v.parents))  # a fused node has thousands
        if args is None:
            return {"xs": xs, "c": self.const(v)}
        mapping: dict[str, Any] = dict(zip(args, xs))
        if v._arg is not None:
            mapping[args[-1]] = self.const(v)
        return mapping

    def forward_expr(self, v: Value) -> str:
        """The source of ``v``'s value, written once (the forward line, the backward comment)."""
        expr = self.exprs.get(v)
        if expr is None:
            expr = self.exprs[v] = self._forward_expr(v)
        return expr

    def _forward_expr(self, v: Value) -> str:
        code = v._prim.code  # type: ignore[union-attr]
        ops = self.operands(v)
        if code is None:
            fn = self.bind(v, "forward")
            return f"{fn}({', '.join(self.call_args(v))})"
        if callable(code.forward):
            return code.forward(ops["xs"], ops["c"])
        return code.forward.format(**ops)

    def contributions(self, v: Value, g: str) -> tuple[list[str], list[str]]:
        """Source of each parent's contribution, and lines to run before them."""
        code = v._prim.code  # type: ignore[union-attr]
        ops = self.operands(v)
        out = self.names[v]
        if code is None:
            fn = self.bind(v, "vjp")
            args = [f"0.0 + {g}", out, *self.call_args(v)]  # 0.0 + g: .grad is never -0.0
            tmp = self.fresh(f"{fn}_{self.fallbacks}")
            self.fallbacks += 1
            pre = [f"{tmp} = {fn}({', '.join(args)})"]
            return [f"{tmp}[{i}]" for i in range(len(v.parents))], pre
        if callable(code.vjp):
            return code.vjp(g, out, ops["xs"], ops["c"]), []
        return [t.format(g=g, out=out, **ops) for t in code.vjp], []

    def call_args(self, v: Value) -> list[str]:
        """The operands (and the constant) of a call to a primitive's own forward or vjp."""
        args = list(map(self.names.of.__getitem__, v.parents))
        c = self.const(v)
        if isinstance(c, list):
            args.append(f"({', '.join(c)},)")
        elif c is not None:
            args.append(c)
        return args

    def bind(self, v: Value, what: str) -> str:
        """A primitive without a template: its forward or vjp, bound under a readable name."""
        prim = v._prim
        fn = getattr(prim, what)
        base = f"{_identifier(prim.name) or 'op'}_{what}"  # type: ignore[union-attr]
        for name, f in self.bound.items():
            if f is fn:
                return name
        name = self.fresh(base)
        self.bound[name] = fn
        return name

    def fresh(self, base: str) -> str:
        """A name no variable, bound function or constant uses yet (and now taken)."""
        name, k = base, 1
        while name in self.names.taken or name in self.bound:
            k += 1
            name = f"{base}_{k}"
        self.names.taken.add(name)
        return name


def _comment(v: Value, name: str) -> str:
    # a label on one line (a newline would end the comment), printable (no NUL in source)
    shown = " ".join("".join(c if c.isprintable() else " " for c in v.label).split())
    label = f"{shown}: " if shown and shown != name else ""
    return f"  # {label}{v.data:.6g}"


# Terms per line of a long sum. Python's compiler recurses once per ``+`` of an expression
# (a RecursionError near 3,000 terms), so a wider sum is written as several lines.
_PIECE = 500


def _assignment(name: str, expr: str) -> list[str]:
    """``name = expr``; a long chain ``a + b + c + ...`` in pieces of ``_PIECE`` terms.

    ``s = a + b + c`` then ``s = s + d + e``: Python adds left to right, so the pieces add
    in the same order and give the same bits. A chain is split only where it is flat (its
    terms hold no parentheses, so every `` + `` is one of the chain's own).
    """
    terms = expr.split(" + ")
    if len(terms) <= _PIECE or any("(" in t or ")" in t for t in terms):
        return [f"{name} = {expr}"]
    lines = [f"{name} = {' + '.join(terms[:_PIECE])}"]
    for i in range(_PIECE, len(terms), _PIECE):
        lines.append(f"{name} = {' + '.join([name, *terms[i : i + _PIECE]])}")
    return lines


def _forward_lines(w: _Writer, nodes: list[Value], indent: str) -> list[str]:
    lines = []
    for v in nodes:
        if v.parents:
            name = w.names[v]
            *first, last = _assignment(name, w.forward_expr(v))
            lines += [indent + line for line in first]
            lines.append(f"{indent}{last}{_comment(v, name)}")
    return lines


@dataclass
class _Skipping:
    """Zero skipping in the backward lines: the names the guards use, and whether one was written.

    A rule whose incoming gradient is 0 adds only signed zeros when its primitive is marked
    ``zero_skip`` and every value is finite; adding them changes no gradient that does not
    start at -0.0 (``backprop._zero_rules_change_nothing``). Such a rule is written under
    ``if d_v or run_all:``; ``run_all`` is True when some value is inf or nan (or a gradient
    starts at -0.0): then every rule runs. The gradients such a rule assigns first
    (``zeroed``) are set to 0.0 before the backward lines, for when it is skipped: one line
    for eight of them, where an ``else:`` branch would be two statements per rule, which
    Python's compiler pays for (compile time and memory grow with the statements).
    """

    root: Value
    run_all: str
    all_finite: str
    no_minus_zero: str
    used: bool = False
    zeroed: list[str] = field(default_factory=list)

    @classmethod
    def for_writer(cls, w: _Writer, root: Value) -> _Skipping:
        return cls(root, w.fresh("run_all"), w.fresh("all_finite"), w.fresh("no_minus_zero"))

    def guards(self, v: Value, g: str, terms: list[str]) -> bool:
        """Is ``v``'s rule written under a guard? Not the root's, nor one that only passes g on."""
        if v is self.root or not zero_skippable(v) or all(t == g for t in terms):
            return False
        self.used = True
        return True

    def check(self, values: list[str], indent: str, also: str = "") -> list[str]:
        """The lines that set ``run_all``: some value is not finite (or ``also`` is false)."""
        head = f"{indent}{self.run_all} = not {f'({also} and ' if also else ''}{self.all_finite}("
        tail = ")" + (")" if also else "")
        lines = [
            f"{indent}# zero skipping: a rule whose gradient is 0 adds only zeros, unless a value",
            f"{indent}# it reads is inf or nan (0 * inf is nan); then every rule runs",
        ]
        if len(head) + sum(len(v) + 2 for v in values) + len(tail) <= 100:
            return [*lines, f"{head}{', '.join(values)}{tail}"]
        rows = [values[i : i + 8] for i in range(0, len(values), 8)]  # 8 names a line
        return [*lines, head, *[f"{indent}    {', '.join(r)}," for r in rows], indent + tail]

    def zeros(self, indent: str) -> list[str]:
        """``d_a = d_b = 0.0``: the gradients first assigned under a guard, eight a line."""
        if not self.zeroed:
            return []
        names = self.zeroed
        rows = [names[i : i + 8] for i in range(0, len(names), 8)]
        head = f"{indent}# gradients set by a guarded rule: 0.0 if it is skipped"
        return [head, *[f"{indent}{' = '.join(r)} = 0.0" for r in rows]]


def _backward_lines(
    w: _Writer,
    nodes: list[Value],
    needs: set[Value],
    assigned: set[Value],
    indent: str,
    skipping: _Skipping | None = None,
) -> list[str]:
    """The chain rule, node by node in reverse topological order (``backward()``'s order).

    ``assigned``: the gradients that already hold a value (the seed, the leaves' start).
    A node's first contribution is assigned, the next ones added, as ``.grad`` accumulates.
    With ``skipping``, rules that may be skipped at a zero gradient are guarded.
    """
    lines = []
    for v in reversed(nodes):
        if not v.parents or v not in needs:
            continue
        name = w.names[v]
        lines.append(f"{indent}# {name} = {w.forward_expr(v)}")
        lines += _rule_lines(w, v, needs, assigned, skipping, indent)
    return lines


def _rule_lines(
    w: _Writer,
    v: Value,
    needs: set[Value],
    assigned: set[Value],
    skipping: _Skipping | None,
    indent: str,
) -> list[str]:
    """``v``'s contributions to its parents' gradients, under ``if d_v or run_all:`` if guarded."""
    g = f"d_{w.names[v]}"
    terms, pre = w.contributions(v, g)
    lines, at = [], indent
    if skipping is not None and skipping.guards(v, g, terms):
        lines.append(f"{indent}if {g} or {skipping.run_all}:")
        at = indent + "    "
    lines += [at + line for line in pre]
    of, zeroed = w.names.of, []
    for p, term in zip(v.parents, terms):
        if p in assigned:  # the seed, an input or a parameter, or a later contribution
            lines.append(f"{at}d_{of[p]} += {term}")
        elif p in needs:  # its first contribution
            zeroed.append(f"d_{of[p]}")
            lines.append(f"{at}{zeroed[-1]} = {term}")
            assigned.add(p)
    if skipping is not None and at != indent:  # set to 0.0 up front: 0.0 when skipped
        skipping.zeroed += zeroed
    return lines


def _all_finite(*values: float) -> bool:
    """True when no value is inf or nan: the condition for skipping a rule at gradient 0.

    An overflowing sum of finite values says False too (every rule runs then: exact as well).

    >>> _all_finite(1.0, -2.0), _all_finite(1.0, float("nan")), _all_finite(1e308, 1e308)
    (True, False, False)
    """
    try:
        return -math.inf < sum(values, 0.0) < math.inf
    except TypeError:  # a value that is not a number: no skipping
        return False


def _no_minus_zero(*grads: float) -> bool:
    """True when no gradient starts at -0.0 (adding +0.0 would make it +0.0: no skipping).

    >>> _no_minus_zero(0.0, 1.0), _no_minus_zero(0.0, -0.0)
    (True, False)
    """
    try:
        return not any(g == 0.0 and math.copysign(1.0, g) < 0.0 for g in grads)
    except TypeError:
        return False


_SOURCES = itertools.count(1)


def _exec(source: str, namespace: dict[str, Any], name: str) -> Callable:
    """Run ``source`` and return its function ``name``; its lines are kept while it lives.

    The lines go in ``linecache`` (so tracebacks into the generated code show them) until
    the function's code object is freed (the function, and any traceback still holding
    one of its frames): then the entry is removed, so compiling many functions in a long
    session does not keep every source.
    """
    filename = f"<autograd.compile {name} {next(_SOURCES)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(builtins.compile(source, filename, "exec"), namespace)
    except BaseException:
        linecache.cache.pop(filename, None)
        raise
    run = namespace.pop(name)  # not a global of itself: no reference cycle, freed at once
    weakref.finalize(run.__code__, linecache.cache.pop, filename, None)
    return run


def _namespace(w: _Writer, skipping: _Skipping | None = None) -> dict[str, Any]:
    namespace = {**P.CODE_NAMES, **w.bound}
    if skipping is not None and skipping.used:
        namespace[skipping.all_finite] = _all_finite
        namespace[skipping.no_minus_zero] = _no_minus_zero
    return namespace


# ----------------------------------------------------------------------------------------------
# compile: one function of the inputs, returning the value and the gradients


_DOMAIN_ERRORS = (ArithmeticError, ValueError)  # what ops raise outside their domain


def _outcome(run: Callable[[], Result]) -> Result | Exception:
    """``run()``'s result, or the error an op raised outside its domain."""
    try:
        return run()
    except _DOMAIN_ERRORS as error:
        return error


def _said(outcome: Result | Exception) -> str:
    if isinstance(outcome, Exception):
        return f"raises {type(outcome).__name__}({str(outcome)!r})"
    return f"gives the value {outcome.value!r}"


def _differs(at: list[float], what: str, got: str, expected: str) -> CompileError:
    return CompileError(
        f"compile: at inputs {at} the compiled {what} {got} but the engine {expected}: the "
        "graph fn builds depends on the data (a Python if, max or min on .data in fn), so it "
        "cannot be compiled"
    )


class Compiled:
    """A function compiled by ``compile``: call it with floats, read its ``.source``.

    ``f(*inputs)`` takes one real number per example input and returns ``Result(value,
    grads)``, with ``grads`` in the order of ``names`` (the inputs, then the parameters,
    whose current ``.data`` is read at each call). It builds no graph and touches no
    ``.grad``. With ``always=True`` (``compile(..., check="always")``) every call also runs
    the engine and compares (``check``).
    """

    def __init__(
        self,
        fn: Callable,
        source: str,
        run: Callable,
        names: list[str],
        parameters: list[Value],
        *,
        always: bool = False,
    ) -> None:
        self.fn = fn
        self.source = source
        self.names = names
        self.parameters = parameters
        self.always = always
        self._run = run
        self._n = len(names) - len(parameters)
        self._title = f"compiled {getattr(fn, '__name__', 'function')}"

    def __call__(self, *inputs) -> Result:
        """The value and the gradients at ``inputs`` (the parameters' current ``.data``)."""
        xs = self._floats(inputs)
        return self._compared(xs) if self.always else self._result(xs)

    def _floats(self, inputs: Sequence) -> list[float]:
        if len(inputs) != self._n:
            raise TypeError(f"{self._title}: expected {self._n} inputs, got {len(inputs)}")
        xs = []
        for i, x in enumerate(inputs):
            if type(x) is not float:
                if isinstance(x, bool) or not isinstance(x, numbers.Real):
                    raise TypeError(f"{self._title}: inputs[{i}] must be a real number (got {x!r})")
                x = float(x)
            xs.append(x)
        return xs

    def _result(self, xs: list[float]) -> Result:
        value, grads = self._run(*xs, *[p.data for p in self.parameters])
        return Result(value, grads)

    def __repr__(self) -> str:
        return f"<compiled {self.source.split('(', 1)[0][4:]}({', '.join(self.names)})>"

    def engine(self, *inputs) -> Result:
        """What the engine gives at ``inputs``: ``fn`` on fresh leaves, then ``backward()``.

        The parameters' ``.grad`` are put back afterwards; the reference for ``check``.
        """
        leaves = [Value(x) for x in self._floats(inputs)]
        saved = [p.grad for p in self.parameters]
        try:
            for p in self.parameters:
                p.grad = 0.0
            with enable_grad():
                root = self.fn(*leaves)
            root.backward()
            return Result(root.data, [v.grad for v in leaves + self.parameters])
        finally:
            for p, g in zip(self.parameters, saved):
                p.grad = g

    def check(self, *inputs) -> bool:
        """True if the compiled function gives the engine's value and gradients at ``inputs``.

        Raises CompileError saying where they differ (the graph of ``fn`` depends on the
        data there: a Python ``if`` on ``.data``), also when only one of them raises. Where
        both raise (an input outside an op's domain), the compiled function's error.
        """
        self._compared(self._floats(inputs))
        return True

    def _compared(self, xs: list[float], expected: Result | None = None) -> Result:
        """The compiled result at ``xs``, once compared with the engine's (CompileError)."""
        got = _outcome(lambda: self._result(xs))
        want = expected if expected is not None else _outcome(lambda: self.engine(*xs))
        if isinstance(got, Exception) and isinstance(want, Exception):
            raise got
        if isinstance(got, Exception) or isinstance(want, Exception):
            error = got if isinstance(got, Exception) else want
            raise _differs(xs, "function", _said(got), _said(want)) from cast(Exception, error)
        pairs = [("value", want.value, got.value)]
        pairs += [(f"d/d{n}", e, g) for n, e, g in zip(self.names, want.grads, got.grads)]
        for what, e, g in pairs:
            if not _same(e, g):
                raise _differs(xs, what, f"is {g!r}", f"gives {e!r}")
        return got

    def check_near(
        self, example: Sequence[float], rounds: int = 8, seed: int | None = None
    ) -> bool:
        """``check`` at ``rounds`` new points around ``example`` (``_check_points``).

        A point where the engine raises (outside the domain of an op in ``fn``: ``log`` of a
        negative number) is skipped, and another one drawn, up to ``4 * rounds`` in all. The
        points are drawn from ``seed``; by default from the example and the generated
        source, so they differ from function to function and from example to example, and
        the same compile checks the same points every time.
        """
        xs = self._floats(example)
        if seed is None:
            seed = zlib.crc32(f"{self.source}{xs!r}".encode())
        checked = 0
        for point in _check_points(xs, random.Random(seed), 4 * rounds):
            expected = _outcome(lambda: self.engine(*point))  # noqa: B023  # called at once
            if not isinstance(expected, Exception):
                self._compared(point, expected)
                checked += 1
                if checked == rounds:
                    break
        return True

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.source}```"


def _check_points(example: list[float], rng: random.Random, n: int) -> Iterable[list[float]]:
    """``n`` points to compare at, spread over signs and magnitudes around ``example``.

    First the example with every sign flipped (0 becomes 1), then every input 10 to 1,000
    times larger (0 becomes -1), then random points: each input near its example value, of
    the other sign, or of a random sign and a magnitude from 1e-3 to 1e3.
    """
    yield [-x or 1.0 for x in example]
    yield [x * 10 ** rng.uniform(1, 3) or -1.0 for x in example]
    for _ in range(n - 2):
        yield [_near(x, rng) for x in example]


def _near(x: float, rng: random.Random) -> float:
    r = rng.random()
    if r < 0.3:
        return x * rng.uniform(0.5, 1.5) + rng.uniform(-0.5, 0.5)
    if r < 0.45:
        return -x * rng.uniform(0.5, 1.5)
    return rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(-3, 3)


def _leaves(fn: Callable, example_inputs: Sequence, names: Sequence[str] | None = None):
    if not callable(fn):
        raise TypeError(f"compile: fn must be a function (got {type(fn).__name__})")
    if isinstance(example_inputs, Value | str | bytes) or not isinstance(example_inputs, Iterable):
        raise TypeError(f"compile: example_inputs must be a list (got {example_inputs!r})")
    wishes = list(names) if names is not None else _argument_names(fn)
    leaves = []
    for i, x in enumerate(example_inputs):
        if isinstance(x, Value):
            raise TypeError(
                f"compile: example_inputs[{i}] is a Value; pass numbers (fn gets fresh "
                "leaves), and the Values fn reaches by itself in params="
            )
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"compile: example_inputs[{i}] must be a real number (got {x!r})")
        wish = wishes[i] if i < len(wishes) and _identifier(wishes[i]) else f"x{i}"
        leaves.append(Value(float(x), label=wish))
    return leaves


def _argument_names(fn: Callable) -> list[str]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


_PARAMS = ("params", "parameters")  # compile's keyword for a list of parameters, then its old name


def _parameter_list(parameters: Iterable) -> list[Value]:
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"compile: parameters[{i}] must be a Value (got {p!r})")
        if p.parents:
            raise CompileError(f"compile: parameters[{i}] is {_show(p)}, not a leaf")
    if len(set(params)) != len(params):
        raise CompileError("compile: a Value appears twice in parameters")
    return params


def compile(
    fn: Callable[..., Value],
    example_inputs: Sequence[float],
    *,
    params: Iterable[Value] = (),
    check: bool | Literal["always"] = False,
    parameters: Iterable[Value] | None = None,
) -> Compiled:
    """Trace ``fn`` once and return it as straight-line Python for its value and gradients.

    Args:
        fn: a function of Values that returns one Value (the root, usually a loss).
        example_inputs: one real number per argument of ``fn`` (``numbers.Real``, bools
            refused, converted to float); ``fn`` is called once on fresh leaves holding
            them, named after ``fn``'s arguments.
        params: Values that ``fn`` reaches by itself (a model's weights); they become
            inputs of the compiled function too, read from their ``.data`` at each call.
            The same keyword as the optimizers' (``SGD(params, lr)``).
        check: ``False`` (default): no comparison. ``True``: at compile time, also run the
            engine at 8 new points and compare (``Compiled.check_near``): the example with
            every sign flipped, 10 to 1,000 times larger, then random points near it, of the
            other sign, or of any sign and a magnitude from 1e-3 to 1e3, drawn from a seed
            made of the example and the generated code (different for each function and
            example, the same on every run); points where the engine raises (outside an
            op's domain) are skipped. It catches a branch on ``.data`` that these points
            cross (``x if x.data > 0 else -x``, at any example), not one they miss (a
            threshold at 1e9, a test for one input equal to another). ``"always"``: compare every
            call with the engine (``fn`` and ``backward()`` run too: slower than the engine
            alone, for debugging). A difference is a CompileError naming the inputs.
        parameters: the old name of ``params`` (a DeprecationWarning).

    Returns a ``Compiled`` function: ``f(*inputs)`` gives ``Result(value, grads)``, bit for
    bit what ``fn`` and ``backward()`` give on a fresh graph (grads in the order of
    ``f.names``: the inputs, then the parameters); ``f.source`` is the generated code.
    Its inputs are real numbers like ``example_inputs`` (a TypeError for ``"1.5"`` or
    ``True``).

    Names in the code: labels and argument names where they are Python names, in the form
    Python reads them (NFKC: a label ``ℒ`` is the variable ``L``; two labels Python would
    read as one get two names), otherwise the op and a counter (``mul_1``); a function
    named like a helper the code calls (``tanh``, ``Value.tanh``) is written as ``tanh_``.
    A sum of more than 500 terms (``add_all``, a wide neuron) is written in lines of 500
    terms, added in the same order (the same bits). A graph of more than 10,000 nodes is
    written as forward and backward functions of 400 nodes each (``f_forward_1``, ...,
    ``f_backward_1``), compiled one at a time, which pass the values and the gradients on in
    two lists: the same lines, the same bits, and Python's compiler never holds more than
    one piece (a chain of 300,000 nodes peaks near 0.5 GB instead of 3). The source stays
    in ``linecache`` (tracebacks show its lines) until the compiled function is freed.

    The compiled function replays the graph traced at the example: a Python ``if`` on
    ``.data`` inside ``fn`` was decided once and cannot be detected (branches inside the
    ops, such as relu's, are fine: they are in the code). Errors that ops raise on values
    outside their domain (``log`` of 0, ``x / 0``) are raised by the compiled function too,
    with the op's message (``x.sqrt()`` is the node ``x ** 0.5``: at a negative number the
    compiled code raises the ValueError of ``**``, where the engine says ``sqrt:``).

    Raises:
        CompileError (a ValueError) naming the node: a leaf that is neither an input nor a
        parameter (a constant Value, or one computed under ``no_grad()``), a node made with
        ``Value(data, _children, _op)``, a node whose ``.data`` was changed after it was made.

    >>> from autograd import Value, compile
    >>> def f(x, y):
    ...     return (x * y).tanh() + x
    >>> cf = compile(f, [0.5, -2.0])
    >>> print(cf.source)  # doctest: +NORMALIZE_WHITESPACE
    def f(x, y):
        # forward: one line per node
        mul_1 = x * y  # -1
        tanh_1 = tanh(mul_1)  # -0.761594
        add_1 = tanh_1 + x  # -0.261594
        # backward: d_v is d(add_1)/d(v), added up in reverse topological order
        d_add_1 = 1.0
        d_x = d_y = 0.0
        # zero skipping: a rule whose gradient is 0 adds only zeros, unless a value
        # it reads is inf or nan (0 * inf is nan); then every rule runs
        run_all = not all_finite(x, y, mul_1, tanh_1, add_1)
        # gradients set by a guarded rule: 0.0 if it is skipped
        d_mul_1 = 0.0
        # add_1 = tanh_1 + x
        d_tanh_1 = d_add_1
        d_x += d_add_1
        # tanh_1 = tanh(mul_1)
        if d_tanh_1 or run_all:
            d_mul_1 = d_tanh_1 * (1.0 - tanh_1 * tanh_1)
        # mul_1 = x * y
        if d_mul_1 or run_all:
            d_x += d_mul_1 * y
            d_y += d_mul_1 * x
        return add_1, [d_x, d_y]
    >>> value, grads = cf(0.5, -2.0)
    >>> x, y = Value(0.5), Value(-2.0)
    >>> out = f(x, y); out.backward()
    >>> (value, grads) == (out.data, [x.grad, y.grad])
    True
    """
    if not isinstance(check, bool) and check != "always":  # 1 is not True here
        raise ValueError(f"compile: check must be True, False or 'always' (got {check!r})")
    params = _parameter_list(renamed_keyword(params, parameters, "compile", _PARAMS, unset=()))
    leaves = _leaves(fn, example_inputs)
    with enable_grad():
        root = fn(*leaves)
    inputs = leaves + params
    nodes = _graph(root, inputs)
    name = _function_name(fn)
    if len(nodes) > _PIECES_ABOVE and root.parents:  # large: in pieces, so memory stays small
        source, run, args = _Pieces(name, root, nodes, inputs, _PIECE_NODES).compile()
    else:
        source, namespace, args = _source(name, root, nodes, inputs)
        run = _exec(source, namespace, name)
    compiled = Compiled(fn, source, run, args, params, always=check == "always")
    if check is True:
        compiled.check_near([v.data for v in leaves])
    return compiled


def _function_name(fn: Callable) -> str:
    """The generated function's name: ``fn``'s, with ``_`` added if the code calls that name.

    A function named like a helper of the code (``tanh``, ``exp``; ``Value.tanh``) would
    otherwise replace the helper and call itself.
    """
    name = _identifier(getattr(fn, "__name__", "")) or "f"
    return f"{name}_" if name in _RESERVED else name


def _source(name: str, root: Value, nodes: list[Value], inputs: list[Value]):
    names = _Names.first_for(inputs, nodes, taken=name)
    w = _Writer(names)
    args = [names[v] for v in inputs]
    lines = [f"def {name}({', '.join(args)}):", "    # forward: one line per node"]
    lines += _forward_lines(w, nodes, "    ")
    needs = _needs_grad(nodes, set(inputs))
    r = names[root]
    lines.append(f"    # backward: d_v is d({r})/d(v), added up in reverse topological order")
    grads = [f"d_{a}" for a in args]
    assigned = set(inputs)
    if root.parents and root in needs:
        lines.append(f"    d_{r} = 1.0")
        assigned.add(root)
    if grads:
        lines.append(f"    {' = '.join(grads)} = 0.0")
    if not root.parents:  # fn returned one of its inputs
        lines.append(f"    d_{r} += 1.0")
    skipping = _Skipping.for_writer(w, root)
    backward = _backward_lines(w, nodes, needs, assigned, "    ", skipping)
    if skipping.used:  # the gradients start at 0.0, never -0.0: only the values are checked
        lines += skipping.check([names[v] for v in nodes], "    ")
        lines += skipping.zeros("    ")
    lines += backward
    lines.append(f"    return {r}, [{', '.join(grads)}]")
    return "\n".join(lines) + "\n", _namespace(w, skipping), args


# ----------------------------------------------------------------------------------------------
# a large graph in pieces: each piece written, compiled and dropped before the next

# Python's compiler holds a whole function's syntax tree and code at once (about 10 kB a
# node: 953 MiB for a chain of 100,000 nodes in one function), so a graph of more than
# _PIECES_ABOVE nodes is compiled as functions of _PIECE_NODES nodes, one at a time. Small
# pieces, because a call to a function with more than about 1,000 variables gets a frame of
# its own from the system (CPython's frame stack comes in 16 kB blocks): pieces of 5,000
# nodes made a chain's compiled function 1.3 times slower, pieces of 400 as fast as one.
_PIECES_ABOVE = 10_000
_PIECE_NODES = 400


class _Pieces:
    """A large graph's code as pieces: forward and backward functions of ``size`` nodes each.

    The pieces pass values in a list (``values[i]`` is the value of ``nodes[i]``) and the
    gradients that cross pieces in another (``grads[i]``). Each piece's lines are the ones
    ``_source`` writes for its nodes, in the same order, so the floats are the same: a
    gradient is loaded before a piece adds to it and stored after, and the first
    contribution is still assigned. ``run_all`` is computed once, over every value in
    topological order, as ``_source`` does.
    """

    def __init__(self, name: str, root: Value, nodes: list[Value], inputs: list[Value], size: int):
        self.name, self.root, self.nodes, self.inputs, self.size = name, root, nodes, inputs, size
        self.w = _Writer(_Names.first_for(inputs, nodes, taken=name))
        self.index = {v: i for i, v in enumerate(nodes)}
        self.needs = _needs_grad(nodes, set(inputs))
        self.assigned: set[Value] = set(inputs)
        self.skipping = _Skipping.for_writer(self.w, root)
        self.values, self.grads = self.w.fresh("values"), self.w.fresh("grads_of")
        self.shared: dict[str, Any] = dict(P.CODE_NAMES)  # the pieces' globals
        self.sources: dict[str, str] = {}
        self.functions: dict[str, Callable] = {}

    def compile(self) -> tuple[str, Callable, list[str]]:
        """The source (the top function, then every piece), the function, its arguments."""
        starts = list(range(0, len(self.nodes), self.size))
        forward, backward = [], []
        for k in reversed(range(len(starts))):  # the backward runs the last piece first
            lo, hi = starts[k], min(starts[k] + self.size, len(self.nodes))
            forward.append(self._piece(f"{self.name}_forward_{k + 1}", self._forward, lo, hi))
            backward.append(self._piece(f"{self.name}_backward_{k + 1}", self._backward, lo, hi))
            self.w.exprs.clear()  # each node's source is written by its own piece only
        top, args = self._top([f for f in forward[::-1] if f], [b for b in backward if b])
        namespace = {**self.functions, self.skipping.all_finite: _all_finite}
        run = _exec(top, namespace, self.name)
        order = [*forward[::-1], *backward]
        source = "\n".join([top, *[self.sources.pop(n) for n in order if n]])
        return source, run, args

    def _piece(self, base: str, write: Callable, lo: int, hi: int) -> str:
        """Write, compile and keep one piece; its name ("" when it has no lines)."""
        name = self.w.fresh(base)
        lines = write(name, lo, hi)
        if not lines:
            return ""
        self.sources[name] = source = "\n".join(lines) + "\n"
        self.shared.update(self.w.bound)  # constants and functions this piece's code calls
        self.functions[name] = _exec(source, self.shared, name)
        return name

    def _forward(self, name: str, lo: int, hi: int) -> list[str]:
        nodes, of, values = self.nodes[lo:hi], self.w.names.of, self.values
        computed = [v for v in nodes if v.parents]
        if not computed:  # only leaves: the top function put them in values
            return []
        made = set(computed)
        read: dict[Value, None] = {}  # what the piece reads from before it, once, in order
        for v in computed:
            read.update((p, None) for p in v.parents if p not in made)
        lines = [f"def {name}({values}):"]
        lines += [f"    {of[p]} = {values}[{self.index[p]}]" for p in read]
        lines += _forward_lines(self.w, nodes, "    ")
        return lines + self._stores(computed)

    def _stores(self, computed: list[Value]) -> list[str]:
        """``values[i:j] = a, b, c``: the piece's results, one line per run of positions."""
        lines: list[str] = []
        run: list[Value] = []
        for v in computed:
            if run and self.index[v] != self.index[run[-1]] + 1:
                lines += self._store_run(run)
                run = []
            run.append(v)
        return lines + (self._store_run(run) if run else [])

    def _store_run(self, run: list[Value]) -> list[str]:
        i, of = self.index[run[0]], self.w.names.of
        if len(run) == 1:
            return [f"    {self.values}[{i}] = {of[run[0]]}"]
        rows = [", ".join(of[v] for v in run[j : j + 8]) for j in range(0, len(run), 8)]
        head = f"    {self.values}[{i}:{i + len(run)}] = ("
        return [head, *[f"        {r}," for r in rows], "    )"]

    def _backward(self, name: str, lo: int, hi: int) -> list[str]:
        nodes, of, needs = self.nodes[lo:hi], self.w.names.of, self.needs
        rules = [v for v in nodes if v.parents and v in needs]
        if not rules:
            return []
        touched: dict[Value, None] = {}  # the gradients the rules read or add to, in order
        for v in rules:
            touched[v] = None
            touched.update((p, None) for p in v.parents if p in needs)
        loads = [p for p in touched if p in self.assigned]
        lines = [f"def {name}({self.values}, {self.grads}, {self.skipping.run_all}):"]
        lines += self._unpack(nodes, rules, lo)
        lines += [f"    d_{of[p]} = {self.grads}[{self.index[p]}]" for p in loads]
        if self.root in rules:
            lines.append(f"    d_{of[self.root]} = 1.0")
            self.assigned.add(self.root)
        self.skipping.zeroed = []
        rule_lines = _backward_lines(self.w, nodes, needs, self.assigned, "    ", self.skipping)
        lines += self.skipping.zeros("    ") + rule_lines
        inputs = set(self.inputs)
        kept = [p for p in touched if not lo <= self.index[p] < hi or p in inputs]
        return lines + [f"    {self.grads}[{self.index[p]}] = d_{of[p]}" for p in kept]

    def _unpack(self, nodes: list[Value], rules: list[Value], lo: int) -> list[str]:
        """The values the rules read: the piece's own (one line), then earlier ones."""
        of, values, hi = self.w.names.of, self.values, lo + len(nodes)
        rows = [", ".join(of[v] for v in nodes[j : j + 8]) for j in range(0, len(nodes), 8)]
        lines = ["    (", *[f"        {r}," for r in rows], f"    ) = {values}[{lo}:{hi}]"]
        earlier = {p: None for v in rules for p in v.parents if self.index[p] < lo}
        return lines + [f"    {of[p]} = {values}[{self.index[p]}]" for p in earlier]

    def _top(self, forward: list[str], backward: list[str]) -> tuple[str, list[str]]:
        of, values, grads, n = self.w.names.of, self.values, self.grads, len(self.nodes)
        args = [of[v] for v in self.inputs]
        lines = [
            f"def {self.name}({', '.join(args)}):",
            f"    # {n} nodes, in pieces of {self.size} compiled one at a time: {values}[i] is",
            f"    # the value of node i (in topological order), {grads}[i] its gradient",
            f"    {values} = [0.0] * {n}",
        ]
        lines += [
            f"    {values}[{self.index[v]}] = {of[v]}" for v in self.inputs if v in self.index
        ]
        lines += [f"    {f}({values})" for f in forward]
        run_all = "False"
        if self.skipping.used:  # the gradients start at 0.0, never -0.0: only the values
            run_all = self.skipping.run_all
            lines.append(f"    {run_all} = not {self.skipping.all_finite}(*{values})")
        lines.append(f"    {grads} = [0.0] * {n}")
        lines += [f"    {b}({values}, {grads}, {run_all})" for b in backward]
        out = [f"{grads}[{self.index[v]}]" if v in self.index else "0.0" for v in self.inputs]
        lines.append(f"    return {values}[{self.index[self.root]}], [{', '.join(out)}]")
        return "\n".join(lines) + "\n", args


# ----------------------------------------------------------------------------------------------
# the loop body: one example's loss, run for every example of a batch (nn.train(compile=True))


class LoopBody:
    """One example's forward and backward as the body of a loop over a batch.

    ``body(examples, seed, weights, grads)`` runs, for each row of ``examples`` (one number
    per example input), the traced forward and the backward seeded with ``seed`` (the
    gradient of the batch's loss at this example's loss), adding into ``grads`` (one start
    value per parameter, in order). It returns ``(losses, outputs, grads)``: each example's
    loss and recorded outputs, and the gradients after the last example. Run the rows in the
    order ``backward()`` visits the examples (for a mean: the last example first) and the
    gradients are bit for bit those of the whole batch's graph.
    """

    def __init__(self, source: str, run: Callable, names: list[str]) -> None:
        self.source = source
        self.names = names
        self._run = run

    def __call__(self, examples, seed: float, weights, grads):
        """Run the loop body over ``examples``, adding each one's gradients into ``grads``."""
        return self._run(examples, seed, weights, grads)


def loop_body(
    fn: Callable[..., Any],
    example_inputs: Sequence[float],
    *,
    params: Iterable[Value] = (),
    names: Sequence[str] | None = None,
    parameters: Iterable[Value] | None = None,
) -> LoopBody:
    """Trace ``fn`` on one example and compile it as the body of a loop over examples.

    ``fn(*inputs)`` returns the example's loss, or a tuple ``(loss, *outputs)`` whose
    outputs' values are recorded for each example. Gradients are computed for ``params``
    only (``parameters=`` is its old name). ``names`` names the inputs in the code (default:
    ``fn``'s arguments). The same refusals as ``compile`` (CompileError).

    >>> from autograd import Value
    >>> w = Value(2.0, label="w")
    >>> body = loop_body(lambda x, t: (w * x + t).relu(), [1.0, 0.0], params=[w])
    >>> losses, outputs, grads = body([(1.0, 0.0), (3.0, -1.0)], 0.5, [2.0], [0.0])
    >>> losses, grads
    ([2.0, 5.0], [2.0])
    """
    params = _parameter_list(renamed_keyword(params, parameters, "loop_body", _PARAMS, unset=()))
    leaves = _leaves(fn, example_inputs, names)
    with enable_grad():
        result = fn(*leaves)
    root, *recorded = result if isinstance(result, tuple) else (result,)
    nodes = _graph(root, leaves + params)
    for i, v in enumerate(recorded):
        if not isinstance(v, Value) or v not in set(nodes):
            raise TypeError(f"loop_body: output {i + 1} must be a Value of the loss's graph")
    source, namespace = _loop_source(root, recorded, nodes, leaves, params)
    return LoopBody(source, _exec(source, namespace, "body"), [v.label for v in params])


def _loop_source(root, recorded, nodes, leaves, params):
    names = _Names.first_for(leaves + params, nodes)
    w = _Writer(names)
    ps = [names[p] for p in params]
    grads = [f"d_{p}" for p in ps]
    r = names[root]
    lines = ["def body(examples, seed, weights, grads):"]
    if ps:
        lines += [f"    {', '.join(ps)}, = weights", f"    {', '.join(grads)}, = grads"]
    skipping = _Skipping.for_writer(w, root)
    may_skip = w.fresh("may_skip")
    backward = _loop_backward(w, root, nodes, params, skipping)
    if skipping.used:  # once per call: the weights and the gradients' start
        lines += [
            "    # zero skipping (below) needs finite weights and no gradient starting at -0.0",
            f"    {may_skip} = {skipping.all_finite}(*weights) and "
            f"{skipping.no_minus_zero}(*grads)",
        ]
    lines += ["    losses = []", "    outputs = []"]
    lines.append(f"    for {', '.join(names[v] for v in leaves)}, in examples:")
    lines += _forward_lines(w, nodes, "        ")
    lines.append(f"        losses.append({r})")
    lines.append(f"        outputs.append(({''.join(names[v] + ', ' for v in recorded)}))")
    if skipping.used:  # once per example: its inputs and every node's value
        weights = set(params)
        inner = [names[v] for v in nodes if v not in weights]
        lines += skipping.check(inner, "        ", also=may_skip)
        lines += skipping.zeros("        ")
    lines += backward
    lines.append(f"    return losses, outputs, [{', '.join(grads)}]")
    return "\n".join(lines) + "\n", _namespace(w, skipping)


def _loop_backward(
    w: _Writer, root: Value, nodes: list[Value], params: list[Value], skipping: _Skipping
) -> list[str]:
    """The loop body's backward: seeded with ``seed``, gradients for the parameters only."""
    r = w.names[root]
    needs = _needs_grad(nodes, set(params))
    if root.parents and root in needs:
        lines = [f"        d_{r} = seed"]
        return lines + _backward_lines(w, nodes, needs, {root, *params}, "        ", skipping)
    if root in needs:  # the loss is a parameter itself
        return [f"        d_{r} += seed"]
    return []
