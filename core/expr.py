"""User-typed f(x, y): parsed with a whitelist into torch operations. Nothing is ever eval'd or exec'd.

Allowed: numbers, x, y, pi, e, + - * / **, unary minus and plus, parentheses, and the functions in FUNCTIONS,
each with one argument. Exponents are constant numbers within ±MAX_EXPONENT; length and nesting are capped,
so evaluating any accepted formula costs a bounded number of tensor operations.
"""
from __future__ import annotations

import ast
import math
from typing import Callable, NamedTuple

import torch
from torch import Tensor

from core import limits
from core.errors import CoreError

MAX_LENGTH, MAX_DEPTH = limits.FORMULA_CHARS, limits.FORMULA_DEPTH
MAX_NODES, MAX_EXPONENT = limits.FORMULA_NODES, limits.FORMULA_EXPONENT

FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
    "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh, "sinh": torch.sinh, "cosh": torch.cosh,
    "atan": torch.atan, "sigmoid": torch.sigmoid,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY = {ast.Add: torch.add, ast.Sub: torch.sub, ast.Mult: torch.mul, ast.Div: torch.div}
Fn = Callable[[Tensor, Tensor], Tensor]


class FormulaError(CoreError):
    """A formula that is not accepted; the message names what and where."""


class Formula(NamedTuple):
    """A parsed formula: f(x, y) on tensors, and the same torch operations as Python source (for 'as code')."""

    fn: Fn
    source: str


def const(like: Tensor, value: float) -> Tensor:
    """value as a tensor shaped and typed like `like`, rounded to its dtype (beyond float32's range: ±inf)."""
    return torch.full_like(like, torch.tensor(value, dtype=torch.float64).to(like.dtype).item())


class _Walk:
    """What the walk over one formula has seen: how many nodes, and whether x or y occurs."""

    def __init__(self) -> None:
        self.count, self.variables = 0, set()


def _where(node: ast.AST) -> dict[str, int]:
    return {"column": getattr(node, "col_offset", 0) + 1}


def parse(text: str) -> Fn:
    """f(x, y) as a function of two tensors, or a FormulaError saying what was wrong and where."""
    return parse_formula(text).fn


def parse_formula(text: str) -> Formula:
    """The formula as a function and as torch source, or a FormulaError saying what was wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("type a formula in x and y, such as {example}",
                           example="(x**2 + y - 11)**2 + (x + y**2 - 7)**2")
    if len(text) > MAX_LENGTH:
        raise FormulaError("the formula is {length} characters long; at most {most} are allowed", length=len(text),
                           most=MAX_LENGTH)
    if any(not c.isprintable() for c in text):
        raise FormulaError("the formula must be one line of printable characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise _syntax_error(err, text.strip()) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("the formula is nested too deeply") from None
    walk = _Walk()
    fn, source = _build(tree.body, 0, walk)
    if not walk.variables:
        raise FormulaError("the formula must use x or y: a constant has no slope to descend")
    return Formula(fn, source)


def _syntax_error(err: SyntaxError, text: str) -> FormulaError:
    """What Python's parser found, in the catalogue's words (its own message is English only)."""
    where = {"column": err.offset or len(text)}
    if "never closed" in err.msg:
        return FormulaError("not a formula: the bracket at column {column} is never closed", **where)
    if err.msg.startswith("unmatched") or "does not match" in err.msg:
        return FormulaError("not a formula: the bracket at column {column} matches no open bracket", **where)
    return FormulaError("not a formula: the formula breaks off or runs on at column {column}", **where)


def _build(node: ast.AST, depth: int, walk: _Walk) -> Formula:
    walk.count += 1
    if depth > MAX_DEPTH:
        raise FormulaError("the formula is nested more than {most} levels deep at column {column}", most=MAX_DEPTH,
                           **_where(node))
    if walk.count > MAX_NODES:
        raise FormulaError("the formula has more than {most} operations", most=MAX_NODES)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _number(_finite(node.value, node))
    if isinstance(node, ast.Name):
        return _name(node, walk)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, depth + 1, walk)
        if isinstance(node.op, ast.UAdd):
            return inner
        return Formula(lambda x, y: -inner.fn(x, y), f"(-{inner.source})")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(node, depth, walk)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op = BINARY[type(node.op)]
        left, right = _build(node.left, depth + 1, walk), _build(node.right, depth + 1, walk)
        return Formula(lambda x, y: op(left.fn(x, y), right.fn(x, y)),
                       f"torch.{op.__name__}({left.source}, {right.source})")
    if isinstance(node, ast.Call):
        return _call(node, depth, walk)
    raise FormulaError("{what} at column {column} is not allowed; use numbers, x, y, + - * / **, parentheses and "
                       "{functions}", what=_describe(node), functions=", ".join(FUNCTIONS), **_where(node))


def _finite(value: int | float, node: ast.AST) -> float:
    """A literal as a float: a hex or decimal integer beyond float64's range is refused, not an OverflowError."""
    try:
        out = float(value)
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise FormulaError("the number at column {column} is too large", **_where(node))
    return out


