"""Reading what a learner's project declares: every file is hostile input, every refusal says what to fix."""

import json
import os
from pathlib import Path

import pytest

from stagecraft.dependencies import DependencyError, NodeDeclared, PythonDeclared
from stagecraft.dependencies.declared import input_files, read_python
from stagecraft.dependencies.files import read_text
from stagecraft.dependencies.node import read_node
from stagecraft.dependencies.requirements import normalise_python_name


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def python_requirements(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[str, ...]:
    declared = read_python(project(tmp_path, files))
    assert declared is not None
    return declared.requirements


def refusal(read, project_dir: Path) -> str:
    with pytest.raises(DependencyError) as caught:
        read(project_dir)
    return str(caught.value)


# Encodings


def test_utf16_with_bom_as_powershell_pip_freeze_writes_it_is_read(tmp_path: Path):
    frozen = "Flask==3.0.3\r\nrequests==2.32.3\r\n".encode("utf-16")  # BOM + little-endian on x86
    assert frozen.startswith(b"\xff\xfe")
    assert python_requirements(tmp_path, {"requirements.txt": frozen}) == ("Flask==3.0.3", "requests==2.32.3")


def test_a_utf8_bom_is_not_part_of_the_first_requirement(tmp_path: Path):
    files = {"requirements.txt": b"\xef\xbb\xbfflask==3.0.3\n"}
    assert python_requirements(tmp_path, files) == ("flask==3.0.3",)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_other_unicode_forms_are_read(tmp_path: Path, encoding: str):
    path = tmp_path / "requirements.txt"
    path.write_bytes("fastapi>=0.110\n".encode(encoding))  # the utf-16 forms without BOM: found by their NULs
    assert read_text(path) == "fastapi>=0.110\n"


def test_latin1_text_is_refused_telling_to_save_as_utf8(tmp_path: Path):
    files = {"requirements.txt": "# café\nflask\n".encode("latin-1")}
    message = refusal(read_python, project(tmp_path, files))
    assert message == "requirements.txt is not text pip can read: save it as UTF-8"


def test_binary_content_is_refused(tmp_path: Path):
    message = refusal(read_python, project(tmp_path, {"requirements.txt": b"\x00\x01\x02flask\x00"}))
    assert "requirements.txt is not text pip can read" in message


# requirements.txt syntax


def test_comments_options_hashes_and_continuations_are_dropped_markers_kept(tmp_path: Path):
    text = (
        "# the web app\n"
        "--index-url https://pypi.org/simple\n"
        "-i https://mirror.example/simple\n"
        "--extra-index-url https://extra.example/simple --trusted-host extra.example\n"
        "--find-links ./wheels\n"
        "-c constraints.txt\n"
        "flask==3.0.3  # pinned for the course\n"
        "requests==2.32.3 \\\n"
        "    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000 \\\n"
        "    --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111\n"
        "tomli>=2; python_version < '3.11'\n"
        "uvicorn[standard]\\\n"
        ">=0.30\n"
        "\n"
    )
    requirements = python_requirements(tmp_path, {"requirements.txt": text})
    assert requirements == (
        "flask==3.0.3",
        "requests==2.32.3",
        "tomli>=2; python_version < '3.11'",
        "uvicorn[standard]>=0.30",
    )


def test_a_hash_without_whitespace_before_it_is_not_a_comment(tmp_path: Path):
    message = refusal(read_python, project(tmp_path, {"requirements.txt": "flask==3.0#pinned\n"}))
    assert message.startswith("requirements.txt line 1: 'flask==3.0#pinned' is not a valid requirement")


def test_the_same_requirement_is_kept_once_comparing_normalised_names(tmp_path: Path):
    text = "Flask_SQLAlchemy>=3\nflask-sqlalchemy >= 3\nflask.sqlalchemy>=3.1\n"
    requirements = python_requirements(tmp_path, {"requirements.txt": text})
    assert requirements == ("Flask_SQLAlchemy>=3", "flask.sqlalchemy>=3.1")


def test_nested_requirement_files_are_followed_in_place_relative_to_their_folder(tmp_path: Path):
    files = {
        "requirements.txt": "flask\n-r requirements/prod.txt\nrich\n",
        "requirements/prod.txt": "--requirement=base.txt\ngunicorn\n",
        "requirements/base.txt": "sqlalchemy\n-rprod.txt\n",  # a cycle: read once
    }
    assert python_requirements(tmp_path, files) == ("flask", "sqlalchemy", "gunicorn", "rich")


@pytest.mark.parametrize("line", ["-r ../secrets.txt", "-r /etc/passwd", "-r sub/../../outside.txt"])
def test_a_nested_file_outside_the_project_is_refused(tmp_path: Path, line: str):
    code = project(tmp_path / "code", {"requirements.txt": f"flask\n{line}\n"})
    (tmp_path / "secrets.txt").write_text("leaked\n")
    message = refusal(read_python, code)
    assert message.startswith("requirements.txt line 2: -r ") and "points outside your project" in message


def test_a_nested_file_that_does_not_exist_is_named(tmp_path: Path):
    message = refusal(read_python, project(tmp_path, {"requirements.txt": "-r requirements\\dev.txt\n"}))
    assert "-r requirements\\dev.txt names a file that is not in your project (write paths with /" in message


def test_a_requirements_file_that_is_a_link_is_refused(tmp_path: Path):
    (tmp_path / "elsewhere.txt").write_text("flask\n")
    code = project(tmp_path / "code", {"requirements.txt": "-r dev.txt\n"})
    (code / "dev.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert "goes through a symbolic link" in refusal(read_python, code)
    (code / "requirements.txt").unlink()
    (code / "requirements.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert refusal(read_python, code) == "requirements.txt is a symbolic link; put the file itself in your project"


def test_an_invalid_requirement_names_the_file_and_line(tmp_path: Path):
    message = refusal(read_python, project(tmp_path, {"requirements.txt": "flask\n\n# db\nsqlalchemy=2.0\n"}))
    assert message.startswith("requirements.txt line 4: 'sqlalchemy=2.0' is not a valid requirement (")
    assert "such as flask==3.0.3" in message


def test_lines_nothing_can_install_offline_are_kept_as_written(tmp_path: Path):
    text = (
        "flask\n"
        "-e git+https://github.com/alice/helpers.git#egg=helpers\n"
        "git+https://github.com/alice/tools.git@v1\n"
        "https://example.com/pkg-1.0.tar.gz\n"
        "./vendor/mylib\n"
        "mylib-1.0-py3-none-any.whl\n"
        "helpers @ https://example.com/helpers-2.0.zip\n"
        "-e .\n"
    )
    declared = read_python(project(tmp_path, {"requirements.txt": text}))
    assert declared.requirements == ("flask",)
    assert declared.unsupported_lines == tuple(text.splitlines()[1:])


def test_a_file_over_1_mib_is_refused(tmp_path: Path):
    big = "# padding\n" * (110 * 1024) + "flask\n"
    message = refusal(read_python, project(tmp_path, {"requirements.txt": big}))
    assert message == "requirements.txt is larger than 1 MiB; list only what you need"


# pyproject.toml


def test_a_pyproject_with_scripts_is_installable_with_pips_default_build_requires(tmp_path: Path):
    pyproject = (
        '[project]\nname = "todo-api"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["fastapi>=0.110", "uvicorn[standard]"]\n'
        '[project.scripts]\ntodo-api = "todo_api.main:run"\n'
    )
    declared = read_python(project(tmp_path, {"pyproject.toml": pyproject}))
    assert declared == PythonDeclared(
        requirements=("fastapi>=0.110", "uvicorn[standard]"),
        source="pyproject.toml",
        installable_project=True,
        build_requires=("setuptools>=40.8.0",),
        requires_python=">=3.11",
        unsupported_lines=(),
    )


def test_build_system_requires_are_taken_and_a_nameless_project_is_not_installed(tmp_path: Path):
    build = '[build-system]\nrequires = ["hatchling>=1.24"]\nbuild-backend = "hatchling.build"\n'
    declared = read_python(project(tmp_path, {"pyproject.toml": '[project]\nname = "app"\n' + build}))
    assert (declared.installable_project, declared.build_requires) == (True, ("hatchling>=1.24",))
    declared = read_python(project(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["flask"]\n' + build}))
    assert (declared.installable_project, declared.build_requires) == (False, ())


def test_a_requirements_file_wins_over_project_dependencies_but_pyproject_still_counts(tmp_path: Path):
    files = {
        "requirements.txt": "flask==3.0.3\n",
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["flask"]\n[project.scripts]\napp = "app:main"\n',
    }
    declared = read_python(project(tmp_path, files))
    assert (declared.source, declared.requirements, declared.installable_project) == (
        "requirements.txt",
        ("flask==3.0.3",),
        True,
    )


def test_a_pyproject_without_project_table_declares_nothing(tmp_path: Path):
    assert read_python(project(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})) is None


BROKEN_PYPROJECTS = {
    "not TOML": ('[project\nname = "app"\n', "pyproject.toml is not valid TOML: Expected ']' at the end of a table"),
    "dependencies a string": ('[project]\ndependencies = "flask"\n', "pyproject.toml: [project].dependencies must"),
    "dependencies numbers": ("[project]\ndependencies = [1, 2]\n", "pyproject.toml: [project].dependencies must"),
    "not PEP 508": (
        '[project]\ndependencies = ["flask", "req uests"]\n',
        "pyproject.toml [project].dependencies item 2: 'req uests' is not a valid requirement",
    ),
    "requires-python": (
        '[project]\nname = "a"\nrequires-python = "3.11+"\n',
        'pyproject.toml: requires-python = "3.11+" is not a version range',
    ),
    "build-system without requires": (
        '[project]\nname = "a"\n[build-system]\nbuild-backend = "x"\n',
        "pyproject.toml: [build-system] needs requires",
    ),
}


@pytest.mark.parametrize(("pyproject", "expected"), BROKEN_PYPROJECTS.values(), ids=BROKEN_PYPROJECTS.keys())
def test_a_broken_pyproject_is_refused_saying_what_is_wrong(tmp_path: Path, pyproject: str, expected: str):
    assert refusal(read_python, project(tmp_path, {"pyproject.toml": pyproject})).startswith(expected)


def test_a_pyproject_with_a_bom_is_refused_as_build_tools_would_fail_on_it(tmp_path: Path):
    files = {"pyproject.toml": b'\xef\xbb\xbf[project]\nname = "app"\n'}
    assert "save it as UTF-8 without BOM" in refusal(read_python, project(tmp_path, files))


# Lock files

UV_LOCK = """\
version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.6.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "sniffio" },
]
sdist = { url = "https://files.pythonhosted.org/packages/anyio-4.6.2.tar.gz", hash = "sha256:aa", size = 173422 }
wheels = [
    { url = "https://files.pythonhosted.org/packages/anyio-4.6.2-py3-none-any.whl", hash = "sha256:bb", size = 89766 },
]

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "colorama", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "h11"
version = "0.14.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "httptools"
version = "0.6.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "iniconfig"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "markdown"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "iniconfig" },
]

[[package]]
name = "sniffio"
version = "1.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "starlette"
version = "0.41.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "anyio" },
]

[[package]]
name = "todo-api"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "starlette" },
    { name = "uvicorn", extra = ["standard"] },
]

[package.optional-dependencies]
docs = [
    { name = "markdown" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [
    { name = "markdown", marker = "extra == 'docs'" },
    { name = "starlette" },
    { name = "uvicorn", extras = ["standard"] },
]

[package.metadata.requires-dev]
dev = [{ name = "pytest", specifier = ">=8" }]

[[package]]
name = "uvicorn"
version = "0.32.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "click" },
    { name = "h11" },
]

[package.optional-dependencies]
standard = [
    { name = "httptools" },
    { name = "uvloop", marker = "platform_python_implementation != 'PyPy' and sys_platform != 'win32'" },
]

[[package]]
name = "uvloop"
version = "0.21.0"
source = { registry = "https://pypi.org/simple" }
"""

PYPROJECT = '[project]\nname = "todo-api"\nversion = "0.1.0"\ndependencies = ["starlette", "uvicorn[standard]"]\n'


def test_uv_lock_pins_what_the_project_needs_transitively_without_dev_or_optional_groups(tmp_path: Path):
    declared = read_python(project(tmp_path, {"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT}))
    assert declared.source == "uv.lock"
    assert declared.requirements == (
        "anyio==4.6.2",
        "click==8.1.7",
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "h11==0.14.0",
        "httptools==0.6.4",
        "idna==3.10",
        "sniffio==1.3.1",
        "starlette==0.41.2",
        "uvicorn==0.32.0",
        "uvloop==0.21.0 ; platform_python_implementation != 'PyPy' and sys_platform != 'win32'",
    )
    assert declared.unsupported_lines == ()


def test_uv_lock_with_a_virtual_root_combines_markers_and_reports_a_git_source(tmp_path: Path):
    lock = """\
version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "helpers" },
    { name = "legacy", marker = "python_full_version < '3.12'" },
]

[[package]]
name = "helpers"
version = "1.2.0"
source = { git = "https://github.com/alice/helpers?rev=v1.2#0123abcd" }

[[package]]
name = "legacy"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "winshim", marker = "sys_platform == 'win32'" }]

[[package]]
name = "winshim"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
"""
    declared = read_python(project(tmp_path, {"uv.lock": lock}))
    assert declared.requirements == (
        "legacy==2.0 ; python_full_version < '3.12'",
        "winshim==1.0 ; (python_full_version < '3.12') and (sys_platform == 'win32')",
    )
    assert declared.unsupported_lines == ("helpers @ git+https://github.com/alice/helpers?rev=v1.2#0123abcd",)


@pytest.mark.parametrize(
    ("lock", "expected"),
    [
        ("version = 1\n[[package]\n", "uv.lock is not valid TOML"),
        ('version = 7\n', "uv.lock is broken (version = 7, Stagecraft reads version 1); run `uv lock`"),
        ('version = 1\n[[package]]\nname = "x"\n', "uv.lock is broken (a [[package]] entry lacks its name"),
        ('version = 1\n[[package]]\nname = "x"\nsource = { editable = "." }\ndependencies = [{ name = "ghost" }]\n',
         "uv.lock is broken (x depends on 'ghost', which it does not list once)"),
        ('version = 1\n[[package]]\nname = "other"\nversion = "1"\nsource = { registry = "r" }\n',
         "uv.lock is broken (it has no entry for your project)"),
    ],
)  # fmt: skip
def test_a_broken_uv_lock_is_refused_saying_how_to_write_it_again(tmp_path: Path, lock: str, expected: str):
    assert refusal(read_python, project(tmp_path, {"uv.lock": lock})).startswith(expected)


def test_pipfile_lock_pins_the_default_section_only(tmp_path: Path):
    lock = {
        "_meta": {"hash": {"sha256": "ab"}, "pipfile-spec": 6, "requires": {"python_version": "3.11"}},
        "default": {
            "flask": {
                "hashes": ["sha256:aa"],
                "index": "pypi",
                "markers": "python_version >= '3.8'",
                "version": "==3.0.3",
            },
            "werkzeug": {"hashes": ["sha256:bb"], "version": "==3.0.4"},
            "helpers": {"git": "https://github.com/alice/helpers.git", "ref": "0123abcd"},
        },
        "develop": {"pytest": {"hashes": ["sha256:cc"], "version": "==8.3.3"}},
    }
    declared = read_python(project(tmp_path, {"Pipfile.lock": json.dumps(lock), "requirements.txt": "django\n"}))
    assert declared.source == "Pipfile.lock"
    assert declared.requirements == ("flask==3.0.3 ; python_version >= '3.8'", "werkzeug==3.0.4")
    assert declared.unsupported_lines == ("helpers @ git+https://github.com/alice/helpers.git",)


def test_a_broken_pipfile_lock_is_refused(tmp_path: Path):
    message = refusal(read_python, project(tmp_path, {"Pipfile.lock": '{"default": {"flask": {"version": "*"}}}'}))
    assert message == "Pipfile.lock is broken (flask has no pinned version); run `pipenv lock` to write it again"


def test_no_dependency_file_declares_nothing(tmp_path: Path):
    code = project(tmp_path, {"app.py": "print('hi')\n", "stagecraft.toml": 'runtime = "python"\n'})
    assert (read_python(code), read_node(code)) == (None, None)
    assert (input_files("python", code), input_files("node", code)) == ([], [])


# package.json


def test_invalid_package_json_gives_line_and_column(tmp_path: Path):
    text = '{\n  "name": "api",\n  "dependencies": {\n    "express": "^4.19.2"\n    "pg": "^8"\n  }\n}\n'
    message = refusal(read_node, project(tmp_path, {"package.json": text}))
    assert message == "package.json is not valid JSON: Expecting ',' delimiter at line 5, column 5; fix it there"


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ('["express"]', "package.json must hold one JSON object"),
        ('{"dependencies": ["express"]}', 'package.json: "dependencies" must be an object of package names'),
        ('{"dependencies": {"express": 4}}', 'package.json: "dependencies" must be an object of package names'),
        ('{"scripts": {"start": ["node", "a.js"]}}', 'package.json: "scripts.start" must be a command in a string'),
        ('{"type": "esm"}', 'package.json: "type" must be "module" or "commonjs"'),
        ("[" * 100_000 + "]" * 100_000, "package.json is not JSON that can be read"),
    ],
)
def test_a_package_json_of_the_wrong_shape_is_refused(tmp_path: Path, manifest: str, expected: str):
    assert refusal(read_node, project(tmp_path, {"package.json": manifest})).startswith(expected)


def test_a_project_started_by_a_dev_tool_gets_its_dev_dependencies(tmp_path: Path):
    # tsx runs TypeScript, whose `tsc` is the package typescript: a start that is more than
    # `node file.js` gets every devDependency, since binaries do not name their packages.
    manifest = {
        "name": "todo-api",
        "type": "module",
        "engines": {"node": ">=20"},
        "scripts": {"start": "tsx src/server.ts", "test": "vitest"},
        "dependencies": {"express": "^4.19.2"},
        "devDependencies": {"tsx": "^4.19.0", "typescript": "^5.6.0", "vitest": "^2.1.0"},
    }
    lock = {"name": "todo-api", "lockfileVersion": 3, "packages": {}}
    code = project(tmp_path, {"package.json": json.dumps(manifest), "package-lock.json": json.dumps(lock)})
    assert read_node(code) == NodeDeclared(
        dependencies={"express": "^4.19.2", "tsx": "^4.19.0", "typescript": "^5.6.0", "vitest": "^2.1.0"},
        has_lock=True,
        start_script="tsx src/server.ts",
        module_type="module",
        engines_node=">=20",
    )


def test_dev_tools_named_through_npx_paths_and_loaders_are_included(tmp_path: Path):
    manifest = {
        "scripts": {"start": "npx nodemon --exec node --loader ts-node/esm ./node_modules/.bin/tsc-watch"},
        "devDependencies": {"nodemon": "^3", "ts-node": "^10", "tsc-watch": "^6", "eslint": "^9"},
    }
    declared = read_node(project(tmp_path, {"package.json": json.dumps(manifest)}))
    assert declared.dependencies == {"nodemon": "^3", "ts-node": "^10", "tsc-watch": "^6", "eslint": "^9"}
    assert (declared.has_lock, declared.module_type, declared.start_script is not None) == (False, "commonjs", True)


def test_a_plain_node_start_leaves_the_dev_dependencies_out(tmp_path: Path):
    manifest = {
        "scripts": {"start": "node server.js"},
        "dependencies": {"pg": "^8"},
        "devDependencies": {"jest": "^29"},
    }
    assert read_node(project(tmp_path, {"package.json": json.dumps(manifest)})).dependencies == {"pg": "^8"}
    manifest["scripts"]["start"] = "npm run build && node dist/server.js"
    assert read_node(project(tmp_path, {"package.json": json.dumps(manifest)})).dependencies == {
        "pg": "^8",
        "jest": "^29",
    }


def test_poetry_projects_are_read_from_their_lock_or_their_ranges(tmp_path: Path):
    pyproject = (
        '[tool.poetry]\nname = "todo"\nversion = "0.1.0"\n'
        '[tool.poetry.dependencies]\npython = "^3.10"\nflask = "^3.0"\n'
        'sqlalchemy = {version = "~2.0.30", extras = ["asyncio"]}\n'
        'gunicorn = "*"\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n'
    )
    declared = read_python(project(tmp_path / "ranges", {"pyproject.toml": pyproject}))
    assert declared.requirements == ("flask>=3.0,<4", "sqlalchemy[asyncio]>=2.0.30,<2.1", "gunicorn")
    assert (declared.source, declared.requires_python) == ("pyproject.toml", ">=3.10,<4")
    lock = (
        '[[package]]\nname = "flask"\nversion = "3.0.3"\noptional = false\ngroups = ["main"]\n\n'
        '[[package]]\nname = "pytest"\nversion = "8.3.3"\noptional = false\ngroups = ["dev"]\n\n'
        '[[package]]\nname = "colorama"\nversion = "0.4.6"\ncategory = "main"\n'
        'markers = "sys_platform == \\"win32\\""\n\n'
        '[metadata]\nlock-version = "2.1"\n'
    )
    declared = read_python(project(tmp_path / "locked", {"pyproject.toml": pyproject, "poetry.lock": lock}))
    assert declared.requirements == ("flask==3.0.3", 'colorama==0.4.6 ; sys_platform == "win32"')
    assert declared.source == "poetry.lock"


def test_a_package_json_with_a_utf8_bom_is_read_as_npm_does(tmp_path: Path):
    declared = read_node(project(tmp_path, {"package.json": b'\xef\xbb\xbf{"dependencies": {"pg": "^8"}}'}))
    assert declared.dependencies == {"pg": "^8"}


def test_a_broken_package_lock_is_refused(tmp_path: Path):
    code = project(tmp_path, {"package.json": "{}", "package-lock.json": '{"name": "x"}'})
    message = refusal(read_node, code)
    assert message == (
        "package-lock.json is broken (it has no lockfileVersion); run `npm install` to write it again, or delete it"
    )


# Cache inputs


def test_input_files_are_the_files_the_requirements_are_read_from(tmp_path: Path):
    code = project(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n",
            "requirements/base.txt": "flask\n",
            "requirements/unused.txt": "django\n",
            "constraints.txt": "flask<4\n",
            "pyproject.toml": '[project]\nname = "app"\n',
            "package.json": "{}",
            "npm-shrinkwrap.json": '{"lockfileVersion": 3}',
            "app.py": "",
        },
    )
    assert input_files("python", code) == [
        code / "pyproject.toml",
        code / "requirements.txt",
        code / "requirements/base.txt",
    ]
    assert input_files("node", code) == [code / "package.json", code / "npm-shrinkwrap.json"]
    with pytest.raises(ValueError, match="unknown runtime 'ruby'"):
        input_files("ruby", code)


def test_with_a_lock_requirements_txt_is_neither_read_nor_an_input(tmp_path: Path):
    files = {"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT, "requirements.txt": "-r ../outside.txt\n"}
    code = project(tmp_path, files)
    assert read_python(code).source == "uv.lock"
    assert input_files("python", code) == [code / "pyproject.toml", code / "uv.lock"]


def test_a_folder_or_fifo_where_a_file_belongs_is_refused(tmp_path: Path):
    (tmp_path / "package.json").mkdir()
    assert refusal(read_node, tmp_path) == "package.json is a folder; it must be a file"
    os.mkfifo(tmp_path / "requirements.txt")
    assert refusal(read_python, tmp_path) == "requirements.txt is not a plain file; upload it as one"


def test_python_names_are_normalised_as_pep_503_says():
    assert {normalise_python_name(n) for n in ("Flask_SQLAlchemy", "flask.sqlalchemy", "FLASK--sqlalchemy")} == {
        "flask-sqlalchemy"
    }
