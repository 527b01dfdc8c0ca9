"""Story files in the legacy encodings of Chinese, Japanese, Korean, Russian, Arabic
and Hebrew: decoded to the writer's text and named, or refused, never mojibake."""

from __future__ import annotations

import pytest

from packager.errors import StoryError
from packager.read.source import decode

# Original text written for these tests; each in an encoding its writers used.
CASES = [
    ("gb18030", "gb18030",
     "吉野先生的名字里有个“𠮷”字，老式电脑打不出来。\n"
     "“你又迟到了，”老陈说，“海上的船可不会等你。”\n小林笑了笑，把热茶放在窗台上。\n"),
    ("gbk", "gbk",
     "我们在雨里走了很久，谁也没有说话。她忽然停下来，问我还记不记得那年冬天的事情。\n"
     "我说记得，其实早就忘了。\n"),
    ("big5", "big5",
     "燈塔的守夜人每天晚上都要爬上一百二十級臺階。\n「你又遲到了，」老陳說，"
     "「海上的船可不會等你。」\n小林笑了笑，把熱茶放在窗臺上。\n"),
    ("shift_jis", "shift_jis",
     "夜の灯台は、今夜も静かに海を照らしていた。\n「また遅刻ですか」と老人は言った。"
     "「船は待ってくれませんよ」\n少女は笑って、温かいお茶を窓辺に置いた。\n"),
    ("euc_jp", "euc-jp",
     "駅の向こうに小さな本屋があって、雨の日にはいつもそこで時間をつぶした。\n"
     "「今日も来たの？」と店主が聞いた。私はうなずいて、棚の奥へ歩いていった。\n"),
    ("euc_kr", "euc-kr",
     "등대지기는 매일 밤 백이십 개의 계단을 올라갔다.\n\"또 늦었구나\" 노인이 말했다. "
     "\"바다의 배는 기다려 주지 않아.\"\n소녀는 웃으며 따뜻한 차를 창가에 놓았다.\n"),
    ("cp1251", "windows-1251",
     "Смотритель маяка каждый вечер поднимался по ста двадцати ступеням.\n"
     "- Ты опять опоздал, - сказал старик. - Корабли ждать не станут.\n"
     "Девушка улыбнулась и поставила горячий чай на подоконник.\n"),
    ("koi8_r", "koi8-r",
     "Мы долго шли под дождём, и никто не говорил ни слова. Вдруг она остановилась "
     "и спросила, помню ли я ту зиму.\nЯ сказал, что помню, хотя давно всё забыл.\n"),
    ("cp1256", "windows-1256",
     "كان حارس المنارة يصعد كل مساء مئة وعشرين درجة.\nقال الشيخ: \"تأخرت مرة أخرى. "
     "السفن لا تنتظر أحدا.\"\nابتسمت الفتاة ووضعت الشاي الساخن على حافة النافذة.\n"),
    ("iso8859_8", "iso-8859-8",
     "שומר המגדלור עלה בכל ערב מאה ועשרים מדרגות.\n\"שוב איחרת,\" אמר הזקן. "
     "\"הספינות לא מחכות לאף אחד.\"\nהנערה חייכה והניחה את התה החם על אדן החלון.\n"),
]  # fmt: skip


@pytest.mark.parametrize(("codec", "name", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_legacy_encoding_decodes_to_the_text_and_is_named(
    codec: str, name: str, text: str
) -> None:
    found = decode(text.encode(codec), "s.txt")
    assert found.text == text
    assert found.encoding == name
    assert [(c.line, c.action, c.text) for c in found.changes] == [(1, "decoded as", name)]
    assert not found.diagnostics  # a sure reading: no "guessed" warning
    assert text.encode(codec).decode(name) == text  # the name is a codec too


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        ("cp1251", "Привет, как дела? Всё хорошо.\n"),  # a line: too little to tell its code page
        ("koi8_r", "Мы шли под дождём.\n"),
        ("iso8859_8", "שוב איחרת, אמר הזקן.\n"),
    ],
)
def test_a_weak_guess_is_refused_naming_the_file(codec: str, text: str) -> None:
    with pytest.raises(StoryError) as raised:
        decode(text.encode(codec), "stories/03-short.txt")
    (problem,) = raised.value.problems
    assert problem.file == "stories/03-short.txt"
    assert "cannot tell this file's text encoding" in problem.message
    assert "UTF-8" in problem.message


def test_western_files_are_still_read_as_before() -> None:
    text = "Café crème, naïve façade: the señora’s “déjà vu”.\n"
    found = decode(text.encode("cp1252"), "s.txt")
    assert (found.text, found.encoding) == (text, "windows-1252")
