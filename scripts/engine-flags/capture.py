#!/usr/bin/env python3
"""Captures an inference engine's own command-line flags and environment variables at one version, as the
JSON fixture operator/compiler/engines/cli/<engine>-<version>.json that the compiler checks flags against.

Static reading of the engine's published source (no import: vLLM's parser module imports torch):

  capture.py vllm  WHEEL.whl                       vLLM, from its PyPI wheel:
      vllm/engine/arg_utils.py (EngineArgs/AsyncEngineArgs.add_cli_args), vllm/entrypoints/common/cli_args.py
      (make_arg_parser, FrontendArgs dataclass fields -> --field-name), vllm/envs.py (environment_variables).
      Boolean fields become --x and --no-x (argparse.BooleanOptionalAction, as vLLM's get_kwargs does).
  capture.py tgi   MAIN_RS VERSION COMMIT           TGI's text-generation-launcher, from launcher/src/main.rs
      at the tag: clap derive fields of `struct Args` (long -> --kebab-name, short, env -> NAME) and the
      env::var("...") reads.
  capture.py hfhub WHEEL.whl                       huggingface_hub's HF_* environment variables (every HF_*/HUGGINGFACE_* name in its source),
      which the Python engines' hub client reads (HF_HOME, HF_HUB_OFFLINE, ...).

How to refresh (see operator/compiler/engines/README.md):
  pip download --no-deps --only-binary :all: vllm==X -d /tmp/w && capture.py vllm /tmp/w/vllm-X-*.whl > .../vllm-X.json
"""
import ast
import hashlib
import json
import re
import sys
import zipfile


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dashed(name: str) -> str:
    return "--" + name.replace("_", "-")


def is_bool_annotation(src: str) -> bool:
    # vLLM's get_kwargs: `bool | str | None` is an optional-valued flag (no --no-x); any other bool -> BooleanOptionalAction
    parts = {p.strip() for p in src.replace("Optional[", "").replace("]", "").split("|")}
    return "bool" in parts and "str" not in parts


def class_fields(tree: ast.Module, names: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in names:
            for st in node.body:
                if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                    out[st.target.id] = ast.unparse(st.annotation)
    return out


def add_argument_calls(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            yield node


def vllm(wheel: str) -> dict:
    z = zipfile.ZipFile(wheel)
    version = re.search(r"vllm-([^-]+)-", wheel.split("/")[-1]).group(1)
    arg_utils = ast.parse(z.read("vllm/engine/arg_utils.py"))
    cli_args = ast.parse(z.read("vllm/entrypoints/common/cli_args.py"))
    envs = ast.parse(z.read("vllm/envs.py"))
    flags: set[str] = set()
    engine_fields = class_fields(arg_utils, {"EngineArgs", "AsyncEngineArgs"})
    # get_kwargs(<Config>) derives argparse kwargs from the config dataclasses' field types (vllm/config/*.py)
    config_fields: dict[str, list[str]] = {}
    for name in z.namelist():
        if name.startswith("vllm/config/") and name.endswith(".py"):
            tree = ast.parse(z.read(name))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for st in node.body:
                        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                            config_fields.setdefault(st.target.id, []).append(ast.unparse(st.annotation))
    for tree in (arg_utils, cli_args):
        for call in add_argument_calls(tree):
            names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("-")]
            flags.update(names)
            boolean = any(k.arg == "action" and "BooleanOptionalAction" in ast.unparse(k.value) for k in call.keywords)
            for k in call.keywords:  # **model_kwargs["enforce_eager"] -> the config field's type
                if k.arg is not None:
                    continue
                for sub in ast.walk(k.value):
                    if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, str):
                        # the field's name can repeat across config classes: a bool in any of them counts
                        anns = config_fields.get(sub.slice.value, []) + [engine_fields.get(sub.slice.value, "")]
                        if any(is_bool_annotation(a) for a in anns):
                            boolean = True
            if boolean:
                flags.update("--no-" + n[2:] for n in names if n.startswith("--"))
    # FrontendArgs: every dataclass field is a flag (BaseFrontendArgs.add_cli_args), plus extra "flags" aliases
    for name, ann in class_fields(cli_args, {"BaseFrontendArgs", "FrontendArgs"}).items():
        flags.add(dashed(name))
        if is_bool_annotation(ann):
            flags.add("--no-" + name.replace("_", "-"))
    for node in ast.walk(cli_args):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value == "flags" for t in node.targets):
            flags.update(c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.startswith("-"))
    env: set[str] = set()
    for node in ast.walk(envs):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "environment_variables" and isinstance(node.value, ast.Dict):
            env.update(k.value for k in node.value.keys if isinstance(k, ast.Constant))
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv") and node.args and isinstance(node.args[0], ast.Constant):
            env.add(node.args[0].value)
    return {
        "engine": "vllm",
        "version": version,
        "source": f"PyPI wheel {wheel.split('/')[-1]} (sha256 {sha256(wheel)}): vllm/engine/arg_utils.py, vllm/entrypoints/common/cli_args.py, vllm/config/*.py, vllm/envs.py",
        "command": "vllm serve",
        "normalize": {"underscoresAsDashes": True, "dottedConfigKeys": True},
        "flags": sorted(flags),
        "env": sorted(env),
    }


