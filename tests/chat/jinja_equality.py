"""Our Jinja interpreter beside jinja2, byte for byte: the feature cases of jinja_cases.json,
and every chat template of the corpus (tests/chat/templates, and chat_templates/*.jinja of the
data folders where there is one) with every conversation of conversations.json, with and without
the generation prompt. jinja2 is set up as transformers sets it up for apply_chat_template.

usage: jinja_equality.py RENDER_TOOL TESTS_CHAT_DIR"""
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jinja2
    from jinja2 import nodes
    from jinja2.ext import Extension, loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    print("jinja2 is not installed (Debian: python3-jinja2)", file=sys.stderr)
    sys.exit(1)


class Generation(Extension):
    """transformers' {% generation %}: marks assistant text, rendered in place."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda format: datetime.datetime.now().strftime(format)
    return env


def data_folders(chat_dir):
    """The data folders the tests look in: $AMALGAM_DATA, ../shared/data, the user's."""
    user = os.path.join(os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "Amalgam", "data")
    return [p for p in (os.environ.get("AMALGAM_DATA"), os.path.join(chat_dir, "..", "..", "..", "shared", "data"), user) if p]


def corpus(chat_dir):
    folders = [os.path.join(chat_dir, "templates")] + [os.path.join(p, "chat_templates") for p in data_folders(chat_dir)]
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "*.jinja"))):
            yield os.path.relpath(path, chat_dir), open(path, encoding="utf-8").read()


def main():
    tool, chat_dir = sys.argv[1], sys.argv[2]
    cases = json.load(open(os.path.join(chat_dir, "jinja_cases.json"), encoding="utf-8"))["cases"]
    conversations = json.load(open(os.path.join(chat_dir, "conversations.json"), encoding="utf-8"))
    templates = list(corpus(chat_dir))
    for name, text in templates:
        for conversation in conversations:
            for generation_prompt in (False, True):
                cases.append({"source": name, "template": text, "label": f"{name}, {conversation['name']}, generation prompt {generation_prompt}",
                              "variables": {"messages": conversation["messages"], "add_generation_prompt": generation_prompt,
                                            "bos_token": "<s>", "eos_token": "</s>", "tools": None}})
    env = environment()
    expected = []
    for case in cases:
        try:
            expected.append({"output": env.from_string(case["template"]).render(**case["variables"])})
        except jinja2.exceptions.TemplateError as e:
            expected.append({"error": str(e)})
        except (TypeError, ValueError, AttributeError, KeyError) as e:  # a template that needs what the case lacks (documents)
            expected.append({"error": str(e), "python": type(e).__name__})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump({"cases": cases}, f, ensure_ascii=False)
    try:
        ours = json.loads(subprocess.run([tool, f.name], check=True, capture_output=True).stdout.decode("utf-8"))
    finally:
        os.unlink(f.name)
    failures = 0
    raised = 0
    for case, want, got in zip(cases, expected, ours):
        label = case.get("label", case["template"][:60])
        if "error" in want:
            raised += 1
            # Python's own errors have Python's wording; that ours stops too is what counts.
            if "error" not in got or ("python" not in want and not got["error"].endswith(want["error"])):
                failures += 1
                print(f"FAIL {label}: jinja2 raised {want['error']!r}, ours gave {got!r}")
        elif got != want:
            failures += 1
            print(f"FAIL {label}:\n  jinja2: {want['output']!r}\n  ours:   {got!r}")
    print(f"{len(cases) - failures} of {len(cases)} renderings equal jinja2's ({len(templates)} templates, {raised} raising); "
          f"jinja2 {jinja2.__version__}")
    sys.exit(1 if failures else 0)


main()
