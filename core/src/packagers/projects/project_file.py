"""Project files: reading an ``MLproject`` file into a :class:`~packagers.projects.spec.Project`,
checked against its schema.

The keys are MLflow's (``name``, ``python_env``, ``conda_env``, ``docker_env``, ``entry_points``
with ``parameters`` and ``command``) plus ours (``handler``, ``returns``, ``workflow``). MLflow
ignores what it does not understand; here a malformed file is an error naming the file, the key
and the line (the YAML is composed to nodes to know where each value was written), and an
unknown key is a :class:`~packagers.projects.errors.ProjectFileWarning`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers.projects.commands import command_problem
from packagers.projects.errors import ProjectFileError, ProjectFileWarning
from packagers.projects.parameters import PARAMETER_TYPES, Parameter, check_default
from packagers.projects.spec import ENVIRONMENT_KEYS, EntryPoint, Project, default_environment

if TYPE_CHECKING:
    import yaml

    from packagers.projects.environments import EnvironmentSpec

__all__ = ["ProjectFileReader"]

_TOP_KEYS = ("name", *ENVIRONMENT_KEYS, "entry_points", "workflow")
_ENTRY_KEYS = ("parameters", "command", "handler", "returns")
_PARAMETER_KEYS = ("type", "default")
_DOCKER_KEYS = ("image", "volumes", "environment", "run_params")


class ProjectFileReader:
    """Walks the YAML nodes of one file, so that every error can name its key and line."""

    def __init__(self, path: Path, root: Path) -> None:
        import yaml

        self.path = path
        self.root = root
        self.loader = yaml.SafeLoader("")

    # -- reporting ------------------------------------------------------------------------------

    def error(self, node: yaml.Node | None, key: str, message: str) -> ProjectFileError:
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        where = f" {key}:" if key else ""
        return ProjectFileError(f"{self.path}{line}:{where} {message}")

    def warn(self, node: yaml.Node, key: str, message: str) -> None:
        from packagers._warnings import warn

        warn(
            f"{self.path}, line {node.start_mark.line + 1}: {key}: {message}",
            ProjectFileError,
            category=ProjectFileWarning,
        )

    # -- nodes ----------------------------------------------------------------------------------

    def compose(self) -> yaml.Node | None:
        import yaml

        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ProjectFileError(f"{self.path}: cannot be read: {error}") from None
        loader = yaml.SafeLoader(text)
        try:
            return loader.get_single_node()
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error)
            raise ProjectFileError(f"{self.path}{line}: not valid YAML: {problem}") from None
        finally:
            loader.dispose()

    def value(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, key: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The entries of a mapping node: name -> (key node, value node); names are strings."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key, f"must be a mapping, not {self.kind(node)}")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            name = self.value(key_node)
            if not isinstance(name, str):
                raise self.error(key_node, key, f"the key {name!r} must be a string")
            if name in entries:
                first = entries[name][0].start_mark.line + 1
                raise self.error(
                    key_node,
                    f"{key}.{name}" if key else name,
                    f"is repeated (first on line {first})",
                )
            entries[name] = (key_node, value_node)
        return entries

    def scalar(self, node: yaml.Node, key: str, types: tuple[type, ...], expected: str) -> Any:
        import yaml

        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if value is None or (isinstance(value, bool) and bool not in types):
            raise self.error(node, key, f"must be {expected}, not {self.kind(node)}")
        if not isinstance(value, types):
            raise self.error(node, key, f"must be {expected}, not {self.kind(node)}")
        return value

    def kind(self, node: yaml.Node) -> str:
        import yaml

        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        value = self.value(node)
        return "null" if value is None else f"{type(value).__name__} {value!r}"

    def unknown(
        self, entries: Mapping[str, tuple[Any, Any]], known: tuple[str, ...], key: str
    ) -> None:
        for name, (key_node, _) in entries.items():
            if name not in known:
                self.warn(
                    key_node,
                    f"{key}.{name}" if key else name,
                    f"unknown key, ignored (known keys: {', '.join(known)})",
                )

    # -- the schema -----------------------------------------------------------------------------

    def read(self, source: dict[str, Any]) -> Project:
        node = self.compose()
        if node is None:
            raise ProjectFileError(
                f"{self.path}: the file is empty; a project file declares at least entry_points"
            )
        top = self.mapping(node, "")
        self.unknown(top, _TOP_KEYS, "")
        name = self.root.name
        if "name" in top:
            name = str(self.scalar(top["name"][1], "name", (str, int, float), "a string"))
        entry_points = {}
        if "entry_points" in top:
            entries = self.mapping(top["entry_points"][1], "entry_points")
            for entry_name, (_, entry_node) in entries.items():
                entry_points[entry_name] = self.entry_point(entry_name, entry_node)
        workflow = self.value(top["workflow"][1]) if "workflow" in top else None
        return Project(
            name=name,
            entry_points=entry_points,
            environment=self.environment(top),
            workflow=workflow,
            file=self.path,
            **source,
        )

    def environment(self, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> EnvironmentSpec | None:
        declared = [key for key in ENVIRONMENT_KEYS if key in top]
        if len(declared) > 1:
            raise self.error(
                top[declared[1]][0],
                declared[1],
                f"a project declares one environment, and this file also declares "
                f"{declared[0]} (line {top[declared[0]][0].start_mark.line + 1}); keep one",
            )
        if not declared:
            return default_environment(self.root)
        kind = declared[0]
        node = top[kind][1]
        if kind == "docker_env":
            self.docker(node)
            path = None
        else:
            path = self.environment_file(kind, node)
        from packagers.projects.environments import EnvironmentSpec

        return EnvironmentSpec(kind=kind, path=path)

    def environment_file(self, kind: str, node: yaml.Node) -> Path:
        relative: str = self.scalar(node, kind, (str,), "a path relative to the project")
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise self.error(node, kind, f"{relative!r} is outside the project directory")
        if not path.is_file():
            raise self.error(node, kind, f"the file {relative!r} does not exist ({path})")
        return path

    def docker(self, node: yaml.Node) -> None:
        entries = self.mapping(node, "docker_env")
        self.unknown(entries, _DOCKER_KEYS, "docker_env")
        if "image" not in entries:
            raise self.error(node, "docker_env", "has no image")
        self.scalar(entries["image"][1], "docker_env.image", (str,), "an image name")

    def entry_point(self, name: str, node: yaml.Node) -> EntryPoint:
        key = f"entry_points.{name}"
        entries = self.mapping(node, key)
        self.unknown(entries, _ENTRY_KEYS, key)
        parameters = {}
        if "parameters" in entries:
            declared = self.mapping(entries["parameters"][1], f"{key}.parameters")
            for parameter_name, (_, parameter_node) in declared.items():
                parameters[parameter_name] = self.parameter(
                    f"{key}.parameters.{parameter_name}", parameter_name, parameter_node
                )
        if ("command" in entries) == ("handler" in entries):
            raise self.error(
                node, key, "an entry point has either a command or a handler (exactly one)"
            )
        if "command" in entries:
            command_node = entries["command"][1]
            command = self.scalar(command_node, f"{key}.command", (str,), "a string")
            problem = command_problem(command, parameters)
            if problem is not None:
                raise self.error(command_node, f"{key}.command", f"the command {problem}")
            if "returns" in entries:
                raise self.error(
                    entries["returns"][0], f"{key}.returns", "returns applies to handlers only"
                )
            return EntryPoint(name=name, parameters=parameters, command=command)
        handler_node = entries["handler"][1]
        handler = self.handler(handler_node, f"{key}.handler")
        returns = None
        if "returns" in entries:
            returns = self.returns(entries["returns"][1], f"{key}.returns")
        return EntryPoint(name=name, parameters=parameters, handler=handler, returns=returns)

    def parameter(self, key: str, name: str, node: yaml.Node) -> Parameter:
        import yaml

        default_node = None
        if isinstance(node, yaml.MappingNode):
            entries = self.mapping(node, key)
            self.unknown(entries, _PARAMETER_KEYS, key)
            if "type" not in entries:
                known = ", ".join(PARAMETER_TYPES)
                raise self.error(node, key, f"has no type; declare one of {known}")
            type_node = entries["type"][1]
            if "default" in entries:
                default_node = entries["default"][1]
        else:
            type_node = node
        declared = self.scalar(type_node, f"{key}.type", (str,), "a type name")
        if declared not in PARAMETER_TYPES:
            self.warn(
                type_node,
                f"{key}.type",
                f"unknown type {declared!r}, read as string (known types: "
                f"{', '.join(PARAMETER_TYPES)})",
            )
        default = None
        if default_node is not None:
            default = self.value(default_node)
            if not isinstance(default, (str, int, float, bool, type(None))):
                raise self.error(
                    default_node,
                    f"{key}.default",
                    f"must be a single value, not {self.kind(default_node)}",
                )
        parameter = Parameter(name=name, type=declared, default=default)
        problem = check_default(parameter)
        if problem is not None:
            raise self.error(default_node, f"{key}.default", f"{problem} ({declared})")
        return parameter

    def handler(self, node: yaml.Node, key: str) -> str:
        reference: str = self.scalar(node, key, (str,), "'script.py:function' or 'module:function'")
        target, sep, function = reference.rpartition(":")
        if not sep or not target or not all(part.isidentifier() for part in function.split(".")):
            raise self.error(
                node, key, f"{reference!r} is not 'script.py:function' or 'module:function'"
            )
        if target.endswith(".py"):
            script = (self.root / target).resolve()
            if not script.is_relative_to(self.root.resolve()) or not script.is_file():
                raise self.error(node, key, f"the script {target!r} is not a file of the project")
        elif not all(part.isidentifier() for part in target.split(".")):
            raise self.error(node, key, f"{target!r} is neither a module name nor a .py file")
        return reference

    def returns(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        import yaml

        from packagers._errors import LogHintError
        from packagers.runner.handler import parse_returns

        if isinstance(node, yaml.ScalarNode):
            hints = [self.scalar(node, key, (str,), "a log hint or a list of them")]
        elif isinstance(node, yaml.SequenceNode):
            hints = [self.scalar(item, key, (str,), "a log hint string") for item in node.value]
        else:
            raise self.error(node, key, f"must be a list of log hints, not {self.kind(node)}")
        try:
            parse_returns(hints)
        except LogHintError as error:
            raise self.error(node, key, str(error)) from None
        return tuple(hints)