CLAP_ATTR = re.compile(r"#\[clap\((.*)\)\]")


def tgi(main_rs: str, version: str, commit: str) -> dict:
    src = open(main_rs, encoding="utf-8").read()
    m = re.search(r"\nstruct Args \{\n(.*?)\n\}\n", src, re.S)
    if not m:
        sys.exit("struct Args not found")
    flags: set[str] = set()
    env: set[str] = set()
    attrs: list[str] = []
    for line in m.group(1).split("\n"):
        line = line.strip()
        a = CLAP_ATTR.match(line)
        if a:
            attrs.append(a.group(1))
            continue
        f = re.match(r"(?:pub\s+)?([a-z_][a-z0-9_]*)\s*:", line)
        if f and attrs:
            name = f.group(1)
            spec = ", ".join(attrs)
            long_ = re.search(r'\blong\s*=\s*"([^"]+)"', spec)
            if long_:
                flags.add("--" + long_.group(1))
            elif re.search(r"\blong\b", spec):
                flags.add(dashed(name))
            short = re.search(r"\bshort\s*=\s*'(.)'", spec)
            if short:
                flags.add("-" + short.group(1))
            elif re.search(r"\bshort\b", spec):
                flags.add("-" + name[0])
            e = re.search(r'\benv\s*=\s*"([^"]+)"', spec)
            if e:
                env.add(e.group(1))
            elif re.search(r"\benv\b", spec):
                env.add(name.upper())
            attrs = []
        elif not line.startswith("///") and line and not line.startswith("#"):
            attrs = []
    env.update(re.findall(r'env::var\("([A-Z0-9_]+)"\)', src))
    flags.update({"--help", "-h", "--version", "-V"})
    return {
        "engine": "tgi",
        "version": version,
        "source": f"text-generation-inference {version} (commit {commit}) launcher/src/main.rs: clap `struct Args` and env::var reads",
        "command": "text-generation-launcher",
        "normalize": {"underscoresAsDashes": False, "dottedConfigKeys": False},
        "flags": sorted(flags),
        "env": sorted(env),
    }


def hfhub(wheel: str) -> dict:
    z = zipfile.ZipFile(wheel)
    version = re.search(r"huggingface_hub-([^-]+)-", wheel.split("/")[-1]).group(1)
    env: set[str] = set()
    for name in z.namelist():
        if name.startswith("huggingface_hub/") and name.endswith(".py"):
            env.update(re.findall(r'["\']((?:HF|HUGGINGFACE)_[A-Z0-9_]+)["\']', z.read(name).decode()))
    return {
        "engine": "huggingface_hub",
        "version": version,
        "source": f"PyPI wheel {wheel.split('/')[-1]} (sha256 {sha256(wheel)}): huggingface_hub/**/*.py (HF_* / HUGGINGFACE_* names)",
        "command": "",
        "normalize": {"underscoresAsDashes": False, "dottedConfigKeys": False},
        "flags": [],
        "env": sorted(env),
    }


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "vllm":
        out = vllm(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "tgi":
        out = tgi(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 3 and sys.argv[1] == "hfhub":
        out = hfhub(sys.argv[2])
    else:
        sys.exit(__doc__)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
