"""The package graph runs one way (docs/architecture.md): an import against the layers fails here.

Read from the source with `ast`, so it sees every import, also those inside functions. Imports
under `if TYPE_CHECKING:` are for annotations only and create no dependency at run time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lms"

# The domain layers, lowest first: a module may import its own component and those below it.
# Components on the same line are siblings and do not import each other.
LAYERS: list[set[str]] = [
    {"kernel"},
    {"audit"},
    {"people"},
    {"courses"},
    {"quizzes"},
    {"certification"},
    {"offline", "classes", "authoring", "credentials", "jobs"},
    {"dashboards"},
    {"fieldlog"},
    {"api"},
]
# Top-level modules that know nothing of any feature.
KERNEL = {"extensions", "config", "clock", "text", "caching", "pagination", "public_url",
          "downloads", "sqlite", "markdown", "markdown_limits", "forms", "errors", "i18n",
          "content_errors", "text_size", "static_files", "reports_db", "spreadsheets",
          "transaction"}
# The shared web shell: login wiring, headers and limits, the menu, template filters.
SHELL = {"auth", "security", "navigation", "template_helpers"}
# Entry points: wiring, commands and demo data, above everything.
WIRING = {"__init__", "cli", "demo", "demo_history", "operations", "error_pages", "preload",
          "worker"}
# Modules of a feature package that belong to its web or command entry points: views and
# commands (never imported by another package), and forms and web helpers (which may be).
ENTRY_NAMES = {"views", "routes", "blueprint", "cli"}
SHARED_ENTRY_NAMES = {"forms", "web"}
# Web modules named by their feature: the "send again" answer to a form whose login ended, and
# the dashboards' mass actions (a form, its confirmation page and its redirects), the job
# handlers (the worker's entry points, as views are the browser's) and a job's result page.
WEB_MODULES = {"lms.people.resend", "lms.dashboards.bulk", "lms.people.roster.job",
               "lms.certification.standings_job", "lms.jobs.results", "lms.dashboards.exports",
               "lms.dashboards.export_job", "lms.classes.certificates_job"}
# Packages whose every module is an entry point (the home page and the staff home).
ENTRY_PACKAGES = {"main"}
# Modules that live with a feature (where a newcomer looks for them) but sit on a lower line:
# the quiz of a course (Quiz, Question, Option) is written by the course importer.
LOWER_MODULES = {"lms.quizzes.content_models": "courses"}
# Leaves: reporting packages that no page below them imports (a lower page reads the domain).
LEAVES = {"dashboards", "api"}

# Imports inside a function, each with the cycle or cost it avoids. Any other is a failure.
FUNCTION_IMPORTS: dict[tuple[str, str], str] = {
    ("lms", "*"): "create_app imports the blueprints inside it (the Flask tutorial's pattern): "
                  "importing lms must not import every view",
    ("lms.cli", "*"): "the command group is built inside create_app, after the blueprints",
    ("lms.auth", "lms.people.resend"): "people.resend imports lms.auth (safe_next) at import time",
    ("lms.fieldlog.routes", "*"): "the fieldlog blueprint is assembled from its view modules "
                                  "after the blueprint object exists",
    # Issue 22, memory: heavy libraries load in the one request that needs them, not in every
    # worker (tests/test_heavy_imports.py).
    ("lms.certification.views", "lms.certification.pdf"): "fpdf2 and fontTools: PDFs only",
    ("lms.certification.views", "lms.certification.image"): "Pillow and segno: pictures only",
    ("lms.certification.web", "lms.certification.pdf"): "fpdf2: the certificate sheet's type",
    ("lms.classes.certificates_job", "lms.certification.pdf"): "fpdf2: a class's PDF only",
    ("lms.api.views", "lms.api.spec"): "apispec and YAML: the OpenAPI document only",
    ("lms.jobs.results", "lms.people.roster.job"): "the roster handler imports jobs (its "
                                                   "models); its result page is drawn here",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _existing(name: str) -> str:
    """The longest prefix of `name` that is a module or package of lms."""
    parts = name.split(".")
    while parts:
        candidate = ROOT.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return name


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> list[Import]:
    """Every import of an lms module in `path`, with whether it sits inside a function."""
    module = module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, path, child)
                names = [_existing(f"{base}.{alias.name}") for alias in child.names]
            else:
                visit(child, inside)
                continue
            for name in names:
                if name == "lms" or name.startswith("lms."):
                    found.append(Import(module, _existing(name), child.lineno, inside))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def all_imports() -> list[Import]:
    return [found for path in sorted(PACKAGE.rglob("*.py")) for found in imports_of(path)]


def component(module: str) -> str:
    """The layer component of a module: its feature package, or kernel / shell / wiring."""
    if module in LOWER_MODULES:
        return LOWER_MODULES[module]
    parts = module.split(".")
    if len(parts) == 1:
        return "wiring"
    if len(parts) == 2 and not (PACKAGE / parts[1]).is_dir():
        name = parts[1]
        if name in SHELL:
            return "shell"
        if name in WIRING:
            return "wiring"
        assert name in KERNEL, f"{module}: name its place in tests/test_architecture.py"
        return "kernel"
    return parts[1]


def is_view(module: str) -> bool:
    """A view or command module: imported by no other package."""
    parts = module.split(".")
    return len(parts) > 2 and (parts[-1] in ENTRY_NAMES or parts[-1].endswith("_views"))


def is_entry(module: str) -> bool:
    """Views, forms, commands and web helpers: the outer ring, which may import any domain
    module."""
    parts = module.split(".")
    if component(module) in {"shell", "wiring"} or parts[1] in ENTRY_PACKAGES:
        return True
    last = parts[-1]
    return is_view(module) or module in WEB_MODULES or (
        len(parts) > 2 and (last in SHARED_ENTRY_NAMES or last.endswith("_forms")))


def layer(name: str) -> int:
    return next(index for index, names in enumerate(LAYERS) if name in names)


def violation(found: Import) -> str | None:
    """Why this import runs against the layers, or None."""
    source, target = found.importer, found.imported
    source_component, target_component = component(source), component(target)
    if source_component == target_component or source_component == "wiring":
        return None
    if target_component == "wiring":
        return "only the wiring imports the wiring"
    if is_view(target) and target_component != "main":
        return "a view or command of another package is not imported"
    if is_entry(source) and not is_entry(target):
        if target_component in LEAVES and layer(target_component) > layer(source_component):
            return f"{target_component} is a leaf: no page below it imports it"
        return None  # the outer ring composes pages from any package's domain modules
    if is_entry(source):
        if source_component == "kernel":
            return "the kernel does not import the web"
        return None  # forms, the web shell and the web helpers are shared by every page
    if is_entry(target):
        return "a domain module does not import views, forms or the web shell"
    if layer(target_component) >= layer(source_component):
        return f"{source_component} is below {target_component} (docs/architecture.md)"
    return None


def test_imports_follow_the_layers():
    broken = [f"{found.importer}:{found.line} imports {found.imported}: {why}"
              for found in all_imports() if (why := violation(found))]
    assert not broken, "\n".join(broken)


def test_function_level_imports_are_explained():
    explained = set(FUNCTION_IMPORTS)
    unexplained = [f"{found.importer}:{found.line} imports {found.imported} inside a function"
                   for found in all_imports() if found.in_function
                   and (found.importer, found.imported) not in explained
                   and (found.importer, "*") not in explained]
    assert not unexplained, "\n".join(unexplained)


def test_every_explained_function_import_still_exists():
    present = {(found.importer, found.imported) for found in all_imports() if found.in_function}
    present |= {(importer, "*") for importer, _ in present}
    stale = set(FUNCTION_IMPORTS) - present
    assert not stale, stale


def test_the_check_sees_an_import_against_the_layers(tmp_path):
    # A courses service importing certification would be reported.
    found = Import("lms.courses.services", "lms.certification.services", 1, False)
    assert violation(found) == "courses is below certification (docs/architecture.md)"
    assert violation(Import("lms.people.views", "lms.dashboards.queries", 1, False))
    assert violation(Import("lms.people.views", "lms.certification.views", 1, False))
    assert violation(Import("lms.courses.services", "lms.auth", 1, False))
    assert violation(Import("lms.certification.services", "lms.people.models", 1, False)) is None
    # The quiz content models sit on the courses line; the rest of quizzes above it.
    assert violation(Import("lms.courses.library", "lms.quizzes.content_models", 1, False)) is None
    assert violation(Import("lms.courses.library", "lms.quizzes.models", 1, False))
