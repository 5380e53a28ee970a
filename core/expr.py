"""User-typed f(x, y): parsed with a whitelist into torch operations. Nothing is ever eval'd or exec'd.

Allowed: numbers, x, y, pi, e, + - * / **, unary minus and plus, parentheses, and the functions in FUNCTIONS,
each with one argument. Exponents are constant numbers within ±MAX_EXPONENT; length and nesting are capped,
so evaluating any accepted formula costs a bounded number of tensor operations.
"""
from __future__ import annotations

import ast
import math
from typing import Callable

import torch
from torch import Tensor

MAX_LENGTH = 300
MAX_DEPTH = 40  # nesting of the parsed expression
MAX_NODES = 200  # operations in the formula
MAX_EXPONENT = 10

FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
    "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh, "sinh": torch.sinh, "cosh": torch.cosh,
    "atan": torch.atan, "sigmoid": torch.sigmoid,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY = {ast.Add: torch.add, ast.Sub: torch.sub, ast.Mult: torch.mul, ast.Div: torch.div}
Fn = Callable[[Tensor, Tensor], Tensor]


class FormulaError(ValueError):
    """A formula that is not accepted; the message names what and where."""


def _where(node: ast.AST) -> str:
    return f" at column {getattr(node, 'col_offset', 0) + 1}"


def parse(text: str) -> Fn:
    """f(x, y) as a function of two tensors, or a FormulaError saying what was wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("type a formula in x and y, such as (x**2 + y - 11)**2 + (x + y**2 - 7)**2")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    if "\n" in text or "\r" in text:
        raise FormulaError("the formula must be on one line")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise FormulaError(f"not a formula: {err.msg} at column {err.offset or 0}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("the formula is nested too deeply") from None
    count = [0]
    return _build(tree.body, 0, count)


def _build(node: ast.AST, depth: int, count: list[int]) -> Fn:
    count[0] += 1
    if depth > MAX_DEPTH:
        raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep{_where(node)}")
    if count[0] > MAX_NODES:
        raise FormulaError(f"the formula has more than {MAX_NODES} operations")
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = float(node.value)
        if not math.isfinite(value):
            raise FormulaError(f"the number{_where(node)} is too large")
        return lambda x, y: torch.full_like(x, value)
    if isinstance(node, ast.Name):
        return _name(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, depth + 1, count)
        return (lambda x, y: -inner(x, y)) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(node, depth, count)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op = BINARY[type(node.op)]
        left, right = _build(node.left, depth + 1, count), _build(node.right, depth + 1, count)
        return lambda x, y: op(left(x, y), right(x, y))
    if isinstance(node, ast.Call):
        return _call(node, depth, count)
    raise FormulaError(f"{_describe(node)}{_where(node)} is not allowed; use numbers, x, y, + - * / **, "
                       f"parentheses and {', '.join(FUNCTIONS)}")


def _name(node: ast.Name) -> Fn:
    if node.id == "x":
        return lambda x, y: x
    if node.id == "y":
        return lambda x, y: y
    if node.id in CONSTANTS:
        value = CONSTANTS[node.id]
        return lambda x, y: torch.full_like(x, value)
    if node.id in FUNCTIONS:
        raise FormulaError(f"{node.id}{_where(node)} is a function: write {node.id}(...)")
    raise FormulaError(f"unknown name {node.id[:30]!r}{_where(node)}; the variables are x and y")


def _power(node: ast.BinOp, depth: int, count: list[int]) -> Fn:
    exponent = _constant(node.right)
    if exponent is None or not abs(exponent) <= MAX_EXPONENT:
        raise FormulaError(f"the exponent{_where(node.right)} must be a plain number from -{MAX_EXPONENT} "
                           f"to {MAX_EXPONENT}")
    base = _build(node.left, depth + 1, count)
    if exponent == int(exponent):
        n = int(exponent)
        return lambda x, y: torch.pow(base(x, y), n)
    return lambda x, y: torch.pow(base(x, y), exponent)


def _constant(node: ast.AST) -> float | None:
    """A plain number, possibly signed: the only thing an exponent may be."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * float(node.value)
    return None


def _call(node: ast.Call, depth: int, count: list[int]) -> Fn:
    if not isinstance(node.func, ast.Name):
        raise FormulaError(f"calling {_describe(node.func)}{_where(node.func)} is not allowed; "
                           f"the functions are {', '.join(FUNCTIONS)}")
    if node.func.id not in FUNCTIONS:
        raise FormulaError(f"unknown function {node.func.id[:30]!r}{_where(node)}; allowed: {', '.join(FUNCTIONS)}")
    if len(node.args) != 1 or node.keywords:
        raise FormulaError(f"{node.func.id}(...){_where(node)} takes exactly one argument")
    fn, arg = FUNCTIONS[node.func.id], _build(node.args[0], depth + 1, count)
    return lambda x, y: fn(arg(x, y))


def _describe(node: ast.AST) -> str:
    names = {ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "a lambda",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension", ast.SetComp: "a comprehension",
             ast.DictComp: "a comprehension", ast.Compare: "a comparison", ast.BoolOp: "and/or",
             ast.IfExp: "if/else", ast.NamedExpr: "an assignment", ast.JoinedStr: "a string",
             ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
             ast.Starred: "a star expression", ast.Await: "await", ast.Yield: "yield",
             ast.BinOp: "this operator", ast.UnaryOp: "this operator"}
    if isinstance(node, ast.Constant):
        return f"the constant {str(node.value)[:20]!r}"
    return names.get(type(node), type(node).__name__)
