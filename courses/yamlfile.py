"""Reading a YAML file that a person typed (the course file).

Two things PyYAML does not do for such a reader:

- An unquoted impossible date (``date: 2027-02-30``, a month 13) makes PyYAML's own date
  parsing raise ValueError, a traceback with no line. Here it stays the text typed, so
  the field that wants a date refuses it with its line, like any other bad value.
- A syntax error comes in PyYAML's words ("mapping values are not allowed here") at the
  line where the parser gave up, which can be lines after the mistake. Here it is told in
  plain words at the line where the problem starts.
"""

import yaml
from yaml.tokens import ScalarToken, ValueToken


class YAMLSyntaxError(Exception):
    """The file is not YAML; ``line`` (1-based) is where the problem starts."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


class _Loader(yaml.SafeLoader):
    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load(text: str) -> tuple[object, yaml.Node | None]:
    """The file's data and its node tree (whose marks give each value's line).

    Raises YAMLSyntaxError.
    """
    try:
        loader = _Loader(text)  # reads the whole text: refuses control characters here
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(*explain(exc, text)) from None
    return data, node


def _line(mark) -> int | None:
    return mark.line + 1 if mark else None


MISSING_COLON = "a ':' is missing: each line of a mapping is 'key: value'."
UNCLOSED_QUOTE = "a quote is not closed: the value's opening quote has no closing quote."


def explain(exc: yaml.YAMLError, text: str) -> tuple[int | None, str]:
    """(line, plain words) for a PyYAML error: the line where the problem starts."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        what = (
            "a NUL character"
            if exc.character == 0
            else f"a control character (#x{exc.character:x})"
        )
        return line, f"the line contains {what}, which a text file cannot hold."
    if not isinstance(exc, yaml.MarkedYAMLError):
        return None, f"the file cannot be read as YAML: {exc}"
    context, problem, mark = exc.context or "", exc.problem or "", exc.problem_mark
    at, start = _line(mark), _line(exc.context_mark)
    if "quoted scalar" in context and "end of stream" in problem:
        return start, UNCLOSED_QUOTE
    if "unknown escape character" in problem:
        char = problem.rsplit(" ", 1)[-1].strip("'")
        return at, (
            f"\\{char} is not an escape a double-quoted value knows: write \\\\ for a "
            "backslash, or put the value in single quotes."
        )
    if "could not find expected ':'" in problem:
        return start or at, MISSING_COLON
    if "cannot start any token" in problem:
        if "'\\t'" in problem:
            return at, "this line is indented with a tab: indent with spaces only."
        char = problem.split("'")[1] if "'" in problem else problem
        return at, f"a value cannot start with {char!r}: put the whole value in quotes."
    if problem == "mapping values are not allowed here":
        return _explain_colon(text, mark)
    if context.startswith("while parsing a flow"):
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        return start, (
            f"a '{opener}' is not closed with '{closer}' (a value that starts with '{opener}' "
            "is read as a list or mapping: put it in quotes if it is text)."
        )
    if problem.startswith("expected <block end>"):
        return _explain_block_end(text, mark, problem)
    if "found undefined alias" in problem:
        return (
            at,
            "a value that starts with '*' is read as an alias: put the whole value in quotes.",
        )
    if context in ("while scanning an alias", "while scanning an anchor"):
        return start, "a value that starts with '*' or '&' must be put in quotes."
    if "expected a single document" in context:
        return at, "a line '---' starts a second document: a course file is one document."
    return at or start, f"the file cannot be read as YAML here ({problem or context})."


def _tokens_before(text: str, mark) -> list:
    """The tokens PyYAML's scanner reads before ``mark`` (up to an error of its own)."""
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass
    return tokens


def _last_scalar(tokens) -> int | None:
    return max((i for i, t in enumerate(tokens) if isinstance(t, ScalarToken)), default=None)


def _indent(text: str, line: int) -> int:
    rows = text.splitlines()
    row = rows[line] if line < len(rows) else ""
    return len(row) - len(row.lstrip(" "))


def _line_above(text: str, line: int) -> int | None:
    """The nearest line above ``line`` (0-based) with content, not a comment."""
    rows = text.splitlines()
    for i in range(line - 1, -1, -1):
        if rows[i].strip() and not rows[i].lstrip().startswith("#"):
            return i
    return None


def _explain_colon(text: str, mark) -> tuple[int | None, str]:
    """PyYAML's "mapping values are not allowed here": a ':' it cannot place. What precedes
    it decides: text on the same line (a value holding ': '), a value continued from the
    line above (a line indented too far), or a key on an earlier line with no ':'."""
    tokens = _tokens_before(text, mark)
    last = _last_scalar(tokens)
    at = mark.line + 1
    if last is None or tokens[last].start_mark.line == mark.line:
        return at, "a value that contains ': ' must be put in quotes."
    scalar, before = tokens[last], tokens[last - 1]
    if isinstance(before, ValueToken) and before.start_mark.line == scalar.start_mark.line:
        return at, "this line is indented more than the one before it."
    return scalar.start_mark.line + 1, MISSING_COLON


def _explain_block_end(text: str, mark, problem: str) -> tuple[int, str]:
    """PyYAML's "expected <block end>, but found ...": a line that does not fit the block
    it is in."""
    at = mark.line + 1
    if "'<scalar>'" in problem:
        tokens = _tokens_before(text, mark)
        last = _last_scalar(tokens)
        if last is not None:
            scalar = tokens[last]
            if scalar.style in ("'", '"') and scalar.start_mark.line < mark.line:
                # A quoted value ran on to the next quote, lines later.
                return scalar.start_mark.line + 1, UNCLOSED_QUOTE
        return (
            at,
            "there is more text after a closing quote or bracket: put the whole value in "
            "quotes (inside single quotes, an apostrophe is written '').",
        )
    if "'-'" in problem:
        return at, "a list item ('- ') is not indented like the lines around it."
    above = _line_above(text, mark.line)
    if above is not None and _indent(text, mark.line) > _indent(text, above):
        return at, "this line is indented more than the one before it."
    return at, "this line is not indented like the lines above it."
