"""Books in many languages, end to end: each story typeset as its language's readers
expect (quotes, apostrophes, dashes, spaces), EPUBCheck and DAISY Ace clean; CJK
word counts as the archives count them; `packager check` naming what it could not
typeset; legacy encodings named."""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile
from pathlib import Path
from types import ModuleType

import lxml.etree as etree
import pytest
from helpers import XHTML_NS, assert_epubcheck_clean, unwrap_initials
from language_samples import NBSP, NNBSP, SAMPLES
from typer.testing import CliRunner

from packager.build import build
from packager.cli import app
from packager.options import BuildOptions
from packager.text.words import count_words

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ebooklib.*")


def _write(folder: Path, name: str, front: dict[str, str], body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items())]
    (folder / name).write_text("\n".join([*lines, "---", "", body, ""]), encoding="utf-8")


@pytest.fixture(scope="module")
def polyglot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An English anthology with one story in each language that has a table."""
    source = tmp_path_factory.mktemp("polyglot") / "src"
    source.mkdir()
    (source / "collection.toml").write_text(
        'title = "Lanterns in Every Tongue"\nauthors = ["Ed Itor"]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    for i, (lang, typed, _) in enumerate(SAMPLES, start=1):
        front = {"title": f"Sample {lang}", "author": "A. Writer", "language": lang}
        _write(source, f"{i:02d}-{lang}.txt", front, typed)
    out = source.parent / "out"
    build(source, out, BuildOptions(formats=("epub",), env={}))
    return source, next(out.glob("*.epub"))


def _story_texts(epub: Path) -> dict[str, tuple[str, str]]:
    """Per story title: (its section's lang, the text of its paragraphs)."""
    found = {}
    with zipfile.ZipFile(epub) as z:
        for name in sorted(n for n in z.namelist() if "story-" in n and n.endswith(".xhtml")):
            root = unwrap_initials(etree.fromstring(z.read(name)))
            (section,) = root.xpath("//x:section[@class='story']", namespaces=XHTML_NS)
            title = "".join(section.xpath(".//x:h1", namespaces=XHTML_NS)[0].itertext())
            paragraphs = section.xpath(".//x:div[@class='story-text']//x:p", namespaces=XHTML_NS)
            text = "\n\n".join("".join(p.itertext()) for p in paragraphs)
            found[title] = (section.get("lang") or root.get("lang"), text)
    return found


def test_each_language_is_typeset_as_its_readers_expect(polyglot: tuple[Path, Path]) -> None:
    _, epub = polyglot
    texts = _story_texts(epub)
    for lang, _, expected in SAMPLES:
        declared, text = texts[f"Sample {lang}"]
        assert declared == lang
        for fragment in expected:
            assert fragment in text, f"{lang}: {fragment!r} not in {text!r}"
        assert '"' not in text and "'" not in text, lang
    french = texts["Sample fr"][1]
    assert f"{NNBSP}?" in french and f"{NBSP}:" in french and " ?" not in french


def test_the_polyglot_book_passes_epubcheck(polyglot: tuple[Path, Path]) -> None:
    assert_epubcheck_clean(polyglot[1])


def _accessibility_tests() -> ModuleType:
    """tests/epub/test_accessibility.py, for its DAISY Ace runner (skips where Ace is missing)."""
    path = Path(__file__).parent / "epub" / "test_accessibility.py"
    spec = importlib.util.spec_from_file_location("_ace_runner", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_polyglot_book_passes_daisy_ace(polyglot: tuple[Path, Path], tmp_path: Path) -> None:
    ace = _accessibility_tests()
    report = ace.run_ace(polyglot[1], tmp_path / "ace")
    assert ace.ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"


def test_cjk_words_are_counted_as_the_archives_count_them(
    polyglot: tuple[Path, Path], tmp_path: Path
) -> None:
    source, epub = polyglot
    runner = CliRunner()
    stats = json.loads(runner.invoke(app, ["stats", str(source), "--json"]).stdout)
    checked = json.loads(runner.invoke(app, ["check", str(source), "--json"]).stdout)
    counted = {Path(s["file"]).name: s["words"] for s in checked["stories"]}
    for lang, typed, _ in SAMPLES:
        if lang not in ("zh-Hans", "zh-Hant", "ja"):
            continue
        name = next(n for n in counted if n.endswith(f"-{lang}.txt"))
        # Every Han character and kana is a word (AO3); the sample has no Latin words.
        characters = sum(count_words(c) for c in typed if c.isalpha())
        assert counted[name] == characters > 20
        row = next(r for r in stats["stories"] if Path(r["file"]).name == name)
        assert row["words"] == characters
        # The opener says so too.
        with zipfile.ZipFile(epub) as z:
            opener = next(
                z.read(n).decode()
                for n in z.namelist()
                if "story-" in n and f"Sample {lang}<" in z.read(n).decode()
            )
        # (The label is the book's word, marked as English in a story of another language.)
        assert re.search(rf"<dt[^>]*>Words</dt><dd>{characters}</dd>", opener), opener
    built = runner.invoke(
        app, ["build", str(source), "-o", str(tmp_path / "o"), "-f", "epub", "--json"]
    )
    report = json.loads(built.stdout)
    assert {Path(s["file"]).name: s["words"] for s in report["stories"]} == counted


def test_the_book_language_sets_stories_and_collection_text(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "collection.toml").write_text(
        'title = "Le \\"Phare\\" du soir"\nauthors = ["Léa Martin"]\nlanguage = "fr"\n'
        'dedication = "Pour ceux qui disent \\"à demain\\" : merci!"\n',
        encoding="utf-8",
    )
    _write(source, "01-phare.md", {"title": 'Le "dernier" bateau'}, '"Tu viens ?" dit-il.')
    _write(source, "02-zug.md", {"title": 'Der "letzte" Zug', "language": "de"}, '"Komm!"')
    build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    epub = next((tmp_path / "out").glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode()
        pages = {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml")}
    assert f"Le «{NNBSP}Phare{NNBSP}» du soir" in opf
    dedication = next(t for n, t in pages.items() if "dedication" in n)
    assert f"«{NNBSP}à demain{NNBSP}»{NBSP}: merci{NNBSP}!" in dedication
    texts = _story_texts(epub)
    assert texts[f"Le «{NNBSP}dernier{NNBSP}» bateau"] == (
        "fr",
        f"«{NNBSP}Tu viens{NNBSP}?{NNBSP}» dit-il.",
    )
    assert texts["Der „letzte“ Zug"] == ("de", "„Komm!“")
    assert_epubcheck_clean(epub)


def test_check_says_which_languages_it_cannot_typeset(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "collection.toml").write_text('title = "Libro"\nlanguage = "eo"\n', "utf-8")
    _write(source, "01-a.md", {"title": "Unu"}, "\"Saluton,\" li diris. 'Jes.'")
    _write(source, "02-b.md", {"title": "Du", "language": "de"}, '"Hallo," sagte sie.')
    runner = CliRunner()
    shown = runner.invoke(app, ["check", str(source)])
    assert shown.exit_code == 0, shown.output
    assert "language 'eo': no typography rules in packager" in shown.stdout
    assert "(01-a.md)" in shown.stdout and "02-b.md)" not in shown.stdout
    report = json.loads(runner.invoke(app, ["check", str(source), "--json"]).stdout)
    found = {Path(s["file"]).name: (s["language"], s["typography"]) for s in report["stories"]}
    assert found == {"01-a.md": ("eo", None), "02-b.md": ("de", "de")}
    build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    texts = _story_texts(next((tmp_path / "out").glob("*.epub")))
    assert texts["Unu"][1] == "\"Saluton,\" li diris. 'Jes.'"  # never English quotes


LEGACY = [
    ("gb18030", "gb18030", "吉野的名字里有个“𠮷”字。“你又迟到了，”老陈说，“船可不会等你。”"),
    ("big5", "big5", "燈塔的守夜人每天晚上都要爬上一百二十級臺階。「你又遲到了，」老陳說。"),
    ("shift_jis", "shift_jis", "夜の灯台は、今夜も静かに海を照らしていた。「また遅刻ですか」"),
    ("euc_jp", "euc-jp", "駅の向こうに小さな本屋があって、雨の日にはいつもそこで過ごした。"),
    ("euc_kr", "euc-kr", "등대지기는 매일 밤 백이십 개의 계단을 올라갔다. 배는 기다려 주지 않아."),
    ("cp1251", "windows-1251", "Смотритель маяка каждый вечер поднимался по ступеням."),
    ("koi8_r", "koi8-r", "Мы долго шли под дождём, и никто не говорил ни слова."),
    ("cp1256", "windows-1256", "كان حارس المنارة يصعد كل مساء مئة وعشرين درجة. ابتسمت الفتاة."),
    ("iso8859_8", "iso-8859-8", "שומר המגדלור עלה בכל ערב מאה ועשרים מדרגות. הנערה חייכה."),
]


def test_check_names_each_legacy_encoding(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for i, (codec, _, line) in enumerate(LEGACY, start=1):
        text = f"Story {codec}\n\n{line}\n\n{line}\n"
        (source / f"{i:02d}-{codec}.txt").write_bytes(text.encode(codec))
    runner = CliRunner()
    report = json.loads(runner.invoke(app, ["check", str(source), "--json"]).stdout)
    found = {Path(s["file"]).name: s for s in report["stories"]}
    for i, (codec, name, _) in enumerate(LEGACY, start=1):
        story = found[f"{i:02d}-{codec}.txt"]
        assert story["encoding"] == name
        assert story["title"] == f"Story {codec}"
        assert {"kind": "repaired", "action": "decoded as", "text": name}.items() <= next(
            c for c in story["changes"] if c["action"] == "decoded as"
        ).items()
    shown = runner.invoke(app, ["check", str(source)], terminal_width=200)
    assert all(name in shown.stdout for _, name, _ in LEGACY)
    build(source, tmp_path / "out", BuildOptions(formats=("epub",), env={}))
    book = "".join(
        "".join(etree.fromstring(z.read(n)).itertext())
        for z in [zipfile.ZipFile(next((tmp_path / "out").glob("*.epub")))]
        for n in z.namelist()
        if "story-" in n and n.endswith(".xhtml")
    )
    for _, _, line in LEGACY:  # the words, whatever the typography did to the quotes
        assert line.split("“")[0].split("「")[0][:12] in book


def test_a_weak_guess_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "01-short.txt").write_bytes("Привет, как дела? Всё хорошо.\n".encode("cp1251"))
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "01-short.txt: cannot tell this file's text encoding" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
