"""Writes the JSON Schema of every pydantic model in some installed packages.

Run by `cargo xtask spec observe` inside a throwaway virtualenv that holds the
pinned official clients; never imported by anything else.

    python observe.py OUT DIST [DIST ...]

For each distribution DIST it finds the top-level packages it installs,
imports every module below them, and takes each pydantic model class defined
in that module (not the ones it merely imports). It writes one JSON object to
OUT:

    {"python": "3.11.7", "pydantic": "2.x",
     "packages": {DIST: {"version": ..., "modules": [...],
                         "models": {"module.ClassName": schema, ...},
                         "failed": {"module or module.ClassName": "ErrorType"}}}}

Each schema is pydantic's `model_json_schema(by_alias=True)`, so field names
are the ones that travel on the wire. Prose is removed here already (the
`description`, `title`, `examples` and `$comment` keywords; a docstring is a
model's `description`), and xtask normalizes the result again with the
project's own normalizer. Only the error's type is kept for what fails, never
its message. Nothing here reaches the network.
"""

import importlib
import importlib.metadata
import inspect
import json
import pkgutil
import platform
import sys

import pydantic

# Keywords that hold prose, dropped wherever they are keywords (a property
# that is *called* "description" is a name and stays).
PROSE = {"description", "title", "examples", "example", "$comment"}

# Keys whose values map names to schemas, so their keys are names.
NAME_MAPS = {"properties", "$defs", "definitions", "patternProperties", "dependentSchemas"}

# Keywords whose values are data, copied whole.
DATA = {"default", "enum", "const", "required", "mapping"}


def strip_prose(value, names=False):
    """A copy of a schema without prose keywords; `names` says the keys are names."""
    if isinstance(value, list):
        return [strip_prose(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, child in value.items():
        if names:
            out[key] = strip_prose(child)
        elif key in PROSE:
            continue
        elif key in DATA:
            out[key] = child
        else:
            out[key] = strip_prose(child, names=key in NAME_MAPS)
    return out


def top_level_packages(dist):
    """The import names a distribution installs, sorted."""
    names = set()
    for name, dists in importlib.metadata.packages_distributions().items():
        if dist in {d.lower().replace("_", "-") for d in dists}:
            names.add(name)
    return sorted(n for n in names if not n.startswith("_"))


def modules_below(package_name, failed):
    """Imports a package and every module below it, in name order."""
    package = importlib.import_module(package_name)
    found = [package]
    paths = getattr(package, "__path__", None)
    if paths is None:
        return found
    names = sorted(info.name for info in pkgutil.walk_packages(paths, package_name + "."))
    for name in names:
        try:
            found.append(importlib.import_module(name))
        except Exception as error:  # a module that needs something absent
            failed[name] = type(error).__name__
    return found


def models_of(module):
    """The pydantic model classes defined in a module, by qualified name."""
    out = {}
    for _, obj in sorted(vars(module).items()):
        if (
            inspect.isclass(obj)
            and issubclass(obj, pydantic.BaseModel)
            and obj is not pydantic.BaseModel
            and obj.__module__ == module.__name__
        ):
            out[f"{module.__name__}.{obj.__qualname__}"] = obj
    return out


def observe(dist):
    failed = {}
    models = {}
    modules = top_level_packages(dist)
    for package_name in modules:
        for module in modules_below(package_name, failed):
            models.update(models_of(module))
    schemas = {}
    for name in sorted(models):
        try:
            schemas[name] = strip_prose(models[name].model_json_schema(by_alias=True))
        except Exception as error:  # e.g. a field of a type with no schema
            failed[name] = type(error).__name__
    return {
        "version": importlib.metadata.version(dist),
        "modules": modules,
        "models": schemas,
        "failed": dict(sorted(failed.items())),
    }


def main(argv):
    if len(argv) < 3:
        print("usage: observe.py OUT DIST [DIST ...]", file=sys.stderr)
        return 2
    out, dists = argv[1], argv[2:]
    result = {
        "python": platform.python_version(),
        "pydantic": pydantic.VERSION,
        "packages": {dist: observe(dist) for dist in dists},
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, sort_keys=True, indent=2)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