def _number(value: float) -> Formula:
    return Formula(lambda x, y: const(x, value), f"const(x, {value!r})")


def _name(node: ast.Name, walk: _Walk) -> Formula:
    if node.id in ("x", "y"):
        walk.variables.add(node.id)
        return Formula((lambda x, y: x) if node.id == "x" else (lambda x, y: y), node.id)
    if node.id in CONSTANTS:
        return _number(CONSTANTS[node.id])
    if node.id in FUNCTIONS:
        raise FormulaError("{name} at column {column} is a function: write {name}(...)", name=node.id, **_where(node))
    raise FormulaError("unknown name {name} at column {column}; the variables are x and y", name=repr(node.id[:30]),
                       **_where(node))


def _power(node: ast.BinOp, depth: int, walk: _Walk) -> Formula:
    exponent = _constant(node.right)
    if exponent is None or not abs(exponent) <= MAX_EXPONENT:
        raise FormulaError("the exponent at column {column} must be a plain number from -{most} to {most}",
                           most=MAX_EXPONENT, **_where(node.right))
    base = _build(node.left, depth + 1, walk)
    power: int | float = int(exponent) if exponent == int(exponent) else exponent
    return Formula(lambda x, y: torch.pow(base.fn(x, y), power), f"torch.pow({base.source}, {power!r})")


def _constant(node: ast.AST) -> float | None:
    """A plain number, possibly signed: the only thing an exponent may be."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return sign * float(node.value)
        except OverflowError:
            return None
    return None


def _call(node: ast.Call, depth: int, walk: _Walk) -> Formula:
    allowed = ", ".join(FUNCTIONS)
    if not isinstance(node.func, ast.Name):
        raise FormulaError("calling {what} at column {column} is not allowed; the functions are {functions}",
                           what=_describe(node.func), functions=allowed, **_where(node.func))
    if node.func.id not in FUNCTIONS:
        raise FormulaError("unknown function {name} at column {column}; allowed: {functions}",
                           name=repr(node.func.id[:30]), functions=allowed, **_where(node))
    if len(node.args) != 1 or node.keywords:
        raise FormulaError("{name}(...) at column {column} takes exactly one argument", name=node.func.id,
                           **_where(node))
    fn, arg = FUNCTIONS[node.func.id], _build(node.args[0], depth + 1, walk)
    return Formula(lambda x, y: fn(arg.fn(x, y)), f"torch.{node.func.id}({arg.source})")


# what a refused piece of a formula is, in words (the interface translates these)
DESCRIPTIONS = {ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "a lambda",
                ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension", ast.SetComp: "a comprehension",
                ast.DictComp: "a comprehension", ast.Compare: "a comparison", ast.BoolOp: "and/or",
                ast.IfExp: "if/else", ast.NamedExpr: "an assignment", ast.JoinedStr: "a string",
                ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
                ast.Starred: "a star expression", ast.Await: "await", ast.Yield: "yield",
                ast.BinOp: "this operator", ast.UnaryOp: "this operator"}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return f"the constant {str(node.value)[:20]!r}"
    return DESCRIPTIONS.get(type(node), type(node).__name__)
